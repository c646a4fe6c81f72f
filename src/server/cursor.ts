/**
 * What the cursor is on in a `#SBATCH` line, read from the line's text alone (completion runs
 * on every keystroke and must not depend on the rest of the script being well-formed).
 */
import { findOption, resolveLongOption, type SbatchOption } from '../core/sbatch/options';

export const DIRECTIVE_KEYWORD = '#SBATCH';

export type CursorContext =
  /** Typing the keyword itself at the start of a line ("#SB|"). */
  | { kind: 'keyword'; start: number; end: number }
  /** An option name: `prefix` is what is typed so far ("--ti", "-", or a bare word). */
  | { kind: 'option'; prefix: string; start: number; end: number }
  /** A value of `option`: `prefix` is the typed part of the current list item. */
  | { kind: 'value'; option: SbatchOption; prefix: string; valueStart: number; start: number; end: number }
  | { kind: 'none' };

interface RawToken {
  /** Text with quotes and backslashes removed. */
  text: string;
  start: number;
  /** Raw column of each character of `text`. */
  offsets: number[];
}

/** Splits the arguments of a directive line up to `limit`, like sbatch (quotes, \, unquoted #). */
function tokensBefore(line: string, from: number, limit: number): { tokens: RawToken[]; inComment: boolean; open: boolean } {
  const tokens: RawToken[] = [];
  let p = from;
  for (;;) {
    while (p < limit && (line[p] === ' ' || line[p] === '\t')) p++;
    if (p >= limit) return { tokens, inComment: false, open: false };
    const tok: RawToken = { text: '', start: p, offsets: [] };
    let quote = '';
    while (p < limit && (quote !== '' || (line[p] !== ' ' && line[p] !== '\t'))) {
      const ch = line[p];
      if (quote === '' && ch === '#') {
        if (tok.offsets.length > 0 || p > tok.start) tokens.push(tok);
        return { tokens, inComment: true, open: false };
      }
      if (ch === '\\' && p + 1 < limit) {
        tok.offsets.push(p + 1);
        tok.text += line[p + 1];
        p += 2;
        continue;
      }
      if (quote !== '' && ch === quote) {
        quote = '';
      } else if (quote === '' && (ch === '"' || ch === "'")) {
        quote = ch;
      } else {
        tok.offsets.push(p);
        tok.text += ch;
      }
      p++;
    }
    tokens.push(tok);
    if (p >= limit) return { tokens, inComment: false, open: true };
  }
}

/** End column of the word (option name) that starts at or before `from`. */
function wordEnd(line: string, from: number, pattern: RegExp): number {
  let e = from;
  while (e < line.length && pattern.test(line[e])) e++;
  return e;
}

/** The item of a list value being typed: after the last separator. */
function listItemStart(option: SbatchOption, prefix: string): number {
  const separators = LIST_SEPARATORS[option.valueKind] ?? '';
  let at = 0;
  for (let i = 0; i < prefix.length; i++) if (separators.includes(prefix[i])) at = i + 1;
  return at;
}

const LIST_SEPARATORS: Record<string, string> = {
  mailType: ',',
  partition: ',',
  account: '',
  qos: ',',
  gres: ',',
  gresFlags: ',',
  constraint: '&|,[]*',
  featureList: '&',
  nodelist: ',',
  dependency: ',?',
  clusterList: ',',
  profile: ',',
  export: ',',
  licenses: ',',
  memBind: ',',
  hint: ',',
  propagate: ',',
  acctgFreq: ',',
  gpuBind: ',',
  power: ',',
};

/** `typed` is the value typed so far, `offsets` the raw column of each of its characters. */
function valueContext(option: SbatchOption, line: string, typed: string, offsets: number[], character: number): CursorContext {
  const itemOffset = listItemStart(option, typed);
  const prefix = typed.slice(itemOffset);
  const valueStart = offsets[0] ?? character;
  const start = offsets[itemOffset] ?? character;
  // Replace up to the end of the current item (not the rest of the list).
  const separators = LIST_SEPARATORS[option.valueKind] ?? '';
  let end = character;
  while (end < line.length && !/[\s#"']/.test(line[end]) && !separators.includes(line[end])) end++;
  return { kind: 'value', option, prefix, valueStart, start, end };
}

/** Resolves "--name" (exact, alias or getopt prefix) or "-x" to an option. */
export function optionForName(written: string): SbatchOption | undefined {
  if (written.startsWith('--')) {
    const r = resolveLongOption(written.slice(2));
    return r.kind === 'exact' || r.kind === 'prefix' ? r.option : undefined;
  }
  if (/^-[A-Za-z0-9]$/.test(written)) return findOption(written);
  return undefined;
}

/** What the cursor at `character` of `line` is on. */
export function cursorContext(line: string, character: number): CursorContext {
  const before = line.slice(0, character);
  if (!line.startsWith(DIRECTIVE_KEYWORD)) {
    if (before.length > 0 && DIRECTIVE_KEYWORD.startsWith(before) && !/\S/.test(line.slice(character))) {
      return { kind: 'keyword', start: 0, end: character };
    }
    return { kind: 'none' };
  }
  const k = DIRECTIVE_KEYWORD.length;
  if (character <= k) return character === k && line.length === k ? { kind: 'keyword', start: 0, end: k } : { kind: 'none' };
  if (line[k] !== ' ' && line[k] !== '\t') return { kind: 'none' };

  const { tokens, inComment, open } = tokensBefore(line, k, character);
  if (inComment) return { kind: 'none' };
  const current: RawToken | undefined = open ? tokens[tokens.length - 1] : undefined;
  const previous = open ? tokens[tokens.length - 2] : tokens[tokens.length - 1];

  if (current && current.text.startsWith('--')) {
    const eq = current.text.indexOf('=');
    if (eq >= 0) {
      const option = optionForName(current.text.slice(0, eq));
      if (!option || option.arg === 'none') return { kind: 'none' };
      return valueContext(option, line, current.text.slice(eq + 1), current.offsets.slice(eq + 1), character);
    }
    return { kind: 'option', prefix: current.text, start: current.start, end: wordEnd(line, character, /[A-Za-z0-9_-]/) };
  }
  if (current && current.text.startsWith('-')) {
    if (current.text.length <= 2) {
      return { kind: 'option', prefix: current.text, start: current.start, end: wordEnd(line, character, /[A-Za-z0-9]/) };
    }
    const option = findOption(current.text.slice(0, 2));
    if (!option || option.arg === 'none') return { kind: 'none' };
    return valueContext(option, line, current.text.slice(2), current.offsets.slice(2), character);
  }
  // A bare word (or nothing yet): the value of the previous option, or a new option.
  if (previous && !previous.text.includes('=')) {
    const option = previous.text.startsWith('-') ? optionForName(previous.text) : undefined;
    if (option && option.arg === 'required') {
      return valueContext(option, line, current ? current.text : '', current ? current.offsets : [], character);
    }
  }
  if (current) return { kind: 'option', prefix: current.text, start: current.start, end: wordEnd(line, character, /[A-Za-z0-9_-]/) };
  return { kind: 'option', prefix: '', start: character, end: character };
}
