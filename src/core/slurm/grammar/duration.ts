/**
 * Durations: --time, --time-min, partition MaxTime/DefaultTime, squeue's elapsed and limit,
 * sacct's Elapsed. Forms: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S; no limit: INFINITE, UNLIMITED (and
 * -1 in a request).
 */
import { failed, parsed, type GrammarMode, type Parsed } from './types';

const PATTERNS = {
  // With days the hours may be left out in a request (`2-`, `1-:30`), as sbatch allows.
  request: { days: /^(\d{1,9})-(\d{0,9})(?::(\d{1,9})(?::(\d{1,9}))?)?$/, plain: /^(\d{1,9})(?::(\d{1,9})(?::(\d{1,9}))?)?$/ },
  report: { days: /^(\d+)-(\d+)(?::(\d+)(?::(\d+))?)?$/, plain: /^(\d+)(?::(\d+)(?::(\d+))?)?$/ },
};

/**
 * Seconds (Infinity for no limit). In `request` mode each field has at most 9 digits and nothing
 * else may surround the value; in `report` mode blanks around it are ignored.
 */
export function parseDuration(text: string, mode: GrammarMode = 'request'): Parsed<number> {
  const v = mode === 'report' ? text.trim() : text;
  if (/^(infinite|unlimited)$/i.test(v) || (mode === 'request' && v === '-1')) return parsed(Infinity);
  let m = PATTERNS[mode].days.exec(v);
  if (m) return parsed(Number(m[1]) * 86400 + Number(m[2] || 0) * 3600 + Number(m[3] || 0) * 60 + Number(m[4] || 0));
  m = PATTERNS[mode].plain.exec(v);
  if (m) {
    if (m[3] !== undefined) return parsed(Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])); // H:M:S
    if (m[2] !== undefined) return parsed(Number(m[1]) * 60 + Number(m[2])); // M:S
    return parsed(Number(m[1]) * 60); // minutes
  }
  return failed(`"${text.length > 40 ? `${text.slice(0, 40)}...` : text}" is not a duration (minutes, M:S, H:M:S, D-H, D-H:M or D-H:M:S)`);
}
