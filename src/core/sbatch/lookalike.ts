/**
 * Comment lines in the header that look like a directive but are not one for sbatch:
 * "#SBTACH", "# SBATCH", "#sbatch" (lookalikes), "  #SBATCH" (indented), "##SBATCH" (commented
 * out). sbatch reads none of them; the parser records them so that the linter can say so.
 */
import { editDistance } from './suggest';
import { range } from './types';
import type { ParsedScript } from './parse';
import { KEYWORD } from './tokenize';

const SBATCH_UPPER = 'SBATCH';

/** Looks at a comment line in the header for things that resemble a directive. */
export function classifyComment(result: ParsedScript, lineText: string, hashAt: number, lineNo: number): void {
  if (lineText.startsWith('#!') && lineNo === 0) return;
  // Indented real keyword.
  if (hashAt > 0 && lineText.startsWith(KEYWORD, hashAt)) {
    result.ignored.push({ kind: 'indented', line: lineNo, range: range(lineNo, 0, hashAt + KEYWORD.length), marker: lineText.slice(0, hashAt + KEYWORD.length), text: lineText.replace(/\r$/, '') });
    return;
  }
  let p = hashAt;
  let hashes = 0;
  while (p < lineText.length && lineText[p] === '#') {
    p++;
    hashes++;
  }
  let q = p;
  while (q < lineText.length && (lineText[q] === ' ' || lineText[q] === '\t')) q++;
  let w = q;
  while (w < lineText.length && /[A-Za-z]/.test(lineText[w])) w++;
  const word = lineText.slice(q, w);
  if (word.length < 4 || word.length > 8) return;
  const upper = word.toUpperCase();
  // Only when followed by an option-like argument or end of line, to avoid prose ("# Sbatch script for...").
  const rest = lineText.slice(w).trimStart();
  const optionLike = rest === '' || rest === '\r' || rest.startsWith('-');
  if (!optionLike) return;
  if (upper === SBATCH_UPPER || (editDistance(upper, SBATCH_UPPER) <= 1 && upper.startsWith('SB')) || isTransposition(upper, SBATCH_UPPER)) {
    if (hashes >= 2 && q === p && word === SBATCH_UPPER) {
      result.ignored.push({ kind: 'commented', line: lineNo, range: range(lineNo, hashAt, w), marker: lineText.slice(hashAt, w), text: lineText.replace(/\r$/, '') });
      return;
    }
    if (hashes === 1 && q === p && word === SBATCH_UPPER) return; // cannot happen (real keyword)
    result.ignored.push({ kind: 'lookalike', line: lineNo, range: range(lineNo, hashAt, w), marker: lineText.slice(hashAt, w), text: lineText.replace(/\r$/, '') });
  }
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (diff >= 0) return i === diff + 1 && a[diff] === b[i] && a[i] === b[diff] && a.slice(i + 1) === b.slice(i + 1);
      diff = i;
    }
  }
  return false;
}
