/**
 * Host lists: --nodelist, --exclude, partition Nodes=, job NodeList=, sinfo's and sacct's node
 * lists. `n[1-3,5],gpu01` is n1 n2 n3 n5 gpu01; zero padding is kept (`n[01-03]`); several bracket
 * groups multiply (`r[1-2]n[1-2]` is r1n1 r1n2 r2n1 r2n2).
 */
import { failed, isUnset, parsed, splitTopLevel, type GrammarMode, type Parsed } from './types';

export interface HostlistOptions {
  mode?: GrammarMode;
  /** Stop after this many names (a request like n[1-1000000] would otherwise take a while). */
  limit?: number;
}

/**
 * Expands a host list. `request`: every item must be a host name or NAME[RANGES]SUFFIX with
 * ascending numeric ranges, no empty item, no nested brackets. `report`: Slurm's unset values and
 * empty items give nothing, and an item that is not in that form is kept as it is written.
 */
export function parseHostlist(text: string, options: HostlistOptions = {}): Parsed<string[]> {
  const limit = options.limit ?? 100000;
  if (options.mode === 'report') {
    if (isUnset(text)) return parsed([]);
    const t = text.trim();
    const out: string[] = [];
    for (const item of splitTopLevel(t, ',')) {
      if (item === '') continue;
      const expanded = expandItem(item, limit - out.length);
      out.push(...(expanded ?? [item]));
      if (out.length >= limit) break;
    }
    return parsed(out);
  }
  const out: string[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    // One item, up to a comma outside brackets (read item by item: a limit stops early).
    let depth = 0;
    let j = i;
    while (j < n && (depth > 0 || text[j] !== ',')) {
      if (text[j] === '[') depth++;
      else if (text[j] === ']') depth--;
      if (depth < 0 || depth > 1) return failed(`"${text}" has unbalanced or nested brackets`);
      j++;
    }
    if (depth !== 0) return failed(`"${text}" has unbalanced or nested brackets`);
    const item = text.slice(i, j);
    if (item === '' || j === n - 1) return failed(`"${text}" has an empty item`);
    const expanded = expandItem(item, limit - out.length);
    if (!expanded) return failed(`"${item}" is not a host name or NAME[RANGES]`);
    out.push(...expanded);
    if (out.length >= limit) return parsed(out);
    i = j + 1;
  }
  return parsed(out);
}

function expandItem(item: string, limit: number): string[] | undefined {
  const open = item.indexOf('[');
  if (open < 0) return /^[\w.-]+$/.test(item) ? [item] : undefined;
  const close = item.indexOf(']', open);
  if (close < 0) return undefined;
  const prefix = item.slice(0, open);
  const suffixes = expandItem(item.slice(close + 1) || '', limit) ?? (item.slice(close + 1) === '' ? [''] : undefined);
  if (!suffixes) return undefined;
  if (!/^[\w.-]*$/.test(prefix)) return undefined;
  const out: string[] = [];
  for (const r of item.slice(open + 1, close).split(',')) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(r);
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a) return undefined;
    const width = m[1].length;
    for (let k = a; k <= b; k++) {
      for (const s of suffixes) {
        out.push(prefix + String(k).padStart(width, '0') + s);
        if (out.length >= limit) return out;
      }
    }
  }
  return out;
}
