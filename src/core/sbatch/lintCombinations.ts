/**
 * Checks of the options of one heterogeneous component together: repeated options, options
 * that exclude or need each other, and output folders that do not exist.
 */
import { compareSlurmVersions } from './options';
import type { ParsedScript, SbatchDirective } from './parse';
import { effectiveOptions } from './summary';
import type { SbatchDiagnostic } from './types';
import { formatSlurmTime, parseNodeCount, parsePositiveInt, parseSlurmTime } from './values';

/** Options that may be repeated without one overriding the other. */
const CUMULATIVE = new Set(['verbose', 'quiet']);

function sameValue(a: SbatchDirective, b: SbatchDirective): boolean {
  return (a.value ?? '') === (b.value ?? '');
}

export function checkDuplicates(parsed: ParsedScript, component: number, out: SbatchDiagnostic[]): void {
  const seen = new Map<string, SbatchDirective>();
  for (const d of parsed.directives) {
    if (d.component !== component || !d.option || CUMULATIVE.has(d.option.long)) continue;
    const prev = seen.get(d.option.long);
    if (prev) {
      const differs = !sameValue(prev, d);
      out.push({
        range: d.nameRange,
        severity: differs ? 'warning' : 'hint',
        code: differs ? 'duplicate-option' : 'redundant-option',
        message: differs
          ? `--${d.option.long} is already given on line ${prev.line + 1}${prev.value !== undefined ? ` (${prev.value})` : ''}; sbatch uses the last value${d.value !== undefined ? ` (${d.value})` : ''}.`
          : `--${d.option.long} is repeated (also on line ${prev.line + 1}).`,
      });
    }
    seen.set(d.option.long, d);
  }
}

function conflict(out: SbatchDiagnostic[], d: SbatchDirective, message: string, severity: 'error' | 'warning' = 'error', code = 'conflicting-options'): void {
  out.push({ range: d.nameRange, severity, code, message });
}

export function checkCombinations(parsed: ParsedScript, component: number, version: string | undefined, out: SbatchDiagnostic[]): void {
  const eff = effectiveOptions(parsed, component);
  const has = (n: string) => eff.has(n);
  const get = (n: string) => eff.get(n) as SbatchDirective;
  const mems = ['mem', 'mem-per-cpu', 'mem-per-gpu'].filter(has);
  if (mems.length > 1) {
    const later = mems.map(get).sort((a, b) => a.line - b.line)[1];
    conflict(out, later, `${mems.map((m) => '--' + m).join(' and ')} are mutually exclusive; sbatch stops with an error. Keep one.`);
  }
  if (has('core-spec') && has('thread-spec')) conflict(out, get('thread-spec'), '--core-spec and --thread-spec are mutually exclusive.');
  if (has('hint')) {
    for (const o of ['ntasks-per-core', 'threads-per-core', 'extra-node-info']) {
      if (has(o)) conflict(out, get('hint'), `--hint and --${o} are documented as mutually exclusive; sbatch 22.05 accepts both and one of them is not applied.`, 'warning');
    }
  }
  if (has('cpus-per-gpu') && has('cpus-per-task')) {
    conflict(out, get('cpus-per-gpu'), '--cpus-per-gpu and --cpus-per-task are mutually exclusive.');
  }
  if (has('distribution') && /^arbitrary/i.test(get('distribution').value ?? '') && !has('nodelist') && !has('nodefile')) {
    conflict(out, get('distribution'), 'With --distribution=arbitrary sbatch requires a node list (-w/--nodelist or --nodefile).');
  }
  if (has('ntasks-per-gpu') && !['gpus', 'gpus-per-node', 'gpus-per-socket', 'gpus-per-task', 'gres', 'nodes', 'ntasks'].some(has)) {
    conflict(out, get('ntasks-per-gpu'), '--ntasks-per-gpu needs a GPU request (--gpus...) or a node or task count; sbatch rejects it alone.');
  }
  // GRES per task need a task count: -n, --gpus, or a fixed node count (-N 2 gives 2 tasks; -N 1-2
  // does not). Recorded with --test-only on 22.05, 24.11 and 26.05.
  // (Not for an option the cluster's sbatch does not know at all: option-too-new says that.)
  const known = (d: SbatchDirective) => !version || !d.option?.since || compareSlurmVersions(d.option.since, version) <= 0;
  const tresGres = has('tres-per-task') && /(^|,)gres\//i.test(get('tres-per-task').value ?? '') && known(get('tres-per-task'));
  const perTaskGres = has('gpus-per-task') ? get('gpus-per-task') : tresGres ? get('tres-per-task') : undefined;
  const fixedNodes = has('nodes') && ((n) => !!n && (n.max === undefined || n.max === n.min))(parseNodeCount(get('nodes').value ?? ''));
  if (perTaskGres && !has('ntasks') && !has('gpus') && !fixedNodes) {
    const written = `${perTaskGres.name}${perTaskGres.value !== undefined ? `=${perTaskGres.value}` : ''}`;
    conflict(out, perTaskGres, `${written} needs a task count: -n/--ntasks, --gpus or a fixed -N/--nodes. Slurm rejects the job otherwise ("--gpus-per-task or --tres-per-task used without either --gpus or -n/--ntasks is not allowed").`);
  }
  if (has('exclusive') && has('oversubscribe')) {
    conflict(out, get('oversubscribe'), '--exclusive and --oversubscribe contradict each other; the job is exclusive.', 'warning');
  }
  if (has('requeue') && has('no-requeue')) {
    const [a, b] = [get('requeue'), get('no-requeue')].sort((x, y) => x.line - y.line);
    conflict(out, b, `--requeue and --no-requeue contradict each other; the last one (${b.name}) wins.`, 'warning');
    void a;
  }
  if (has('time') && has('time-min')) {
    const t = parseSlurmTime(get('time').value ?? '');
    const tm = parseSlurmTime(get('time-min').value ?? '');
    if (t !== undefined && tm !== undefined && tm > t) {
      conflict(out, get('time-min'), `--time-min (${formatSlurmTime(tm)}) is longer than --time (${formatSlurmTime(t)}); Slurm rejects the job ("Invalid time-min specification").`);
    }
  }
  if (has('nodes') && has('ntasks')) {
    const n = parseNodeCount(get('nodes').value ?? '');
    const t = parsePositiveInt(get('ntasks').value ?? '');
    if (n && t !== undefined && n.min > t) {
      conflict(out, get('nodes'), `${n.min} nodes for ${t} task${t === 1 ? '' : 's'}: Slurm cannot place fewer than one task per node and lowers the node count to ${t}.`, 'warning');
    }
  }
  if (has('mail-user') && !has('mail-type')) {
    out.push({ range: get('mail-user').nameRange, severity: 'information', code: 'mail-user-without-type', message: '--mail-user without --mail-type sends no mail; add e.g. --mail-type=END,FAIL.' });
  }
  if (has('dependency') && /singleton/i.test(get('dependency').value ?? '') && !has('job-name')) {
    out.push({ range: get('dependency').valueRange ?? get('dependency').nameRange, severity: 'information', code: 'singleton-without-name', message: 'singleton waits for earlier jobs with the same name and user; without --job-name the name is the script\'s file name.' });
  }
}

/** Recorded: slurmstepd 24.11 and 26.05 create a missing output directory; 22.05 fails the job. */
const CREATES_OUTPUT_DIRS = '24.11';

export function checkOutputDirs(parsed: ParsedScript, component: number, exists: (dir: string) => boolean | undefined, version: string | undefined, out: SbatchDiagnostic[]): void {
  if (version && compareSlurmVersions(version, CREATES_OUTPUT_DIRS) >= 0) return;
  const eff = effectiveOptions(parsed, component);
  if (eff.has('chdir')) return; // relative paths are then relative to a directory we cannot see
  for (const name of ['output', 'error', 'input']) {
    const d = eff.get(name);
    const v = d?.value;
    if (!d || !v || v.startsWith('/') || v.startsWith('~') || v.includes('\\')) continue;
    const slash = v.lastIndexOf('/');
    if (slash <= 0) continue;
    const dir = v.slice(0, slash);
    if (dir.includes('%') || dir.includes('$')) continue;
    if (exists(dir) === false) {
      out.push({
        range: d.valueRange ?? d.nameRange,
        severity: 'warning',
        code: 'output-dir-missing',
        message: `The directory "${dir}" may not exist (it is not next to this script). Slurm ${version ?? `before ${CREATES_OUTPUT_DIRS}`} does not create it: the job fails at start and its ${name} is lost. Create it first (mkdir -p ${dir}).`,
      });
    }
  }
}
