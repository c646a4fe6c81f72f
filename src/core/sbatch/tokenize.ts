/**
 * The words of one #SBATCH line, split as sbatch's _get_argument does: whitespace separates,
 * '...' and "..." group, a backslash escapes the next character, an unquoted # starts a comment,
 * an unmatched quote is fatal. Each word remembers where its characters stand in the line.
 */

/** The directive keyword, the notebook cell magic and the legacy keyword sbatch still reads. */
export const KEYWORD = '#SBATCH';
export const CELL_MAGIC = '%%sbatch';
export const LEGACY_KEYWORD = '#SLURM';

export interface SbatchToken {
  /** Text as sbatch sees it (quotes and backslashes removed). */
  text: string;
  start: number;
  end: number;
  /**
   * Where the characters of `text` come from: pairs [textIndex, rawColumn], one per run of
   * characters that are contiguous in the line (see `tokenColumn`).
   */
  segments: number[];
}

/** Raw column of character `index` of a token's text (`token.end` past the end). */
export function tokenColumn(token: SbatchToken, index: number): number {
  if (index >= token.text.length) return token.end;
  const seg = token.segments;
  let k = 0;
  while (k + 2 < seg.length && seg[k + 2] <= index) k += 2;
  return seg[k + 1] + (index - seg[k]);
}

/** C isspace() for the bytes sbatch sees. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

interface TokenizeResult {
  tokens: SbatchToken[];
  commentStart?: number;
  unmatched?: { quote: string; column: number };
  leadingColon?: number;
  /** Column of a "" word: sbatch ignores it and the rest of the line. */
  emptyWordAt?: number;
}

/** Splits the part of a #SBATCH line after the keyword into arguments, like _get_argument. */
export function tokenizeDirectiveLine(line: string, from: number): TokenizeResult {
  const tokens: SbatchToken[] = [];
  let p = from;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return { tokens };
    if (line.charCodeAt(p) === 58 /* : */) return { tokens, leadingColon: p };
    const start = p;
    // The text is assembled from runs of raw characters (no per-character concatenation).
    const parts: string[] = [];
    const segments: number[] = [];
    let length = 0;
    let runStart = p;
    const closeRun = (end: number) => {
      if (end > runStart) {
        segments.push(length, runStart);
        parts.push(line.slice(runStart, end));
        length += end - runStart;
      }
    };
    let quote = 0;
    let quoteAt = -1;
    let comment = false;
    while (p < n && (quote !== 0 || !isSpace(line.charCodeAt(p)))) {
      const ch = line.charCodeAt(p);
      if (ch === 92 /* \\ */) {
        // The backslash disappears and the next character is taken literally.
        closeRun(p);
        p++;
        runStart = p;
        if (p < n && (quote !== 0 || !isSpace(line.charCodeAt(p)))) p++;
        continue;
      }
      if (quote !== 0) {
        if (ch === quote) {
          closeRun(p);
          quote = 0;
          p++;
          runStart = p;
          continue;
        }
      } else if (ch === 34 || ch === 39 /* " ' */) {
        closeRun(p);
        quote = ch;
        quoteAt = p;
        p++;
        runStart = p;
        continue;
      } else if (ch === 35 /* # */) {
        comment = true;
        break;
      }
      p++;
    }
    closeRun(p);
    const text = parts.length === 1 ? parts[0] : parts.join('');
    if (quote !== 0) {
      // sbatch stops here; keep the partial word so that the option before it has a value.
      tokens.push({ text, start, end: p, segments });
      return { tokens, unmatched: { quote: String.fromCharCode(quote), column: quoteAt } };
    }
    // A word of nothing but quotes ("") yields no argument, and sbatch then stops reading the line.
    if (text === '' && p > start) return { tokens, emptyWordAt: start };
    if (p > start) tokens.push({ text, start, end: p, segments });
    if (comment) return { tokens, commentStart: p };
  }
}
