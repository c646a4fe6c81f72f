/** Did-you-mean suggestions for option names and cluster names. */
import { LONG_NAMES, OPTIONS, NON_SBATCH_OPTIONS } from './options';

/**
 * Closest names to `input` among `candidates` (case-insensitive), best first. A candidate must be
 * within a distance that grows with the length of the word, so short garbage gets no suggestion.
 */
export function closestNames(input: string, candidates: readonly string[], max = 2): string[] {
  const lower = input.toLowerCase();
  if (!lower) return [];
  const limit = lower.length <= 3 ? 1 : lower.length <= 6 ? 2 : 3;
  const scored: { name: string; d: number }[] = [];
  for (const c of candidates) {
    const cl = c.toLowerCase();
    if (Math.abs(cl.length - lower.length) > limit) continue;
    const d = cl === lower ? 0 : editDistance(lower, cl);
    if (d <= limit) scored.push({ name: c, d });
  }
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  return [...new Set(scored.map((s) => s.name))].slice(0, max);
}

const CANONICAL_LONG = OPTIONS.filter((o) => !o.removed && !o.commandLineOnly).map((o) => o.long);
const SHORTS = OPTIONS.filter((o) => o.short).map((o) => o.short as string);

/** Suggestions for an unknown option name (long without dashes, or a short letter). */
export function suggestOptionNames(name: string): string[] {
  if (name.length === 1) {
    // A short letter in the wrong case is the usual mistake (-N vs -n).
    const other = name === name.toLowerCase() ? name.toUpperCase() : name.toLowerCase();
    return SHORTS.includes(other) ? [other] : [];
  }
  const normalized = name.replace(/_/g, '-');
  if (normalized !== name && CANONICAL_LONG.includes(normalized)) return [normalized];
  const close = closestNames(normalized, CANONICAL_LONG);
  if (close.length) return close;
  // A suffix match helps with "--per-task" style fragments.
  return LONG_NAMES.filter((n) => n.endsWith(normalized) && normalized.length >= 5).slice(0, 2);
}

/** Names of the tools an option belongs to when it is not an sbatch option (e.g. --pty: srun). */
export function foreignOptionTool(name: string): string | undefined {
  return NON_SBATCH_OPTIONS[name];
}

/**
 * Edit distance where a swap of two neighbouring letters counts as one edit, like an insertion,
 * a deletion or a substitution (optimal string alignment): `tiem` is one edit from `time`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let before = new Array<number>(n + 1).fill(0);
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) {
        d = Math.min(d, before[j - 2] + 1);
      }
      cur[j] = d;
    }
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[n];
}
