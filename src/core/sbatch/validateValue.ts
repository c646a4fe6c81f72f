/**
 * The value check of every option kind, used by the linter and by completion/hover: what sbatch
 * rejects (an error), what it silently drops or reads otherwise (a warning). The grammars
 * themselves are in values.ts and src/core/slurm/grammar.
 */
import {
  GRES_FLAGS, HINT_VALUES, MAIL_TYPES, PROFILE_VALUES, RLIMIT_NAMES, type SbatchOption,
} from './options';
import {
  checkBeginTime, checkDependency, checkDistribution, checkTres, expandHostlist, parseArraySpec, parseConstraint, parseGpuCount,
  parseGres, parseMemory, parseNodeCount, parsePositiveInt, parseSignalSpec, parseSlurmTime, unknownFilenamePatterns,
} from './values';

export interface ValueProblem {
  message: string;
  severity: 'error' | 'warning' | 'information';
  /** Defaults to "invalid-value". */
  code?: string;
}

const err = (message: string): ValueProblem => ({ message, severity: 'error' });
const warn = (message: string, code?: string): ValueProblem => ({ message, severity: 'warning', ...(code ? { code } : {}) });



const lowerIn = (list: readonly string[], v: string) => list.some((x) => x.toLowerCase() === v.toLowerCase());

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
