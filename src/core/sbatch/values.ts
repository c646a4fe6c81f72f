/**
 * Validators and parsers for sbatch option values. Each follows what Slurm's own parsers accept
 * (recorded against sbatch 22.05 in test/unit/core/sbatch/values.test.ts). All are linear-time: plain
 * character scans and anchored regular expressions without nested quantifiers. Which check an
 * option's value gets, and the messages: validateValue.ts.
 */
import { DEPENDENCY_TYPES, FILENAME_PATTERN_LETTERS } from './options';
import { parseDuration, parseGresList, parseHostlist, parseMemorySize, type GresItem } from '../slurm/grammar';

// ---------------------------------------------------------------------------------------------
// Time

/**
 * Parses a Slurm duration (--time, --time-min): M, M:S, H:M:S, D-H, D-H:M, D-H:M:S, and
 * 0 / -1 / INFINITE / UNLIMITED. Returns minutes (seconds rounded up), Infinity for no limit,
 * or undefined when Slurm rejects it. (The grammar: src/core/slurm/grammar/duration.ts.)
 */
export function parseSlurmTime(value: string): number | undefined {
  const r = parseDuration(value, 'request');
  return r.ok ? Math.ceil(r.value / 60) : undefined;
}

/** Formats minutes as Slurm's D-HH:MM:SS. */
export function formatSlurmTime(minutes: number): string {
  if (!Number.isFinite(minutes)) return 'UNLIMITED';
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const hm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
  return d > 0 ? `${d}-${hm}` : hm;
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Parses a memory size (--mem, --mem-per-cpu, --tmp): N[K|M|G|T][B], default MiB. Returns MiB. */
export function parseMemory(value: string): number | undefined {
  const r = parseMemorySize(value, 'request');
  return r.ok ? r.value : undefined;
}

export function formatMemory(mib: number): string {
  if (mib >= 1024 * 1024 && mib % (1024 * 1024) === 0) return `${mib / (1024 * 1024)}T`;
  if (mib >= 1024 && mib % 1024 === 0) return `${mib / 1024}G`;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)}G`;
  return `${mib}M`;
}

// ---------------------------------------------------------------------------------------------
// Counts

function suffixed(n: string, suffix?: string): number {
  const base = Number(n);
  if (!suffix) return base;
  return suffix.toLowerCase() === 'k' ? base * 1024 : base * 1024 * 1024;
}

/** Parses --nodes: N or MIN-MAX, each with an optional k/m multiplier. */
export function parseNodeCount(value: string): { min: number; max?: number } | undefined {
  const m = /^(\d{1,9})([kKmM])?(?:-(\d{1,9})([kKmM])?)?$/.exec(value);
  if (!m) return undefined;
  const min = suffixed(m[1], m[2]);
  if (m[3] === undefined) return { min };
  const max = suffixed(m[3], m[4]);
  return max < min ? undefined : { min, max };
}

/** A positive integer (--ntasks, --cpus-per-task, ...). */
export function parsePositiveInt(value: string): number | undefined {
  if (!/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n > 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// Arrays

export interface ArraySpec {
  /** Number of array tasks. */
  count: number;
  maxIndex: number;
  /** The %N limit on simultaneously running tasks. */
  limit?: number;
}

/** Parses --array: comma list of N, N-M, N-M:S, with an optional trailing %LIMIT. */
export function parseArraySpec(value: string): ArraySpec | { error: string } {
  let body = value;
  let limit: number | undefined;
  const pct = value.indexOf('%');
  if (pct >= 0) {
    const l = value.slice(pct + 1);
    if (!/^\d{1,9}$/.test(l)) return { error: `the limit after % must be a number, not "${l}"` };
    limit = Number(l);
    body = value.slice(0, pct);
  }
  if (body === '') return { error: 'no indexes before %' };
  let count = 0;
  let maxIndex = 0;
  for (const part of body.split(',')) {
    if (part === '') return { error: 'empty element in the index list' };
    const m = /^(\d{1,9})(?:-(\d{1,9})(?::(\d{1,9}))?)?$/.exec(part);
    if (!m) return { error: `"${part}" is not N, N-M or N-M:STEP` };
    const a = Number(m[1]);
    if (m[2] === undefined) {
      count++;
      maxIndex = Math.max(maxIndex, a);
      continue;
    }
    const b = Number(m[2]);
    const step = m[3] === undefined ? 1 : Number(m[3]);
    if (b < a) return { error: `range ${part} ends before it starts` };
    if (step === 0) return { error: `step 0 in ${part}` };
    count += Math.floor((b - a) / step) + 1;
    maxIndex = Math.max(maxIndex, b - ((b - a) % step));
  }
  return { count, maxIndex, ...(limit !== undefined ? { limit } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Dependencies

/** Checks a --dependency list; returns an error message or undefined. */
export function checkDependency(value: string): string | undefined {
  if (value === '') return 'empty dependency list';
  const hasAnd = value.includes(',');
  const hasOr = value.includes('?');
  if (hasAnd && hasOr) return 'conditions may be joined with "," (all) or "?" (any), not both';
  for (const part of value.split(hasOr ? '?' : ',')) {
    if (part === '') return 'empty condition in the list';
    if (part.toLowerCase() === 'singleton') continue;
    const colon = part.indexOf(':');
    if (colon < 0) return `"${part}" needs job ids: TYPE:JOBID[:JOBID...]`;
    const type = part.slice(0, colon).toLowerCase();
    if (!DEPENDENCY_TYPES.includes(type) || type === 'singleton') {
      return `unknown dependency type "${part.slice(0, colon)}" (${DEPENDENCY_TYPES.join(', ')})`;
    }
    for (const id of part.slice(colon + 1).split(':')) {
      const m = /^(\d{1,10})(?:_(\d{1,9}|\*))?(?:\+(\d{1,9}))?$/.exec(id);
      if (!m) return `"${id}" is not a job id (NNN, NNN_TASK, or NNN+MINUTES for after)`;
      if (m[3] !== undefined && type !== 'after') return `+time is only allowed with "after", not "${type}"`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// GRES, GPUs, TRES

export type GresRequest = GresItem;

/** Parses a --gres list: name[:type][:count] items, or "none". (The grammar: src/core/slurm/grammar/gres.ts.) */
export function parseGres(value: string): GresRequest[] | { error: string } {
  const r = parseGresList(value, 'request');
  return r.ok ? r.value : { error: r.error };
}

/** Parses a GPU count: [type:]number. */
export function parseGpuCount(value: string): { type?: string; count: number } | undefined {
  const m = /^(?:([\w.-]+):)?(\d{1,9})$/.exec(value);
  if (!m) return undefined;
  return { ...(m[1] ? { type: m[1] } : {}), count: Number(m[2]) };
}

/** Checks a --tres-per-task list: name=count items (cpu=4, gres/gpu:a100=1, license/x=2). */
export function checkTres(value: string): string | undefined {
  if (value === '') return 'empty TRES list';
  for (const item of value.split(',')) {
    const m = /^([a-z]+(?:\/[\w.-]+(?::[\w.-]+)?)?)[=:](\d{1,12}[KMGTkmgt]?)$/.exec(item);
    if (!m) return `"${item}" is not TRES=COUNT (e.g. cpu=4, gres/gpu=1)`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Signals, begin times

const SIGNALS = [
  'HUP', 'INT', 'QUIT', 'ILL', 'TRAP', 'ABRT', 'BUS', 'FPE', 'KILL', 'USR1', 'SEGV', 'USR2', 'PIPE',
  'ALRM', 'TERM', 'STKFLT', 'CHLD', 'CONT', 'STOP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'XCPU', 'XFSZ',
  'VTALRM', 'PROF', 'WINCH', 'IO', 'PWR', 'SYS',
];

/** Parses --signal: [{R|B}:]SIG[@SECONDS]. */
export function parseSignalSpec(value: string): { signal: string; seconds: number; batchOnly: boolean } | { error: string } {
  const m = /^(?:([RrBb]{1,2}):)?([A-Za-z0-9]{1,10})(?:@(\d{1,9}))?$/.exec(value);
  if (!m) return { error: 'expected [{R|B}:]SIGNAL[@SECONDS]' };
  const sig = m[2].toUpperCase();
  if (/^\d+$/.test(sig)) {
    const n = Number(sig);
    if (n < 1 || n > 64) return { error: `signal number ${n} is out of range` };
  } else {
    const name = sig.startsWith('SIG') ? sig.slice(3) : sig;
    if (!SIGNALS.includes(name)) return { error: `unknown signal "${m[2]}"` };
  }
  const seconds = m[3] === undefined ? 60 : Number(m[3]);
  if (seconds > 65535) return { error: `${seconds} seconds is more than the maximum 65535` };
  return { signal: sig, seconds, batchOnly: (m[1] ?? '').toUpperCase().includes('B') };
}

/**
 * Checks a --begin/--deadline time like Slurm's parse_time: HH:MM[:SS] [AM|PM], MMDD[YY],
 * MM/DD[/YY], MM.DD[.YY], YYYY-MM-DD[THH:MM[:SS]], now[+N[seconds|minutes|hours|days|weeks]],
 * today, tomorrow, midnight, noon, fika, teatime, elevenses.
 */
export function checkBeginTime(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return 'empty time';
  const words = v.split(/\s+/);
  if (words.length > 3) return 'too many words';
  let i = 0;
  let seen = 0;
  while (i < words.length) {
    const w = words[i];
    if (/^(today|tomorrow|midnight|noon|fika|teatime|elevenses)$/.test(w)) { i++; seen++; continue; }
    const now = /^now(?:\+(\d{1,9})(second|minute|hour|day|week)?s?)?$/.exec(w);
    if (now) {
      if (/^now\+\d+[a-z]+$/.test(w) && !/(seconds?|minutes?|hours?|days?|weeks?)$/.test(w)) return `unknown unit in "${value}" (seconds, minutes, hours, days, weeks)`;
      i++; seen++; continue;
    }
    if (/^now\+/.test(w)) return `"${w}": expected now+COUNT[seconds|minutes|hours|days|weeks]`;
    let m = /^(\d{1,2}):(\d{2})(?::(\d{2}))?(am|pm)?$/.exec(w);
    if (m) {
      const h = Number(m[1]);
      if (m[4] ? h < 1 || h > 12 : h > 23) return `hour ${h} is out of range`;
      if (Number(m[2]) > 59 || Number(m[3] ?? 0) > 59) return 'minutes/seconds out of range';
      if (!m[4] && i + 1 < words.length && /^(am|pm)$/.test(words[i + 1])) i++;
      i++; seen++; continue;
    }
    m = /^(\d{4})-(\d{2})-(\d{2})(?:t(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(w);
    if (m) {
      if (!validDate(Number(m[2]), Number(m[3]))) return `no such date ${m[1]}-${m[2]}-${m[3]}`;
      if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return 'time of day out of range';
      i++; seen++; continue;
    }
    m = /^(\d{2})(\d{2})(\d{2})?$/.exec(w) ?? /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$/.exec(w);
    if (m) {
      if (!validDate(Number(m[1]), Number(m[2]))) return `no such date ${m[1]}/${m[2]}`;
      i++; seen++; continue;
    }
    return `"${words[i]}" is not a time Slurm understands`;
  }
  return seen > 0 ? undefined : 'empty time';
}

function validDate(month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// ---------------------------------------------------------------------------------------------
// Host lists and constraints

/** Expands a Slurm host list ("n[1-3,5],gpu01") into names; undefined when malformed. (The grammar: src/core/slurm/grammar/hostlist.ts.) */
export function expandHostlist(value: string, limit = 100000): string[] | undefined {
  const r = parseHostlist(value, { mode: 'request', limit });
  return r.ok ? r.value : undefined;
}

/**
 * Checks a --constraint/--prefer expression and returns the feature names it uses.
 * Grammar: terms joined by & , | ; a term is NAME[*COUNT], [A|B...] or (EXPR).
 */
export function parseConstraint(value: string): { features: string[] } | { error: string } {
  const features: string[] = [];
  let depth = 0;
  let bracket = false;
  let expectTerm = true;
  let i = 0;
  const n = value.length;
  if (n === 0) return { error: 'empty constraint' };
  while (i < n) {
    const c = value[i];
    if (expectTerm) {
      if (c === '(') { depth++; i++; continue; }
      if (c === '[') {
        if (bracket) return { error: 'nested [ ]' };
        bracket = true; i++; continue;
      }
      const m = /^[A-Za-z0-9_.\-=+/]+/.exec(value.slice(i, i + 256));
      if (!m) return { error: `expected a feature name at "${value.slice(i, i + 10)}"` };
      features.push(m[0]);
      i += m[0].length;
      if (value[i] === '*') {
        const cm = /^\*\d+/.exec(value.slice(i, i + 12));
        if (!cm) return { error: 'expected a count after *' };
        i += cm[0].length;
      }
      expectTerm = false;
      continue;
    }
    if (c === '&' || c === '|' || c === ',') { expectTerm = true; i++; continue; }
    if (c === ')') {
      if (depth === 0) return { error: 'unbalanced )' };
      depth--; i++;
      if (value[i] === '*') {
        const cm = /^\*\d+/.exec(value.slice(i, i + 12));
        if (!cm) return { error: 'expected a count after *' };
        i += cm[0].length;
      }
      continue;
    }
    if (c === ']') {
      if (!bracket) return { error: 'unbalanced ]' };
      bracket = false; i++; continue;
    }
    return { error: `unexpected "${c}"` };
  }
  if (expectTerm) return { error: 'the expression ends with an operator' };
  if (depth !== 0) return { error: 'unbalanced (' };
  if (bracket) return { error: 'unbalanced [' };
  return { features };
}

// ---------------------------------------------------------------------------------------------
// Filenames

/** Checks % patterns in --output/--error/--input; returns unknown patterns found. */
export function unknownFilenamePatterns(value: string): string[] {
  if (value.includes('\\')) return [];
  const bad: string[] = [];
  for (let i = value.indexOf('%'); i >= 0 && i < value.length; i = value.indexOf('%', i + 1)) {
    let j = i + 1;
    while (j < value.length && j - i <= 10 && value[j] >= '0' && value[j] <= '9') j++;
    const letter = value[j];
    if (letter === undefined || !FILENAME_PATTERN_LETTERS.includes(letter)) bad.push(value.slice(i, j + 1));
    if (letter === '%') i = j;
  }
  return bad;
}

// ---------------------------------------------------------------------------------------------
// Task distribution

const DIST_FIRST = ['*', 'block', 'cyclic', 'arbitrary'];
const DIST_NEXT = ['*', 'block', 'cyclic', 'fcyclic'];

/** Returns a problem text for a --distribution value, or undefined. */
export function checkDistribution(value: string): string | undefined {
  const [levels, pack, extra] = value.split(',');
  if (extra !== undefined) return 'at most one ",Pack" or ",NoPack"';
  if (pack !== undefined && !/^(pack|nopack)$/i.test(pack)) return `"${pack}" is not Pack or NoPack`;
  const parts = levels.split(':');
  if (parts.length > 3) return 'at most three levels (nodes:sockets:cores)';
  const first = parts[0].toLowerCase();
  if (first.startsWith('plane')) {
    if (!/^plane=\d{1,9}$/.test(first) || first === 'plane=0') return 'plane needs a size: plane=N';
  } else if (!DIST_FIRST.includes(first)) {
    return `"${parts[0]}" is not *, block, cyclic, arbitrary or plane=N`;
  }
  for (const p of parts.slice(1)) {
    if (!DIST_NEXT.includes(p.toLowerCase())) return `"${p}" is not *, block, cyclic or fcyclic`;
  }
  return undefined;
}
