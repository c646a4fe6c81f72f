/**
 * Validators and parsers for sbatch option values. Each follows what Slurm's own parsers accept
 * (recorded against sbatch 22.05 in test/unit/core/sbatch/values.test.ts). All are linear-time: plain
 * character scans and anchored regular expressions without nested quantifiers.
 */
import {
  DEPENDENCY_TYPES, GRES_FLAGS, HINT_VALUES, MAIL_TYPES, PROFILE_VALUES, RLIMIT_NAMES,
  FILENAME_PATTERN_LETTERS, type SbatchOption,
} from './options';
import { parseDuration, parseGresList, parseHostlist, parseMemorySize, type GresItem } from '../slurm/grammar';

export interface ValueProblem {
  message: string;
  severity: 'error' | 'warning' | 'information';
  /** Defaults to "invalid-value". */
  code?: string;
}

const err = (message: string): ValueProblem => ({ message, severity: 'error' });
const warn = (message: string, code?: string): ValueProblem => ({ message, severity: 'warning', ...(code ? { code } : {}) });

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
// The dispatcher used by the linter and by completion/hover.

const lowerIn = (list: readonly string[], v: string) => list.some((x) => x.toLowerCase() === v.toLowerCase());

const DIST_FIRST = ['*', 'block', 'cyclic', 'arbitrary'];
const DIST_NEXT = ['*', 'block', 'cyclic', 'fcyclic'];
const CPU_FREQ_WORDS = ['low', 'medium', 'high', 'highm1', 'conservative', 'ondemand', 'performance', 'powersave', 'userspace', 'schedutil'];

/** Validates the value of `option` as sbatch would; undefined when fine. */
export function validateOptionValue(option: SbatchOption, value: string): ValueProblem | undefined {
  const name = `--${option.long}`;
  switch (option.valueKind) {
    case 'time': {
      if (option.long === 'delay-boot') {
        return parseSlurmTime(value) === undefined ? err(`Invalid ${name} "${value}": expected minutes or a Slurm time.`) : undefined;
      }
      if (parseSlurmTime(value) === undefined) {
        return err(`Invalid ${name} "${value}": use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (or UNLIMITED).`);
      }
      return undefined;
    }
    case 'memory':
      if (parseMemory(value) === undefined) {
        return err(`Invalid ${name} "${value}": a whole number with an optional unit K, M, G or T (default M), e.g. 4G or 500M.`);
      }
      return undefined;
    case 'nodeCount':
      if (!parseNodeCount(value)) {
        return err(`Invalid ${name} "${value}": expected N or MIN-MAX with MIN <= MAX.`);
      }
      return undefined;
    case 'count':
      if (parsePositiveInt(value) === undefined) return err(`Invalid ${name} "${value}": expected a whole number of at least 1.`);
      return undefined;
    case 'integer0':
      if (!/^\d{1,9}$/.test(value)) return err(`Invalid ${name} "${value}": expected a whole number.`);
      return undefined;
    case 'array': {
      // Recorded (22.05): empty list elements and a non-numeric %limit are silently dropped.
      let cleaned = value;
      const soft: string[] = [];
      const pct = cleaned.indexOf('%');
      if (pct >= 0 && !/^\d{1,9}$/.test(cleaned.slice(pct + 1))) {
        soft.push(`the limit "${cleaned.slice(pct)}" is not a number and is ignored`);
        cleaned = cleaned.slice(0, pct);
      }
      if (/^,|,,|,$/.test(cleaned.split('%')[0])) {
        soft.push('empty elements of the list are ignored');
        cleaned = cleaned.split(',').filter((x) => x !== '').join(',').replace(/,%/, '%');
      }
      // Recorded (22.05, 24.11, 26.05): a limit with no index before it ("%5") is accepted and
      // runs a one-task array, task 0.
      if (/^%\d{1,9}$/.test(cleaned)) {
        return warn(`${name} "${value}" has no index before the %: Slurm runs it as an array of one task, index 0. Write the indexes, e.g. 0-9${cleaned}.`, 'unclear-value');
      }
      const r = parseArraySpec(cleaned);
      if ('error' in r) return err(`Invalid ${name} "${value}": ${r.error}.`);
      return soft.length ? warn(`In ${name} "${value}", ${soft.join(' and ')} by Slurm.`, 'ignored-value') : undefined;
    }
    case 'dependency': {
      if (value.includes(',') && value.includes('?')) {
        // Recorded (22.05): accepted, and the whole list becomes "any of" (every , turns into ?).
        const e = checkDependency(value.replace(/,/g, '?'));
        if (e) return err(`Invalid ${name} "${value}": ${e}.`);
        return warn(`${name} mixes "," (all of) and "?" (any of); Slurm then treats the whole list as "any of".`, 'unclear-value');
      }
      const e = checkDependency(value);
      return e ? err(`Invalid ${name} "${value}": ${e}.`) : undefined;
    }
    case 'mailType': {
      if (value === '') return err(`${name} needs at least one event type.`);
      const unknown = value.split(',').filter((t) => t !== '' && !lowerIn(MAIL_TYPES, t));
      if (unknown.length === 0) return undefined;
      const known = value.split(',').filter((t) => lowerIn(MAIL_TYPES, t));
      const msg = `${unknown.map((u) => `"${u}"`).join(', ')} ${unknown.length > 1 ? 'are not mail types' : 'is not a mail type'} (${MAIL_TYPES.join(', ')})`;
      // sbatch 22.05 rejects the list only when nothing in it is valid, otherwise drops the rest.
      if (known.length === 0) return err(`Invalid ${name}: ${msg}.`);
      return warn(`sbatch silently ignores ${msg}.`, 'ignored-value');
    }
    case 'gres': {
      const r = parseGres(value);
      return 'error' in r ? err(`Invalid ${name} "${value}": ${r.error}.`) : undefined;
    }
    case 'gpuCount':
      if (!parseGpuCount(value)) return err(`Invalid ${name} "${value}": expected [TYPE:]COUNT, e.g. 2 or a100:2.`);
      return undefined;
    case 'tres': {
      const e = checkTres(value);
      return e ? err(`Invalid ${name} "${value}": ${e}.`) : undefined;
    }
    case 'signal': {
      const r = parseSignalSpec(value);
      return 'error' in r ? err(`Invalid ${name} "${value}": ${r.error}.`) : undefined;
    }
    case 'begin': {
      const e = checkBeginTime(value);
      return e ? err(`Invalid ${name} "${value}": ${e}.`) : undefined;
    }
    case 'distribution':
      return checkDistribution(value) ? err(`Invalid ${name} "${value}": ${checkDistribution(value)}.`) : undefined;
    case 'openMode':
      if (!/^[aAtT]/.test(value)) return err(`Invalid ${name} "${value}": use append or truncate.`);
      if (!/^(append|truncate)$/i.test(value)) return warn(`sbatch reads "${value}" as ${/^[aA]/.test(value) ? 'append' : 'truncate'} (only the first letter counts); write it out.`, 'unclear-value');
      return undefined;
    case 'exclusive':
      if (!/^(user|mcs|topo)$/i.test(value)) return err(`Invalid ${name}="${value}": use --exclusive, --exclusive=user or --exclusive=mcs.`);
      return undefined;
    case 'export':
      return checkExport(value);
    case 'memBind': {
      for (const t of splitTopLevel(value)) {
        if (!/^(quiet|verbose|none|no|rank|local|prefer|sort|nosort|help|(map_mem|mask_mem|map_ldom|mask_ldom)[:=][\w,*]+)$/i.test(t)) {
          return err(`Invalid ${name} "${value}": "${t}" is not none, rank, local, map_mem:LIST, mask_mem:LIST, prefer, sort, nosort, quiet or verbose.`);
        }
      }
      return undefined;
    }
    case 'hint':
      if (!lowerIn(HINT_VALUES, value)) return err(`Invalid ${name} "${value}": use ${HINT_VALUES.join(', ')}.`);
      return undefined;
    case 'gresFlags': {
      for (const t of value.split(',')) {
        if (!lowerIn(GRES_FLAGS, t)) return err(`Invalid ${name} "${t}": use ${GRES_FLAGS.join(', ')}.`);
      }
      return undefined;
    }
    case 'yesNo':
      if (!/^(yes|no)$/i.test(value)) return err(`Invalid ${name} "${value}": use yes or no.`);
      return undefined;
    case 'profile': {
      for (const t of value.split(',')) {
        if (!lowerIn(PROFILE_VALUES, t)) return err(`Invalid ${name} "${t}": use all, none, or a list of energy, task, lustre, network.`);
      }
      return undefined;
    }
    case 'propagate': {
      for (const t of value.split(',')) {
        const bare = t.startsWith('RLIMIT_') ? t.slice(7) : t;
        if (!RLIMIT_NAMES.includes(bare)) return err(`Invalid ${name} "${t}": limit names are upper case: ${RLIMIT_NAMES.join(', ')}.`);
      }
      return undefined;
    }
    case 'acctgFreq': {
      if (/^\d{1,9}$/.test(value)) return undefined;
      for (const t of value.split(',')) {
        if (!/^(task|energy|network|filesystem)=\d{1,9}$/i.test(t)) return err(`Invalid ${name} "${t}": expected task=SECONDS, energy=..., network=..., filesystem=....`);
      }
      return undefined;
    }
    case 'cpuFreq': {
      const m = /^([^-:]+)(?:-([^-:]+))?(?::([^-:]+))?$/.exec(value);
      const ok = (p: string | undefined) => p === undefined || /^\d{1,9}$/.test(p) || lowerIn(CPU_FREQ_WORDS, p);
      if (!m || !ok(m[1]) || !ok(m[2]) || !ok(m[3])) return err(`Invalid ${name} "${value}": expected KHZ, low, medium, high, highm1 or a governor, as P1[-P2[:GOVERNOR]].`);
      return undefined;
    }
    case 'switches': {
      const m = /^(\d{1,9})(?:@(.+))?$/.exec(value);
      if (!m || (m[2] !== undefined && parseSlurmTime(m[2]) === undefined)) return err(`Invalid ${name} "${value}": expected COUNT[@MAX-WAIT-TIME].`);
      return undefined;
    }
    case 'zeroOne':
      if (!/^[01]$/.test(value)) return err(`Invalid ${name} "${value}": use 0 or 1.`);
      return undefined;
    case 'getUserEnv':
      if (!/^\d{0,9}[SsLl]?$/.test(value) || value === '') return err(`Invalid ${name} "${value}": expected [TIMEOUT][S|L].`);
      return undefined;
    case 'noKill':
      if (!/^off$/i.test(value)) return err(`Invalid ${name} "${value}": the only value is "off".`);
      return undefined;
    case 'nice':
      if (!/^[-+]?\d{1,9}$/.test(value)) return warn(`${name} "${value}" is not a number; sbatch reads it as 0.`, 'unclear-value');
      if (Math.abs(Number(value)) > 2147483645) return err(`${name} must be within ±2147483645.`);
      return undefined;
    case 'priority':
      if (!/^(\d{1,10}|top)$/i.test(value)) return warn(`${name} "${value}" is not a number or TOP.`, 'unclear-value');
      return undefined;
    case 'extraNodeInfo': {
      const parts = value.split(':');
      if (parts.length > 3 || parts.some((p) => !/^(\*|\d{1,9}(-\d{1,9})?)$/.test(p))) {
        return err(`Invalid ${name} "${value}": expected SOCKETS[:CORES[:THREADS]], each a number, MIN-MAX or *.`);
      }
      return undefined;
    }
    case 'distributionPlane':
      return undefined;
    case 'constraint': {
      const r = parseConstraint(value);
      if (!('error' in r)) return undefined;
      // Recorded (22.05): a trailing operator ("bigmem&") is accepted as written.
      if (r.error.startsWith('the expression ends')) return warn(`${name} "${value}": ${r.error}; Slurm accepts it but it is probably incomplete.`, 'unclear-value');
      return err(`Invalid ${name} "${value}": ${r.error}.`);
    }
    case 'featureList':
      if (!/^[\w.-]+(&[\w.-]+)*$/.test(value)) return err(`Invalid ${name} "${value}": only feature names joined by &.`);
      return undefined;
    case 'nodelist':
      if (value.includes('/')) return undefined; // a file of host names
      if (!expandHostlist(value, 1)) return err(`Invalid ${name} "${value}": not a host list (e.g. n[1-4],gpu01).`);
      return undefined;
    case 'filename': {
      if (value === '') return err(`${name} needs a file name.`);
      const bad = unknownFilenamePatterns(value);
      if (bad.length && (option.long === 'output' || option.long === 'error' || option.long === 'input')) {
        return warn(`Unknown file name pattern ${bad.join(', ')} in ${name}; Slurm leaves it as written. Known: %A %a %J %j %N %n %s %t %u %x %%.`, 'unknown-filename-pattern');
      }
      return undefined;
    }
    case 'gpuBind':
      if (!/^(verbose,)?(closest|none|single:\d+|per_task:\d+|(map_gpu|mask_gpu):[\w,*]+)$/i.test(value)) {
        return err(`Invalid ${name} "${value}": expected [verbose,]closest|none|single:N|per_task:N|map_gpu:LIST|mask_gpu:LIST.`);
      }
      return undefined;
    case 'gpuFreq':
      for (const t of value.split(',')) {
        if (!/^(verbose|low|medium|high|highm1|\d{1,9}|memory=(low|medium|high|highm1|\d{1,9}))$/i.test(t)) {
          return err(`Invalid ${name} "${t}": expected low, medium, high, highm1, MHZ, memory=..., verbose.`);
        }
      }
      return undefined;
    case 'power':
      for (const t of value.split(',')) {
        if (!/^level$/i.test(t)) return warn(`sbatch ignores the unknown power option "${t}".`, 'unclear-value');
      }
      return undefined;
    case 'partition':
      if (!/^[\w.-]+(,[\w.-]+)*$/.test(value)) return err(`Invalid ${name} "${value}": a partition name or a comma list of names.`);
      return undefined;
    default:
      return undefined;
  }
}

function splitTopLevel(value: string): string[] {
  // mem-bind lists like "verbose,map_mem:0,1": items after map_/mask_ belong to the list.
  const out: string[] = [];
  for (const part of value.split(',')) {
    const last = out[out.length - 1];
    if (last !== undefined && /^(map_mem|mask_mem|map_ldom|mask_ldom)[:=]/i.test(last) && /^[\w*]+$/.test(part) && !/^(quiet|verbose|none|no|rank|local|prefer|sort|nosort|help)$/i.test(part)) {
      out[out.length - 1] = last + ',' + part;
    } else {
      out.push(part);
    }
  }
  return out;
}

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

function checkExport(value: string): ValueProblem | undefined {
  if (value === '') return err('--export needs ALL, NONE or a list of variables.');
  const parts = value.split(',');
  let previousHadValue = false;
  for (const p of parts) {
    if (/^(ALL|NONE)$/i.test(p)) { previousHadValue = false; continue; }
    const eq = p.indexOf('=');
    const name = eq >= 0 ? p.slice(0, eq) : p;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) { previousHadValue = eq >= 0; continue; }
    if (previousHadValue) continue; // part of the previous value, which may contain commas
    return warn(`--export: "${name}" is not a valid variable name; sbatch passes it on as written.`, 'unclear-value');
  }
  if (parts.length > 1 && parts.some((p) => /^NONE$/i.test(p))) {
    return warn('--export=NONE with other names: in Slurm 22.05 and later the named variables are exported and NONE only drops the rest; check that this is what you want.', 'unclear-value');
  }
  return undefined;
}
