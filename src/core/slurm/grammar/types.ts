/**
 * `request`: what a user may write in a script or on a command line (sbatch's own rules; anything
 * else is an error the linter reports). `report`: what Slurm prints (scontrol, sinfo, squeue,
 * sacct), read leniently: surrounding blanks, decimals and annotations Slurm adds are accepted.
 */
export type GrammarMode = 'request' | 'report';

/** A parse that either gives a value or says why not (in words, for a diagnostic or a log). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const failed = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** Splits on `sep` outside of [] and () (Slurm nests lists in both: `n[1,3]`, `gpu:2(IDX:0,1)`). */
export function splitTopLevel(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Values Slurm prints for "no value". */
export function isUnset(value: string | undefined): boolean {
  return value === undefined || value === '' || value === '(null)' || value === 'N/A' || value === 'n/a' || value === 'None';
}
