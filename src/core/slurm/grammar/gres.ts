/**
 * Generic resources: --gres requests (`gpu:a100:2,nvme:1`, `gres/gpu:2`, `none`) and the GRES
 * Slurm reports for nodes and partitions (`gpu:a100:4(S:0-1),mps:100`, `(null)`). An item is
 * NAME[:TYPE][:COUNT]; a count may carry a K/M/G multiplier (binary).
 */
import { failed, isUnset, parsed, splitTopLevel, type GrammarMode, type Parsed } from './types';

export interface GresItem {
  name: string;
  type?: string;
  count: number;
}

/** A GRES count (`4`, `2K`); undefined when the text is not one. */
export function parseGresCount(text: string): number | undefined {
  const m = /^(\d+)([kKmMgG])?$/.exec(text);
  if (!m) return undefined;
  const unit = (m[2] ?? '').toUpperCase();
  return Number(m[1]) * (unit === 'K' ? 1024 : unit === 'M' ? 1024 ** 2 : unit === 'G' ? 1024 ** 3 : 1);
}

const isRequestCount = (s: string): boolean => /^\d{1,9}[kKmMgG]?$/.test(s);

/** One item in request mode: NAME[:TYPE][:COUNT], each part checked. */
function requestItem(raw: string): Parsed<GresItem> {
  const item = raw.startsWith('gres/') ? raw.slice(5) : raw.startsWith('gres:') ? raw.slice(5) : raw;
  const parts = item.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) return failed(`"${raw}" is not NAME[:TYPE][:COUNT]`);
  const [name, a, b] = parts;
  if (!/^[A-Za-z][\w.-]*$/.test(name)) return failed(`"${name}" is not a GRES name`);
  let count = 1;
  let type: string | undefined;
  if (b !== undefined) {
    if (!isRequestCount(b)) return failed(`"${b}" in "${raw}" is not a count`);
    type = a;
    count = parseGresCount(b) ?? NaN;
  } else if (a !== undefined) {
    if (isRequestCount(a)) count = parseGresCount(a) ?? NaN;
    else type = a;
  }
  if (type !== undefined && !/^[\w.-]+$/.test(type)) return failed(`"${type}" is not a GRES type`);
  return parsed({ name, ...(type ? { type } : {}), count });
}

/** One item as Slurm reports it: annotations dropped, NAME[:TYPE][:...][:COUNT], a missing count is 1. */
function reportItem(raw: string): GresItem | undefined {
  const item = raw.replace(/\(.*\)$/, '').trim();
  if (item === '' || item === '(null)') return undefined;
  const parts = item.split(':');
  const name = parts[0];
  let type: string | undefined;
  let count = 1;
  if (parts.length === 2) {
    const c = parseGresCount(parts[1]);
    if (c === undefined) type = parts[1];
    else count = c;
  } else if (parts.length >= 3) {
    type = parts[1];
    count = parseGresCount(parts[parts.length - 1]) ?? 1;
  }
  return type === undefined ? { name, count } : { name, type, count };
}

/**
 * A GRES list. `request`: `none` is no GRES, an empty list or a malformed item is an error.
 * `report`: `(null)`/empty give none, annotations such as `(S:0-1)` are dropped, nothing fails.
 */
export function parseGresList(text: string, mode: GrammarMode = 'request'): Parsed<GresItem[]> {
  if (mode === 'report') {
    if (isUnset(text)) return parsed([]);
    return parsed(splitTopLevel(text, ',').flatMap((raw) => reportItem(raw) ?? []));
  }
  if (text.toLowerCase() === 'none') return parsed([]);
  if (text === '') return failed('empty GRES list');
  const out: GresItem[] = [];
  for (const raw of text.split(',')) {
    const r = requestItem(raw);
    if (!r.ok) return r;
    out.push(r.value);
  }
  return parsed(out);
}
