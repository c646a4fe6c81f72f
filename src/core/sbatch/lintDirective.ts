/**
 * Checks of one directive on its own: removed, deprecated, too new for the cluster's Slurm,
 * command-line only, abbreviated, a value where the version takes none, and the value itself.
 */
import type { ClusterSnapshot } from '../cluster/snapshot';
import { compareSlurmVersions, OLDEST_SUPPORTED_SLURM, optionArg, optionArgKinds } from './options';
import type { SbatchDirective } from './parse';
import type { SbatchDiagnostic } from './types';
import { validateOptionValue } from './validateValue';

/** Values newer than the options themselves (sbatch 22.05 rejects them: recorded). */
const VALUE_SINCE: Record<string, Record<string, string>> = {
  'gres-flags': { 'allow-task-sharing': '23.11', 'multiple-tasks-per-sharing': '24.05', 'one-task-per-sharing': '24.05' },
  exclusive: { topo: '24.11' },
};

/**
 * --gres-flags values the batch script's sbatch refuses although it knows them, with what it says
 * (recorded against sbatch 24.11 and 26.05 with --test-only; 22.05 does not know them at all).
 */
const ALLOW_TASK_SHARING_REFUSED = '24.11';
const ONE_TASK_PER_SHARING = '24.05';
const MULTIPLE_SHARING = 'MULTIPLE_SHARING_GRES_PJ';

function checkGresFlags(d: SbatchDirective, cluster: ClusterSnapshot | undefined, out: SbatchDiagnostic[]): void {
  const version = cluster?.slurmVersion;
  if (!version || d.value === undefined) return;
  const words = d.value.split(',').map((w) => w.toLowerCase());
  const at = d.valueRange ?? d.nameRange;
  if (words.includes('allow-task-sharing') && compareSlurmVersions(version, '23.11') >= 0) {
    // It shares GPUs between the tasks of a step: a job step's flag, which sbatch refuses.
    const recorded = compareSlurmVersions(version, ALLOW_TASK_SHARING_REFUSED) >= 0;
    out.push({
      range: at,
      severity: recorded ? 'error' : 'warning',
      code: 'invalid-value',
      message: recorded
        ? `sbatch ${version} refuses --gres-flags=allow-task-sharing in a batch script ("--gres-flags=allow-task-sharing is only used with srun"): it is a flag of job steps; give it to srun inside the script.`
        : `sbatch ${ALLOW_TASK_SHARING_REFUSED} and later refuse --gres-flags=allow-task-sharing in a batch script ("is only used with srun"); this cluster runs ${version}, whose sbatch may too. Give it to srun inside the script.`,
    });
  }
  if (words.includes('one-task-per-sharing') && compareSlurmVersions(version, ONE_TASK_PER_SHARING) >= 0) {
    // Only meaningful where the cluster lets several tasks share a GRES (one per task is the default otherwise).
    const params = cluster?.selectTypeParameters?.map((p) => p.toUpperCase());
    if (params?.includes(MULTIPLE_SHARING)) return;
    const known = params !== undefined;
    out.push({
      range: at,
      severity: known ? 'error' : 'warning',
      code: 'invalid-value',
      message: known
        ? `sbatch ${version} refuses --gres-flags=one-task-per-sharing here: the cluster's SelectTypeParameters (${cluster?.selectTypeParameters?.join(',') || 'none'}) has no ${MULTIPLE_SHARING} ("In order to use --gres-flags=one-task-per-sharing you must also have SelectTypeParameters=${MULTIPLE_SHARING} in your slurm.conf"). Without it one task per shared GRES is already the rule: remove the flag.`
        : `sbatch ${version} refuses --gres-flags=one-task-per-sharing unless the cluster's slurm.conf has SelectTypeParameters=${MULTIPLE_SHARING} (without it one task per shared GRES is already the rule).`,
    });
  }
}

export function checkDirective(d: SbatchDirective, cluster: ClusterSnapshot | undefined, out: SbatchDiagnostic[]): void {
  const opt = d.option;
  if (!opt) return;
  const version = cluster?.slurmVersion;
  const fullName = '--' + opt.long;
  // Without a snapshot the cluster may run any supported version: removed after the oldest one,
  // some cluster still accepts it (a warning); removed before, none does (an error).
  const removedForAll = !!opt.removed && compareSlurmVersions(opt.removed, OLDEST_SUPPORTED_SLURM) <= 0;
  if (opt.removed && (version ? compareSlurmVersions(version, opt.removed) >= 0 : true)) {
    const repl = opt.deprecated?.replacement;
    const soft = !version && !removedForAll;
    out.push({
      range: d.nameRange,
      severity: soft ? 'warning' : 'error',
      code: 'removed-option',
      message: `${d.name} was removed in Slurm ${opt.removed}${soft ? `: sbatch ${opt.removed} and later rejects it` : ''}${repl ? `; use --${repl}` : ''}${opt.deprecated?.note ? ` (${opt.deprecated.note})` : ''}.`,
      ...(repl ? { fixes: [{ title: `Change to --${repl}`, edits: [{ range: d.nameRange, newText: '--' + repl }], preferred: true }] } : {}),
    });
    if (!soft) return;
  }
  if (opt.deprecated) {
    const repl = opt.deprecated.replacement;
    out.push({
      range: d.nameRange,
      severity: 'warning',
      code: 'deprecated-option',
      message: `${d.name} is deprecated${opt.deprecated.since ? ` since Slurm ${opt.deprecated.since}` : ''}${repl ? `; use --${repl}` : ''}.`,
      ...(repl ? { fixes: [{ title: `Change to --${repl}`, edits: [{ range: d.nameRange, newText: '--' + repl }], preferred: true }] } : {}),
    });
  }
  if (opt.since && version && compareSlurmVersions(opt.since, version) > 0) {
    // Between the last recorded version without it and the first with it, nothing is known.
    const unsure = !!opt.sinceAfter && compareSlurmVersions(version.split('.').slice(0, 2).join('.'), opt.sinceAfter) > 0;
    out.push({
      range: d.nameRange,
      severity: unsure ? 'warning' : 'error',
      code: 'option-too-new',
      message: unsure
        ? `${fullName} is in sbatch ${opt.since} but not ${opt.sinceAfter}; this cluster runs ${version}, whose sbatch may reject it.`
        : `${fullName} needs Slurm ${opt.since} or later; this cluster runs ${version}, whose sbatch rejects it.`,
    });
  }
  if (opt.commandLineOnly) {
    out.push({
      range: d.nameRange,
      severity: 'warning',
      code: 'command-line-option',
      message: `${fullName} is meant for the sbatch command line; in a script it changes how every submission of it behaves${opt.long === 'help' || opt.long === 'usage' || opt.long === 'version' ? ' (sbatch prints text and submits nothing)' : ''}.`,
    });
  }
  if (d.abbreviated) {
    out.push({
      range: d.nameRange,
      severity: 'hint',
      code: 'abbreviated-option',
      message: `sbatch accepts "${d.name}" as an abbreviation of ${fullName}, but a new option may make it ambiguous; write it in full.`,
      fixes: [{ title: `Change to ${fullName}`, edits: [{ range: d.nameRange, newText: fullName }], preferred: true }],
    });
  }
  if (d.value !== undefined && version) {
    const newer = VALUE_SINCE[opt.long];
    for (const word of newer ? d.value.split(',') : []) {
      const since = newer?.[word.toLowerCase()];
      if (since && compareSlurmVersions(since, version) > 0) {
        out.push({
          range: d.valueRange ?? d.nameRange,
          severity: 'error',
          code: 'option-too-new',
          message: `${fullName}=${word} needs Slurm ${since} or later; this cluster runs ${version}, whose sbatch rejects it.`,
        });
      }
    }
  }
  if (opt.long === 'gres-flags') checkGresFlags(d, cluster, out);
  // Whether a value may be attached changed between versions (--requeue, --get-user-env): the
  // parser flags a value only where no version takes one.
  const arg = optionArg(opt, version);
  const kinds = optionArgKinds(opt);
  if (d.valueStyle === 'equals' && kinds.length > 1 && (version ? arg === 'none' : kinds.includes('none'))) {
    const change = (opt.argChanges ?? [])[0];
    const gained = opt.arg === 'none';
    const when = gained ? `only from Slurm ${change.since} on` : `only before Slurm ${change.since}`;
    const rejecting = gained ? `sbatch before ${change.since}` : `sbatch ${change.since} and later`;
    out.push({
      range: d.valueRange ?? d.nameRange,
      severity: version ? 'error' : 'warning',
      code: 'unexpected-value',
      message: version
        ? `--${opt.long} takes no value in Slurm ${version} (it takes one ${when}); sbatch rejects "${d.name}=${d.value}".`
        : `--${opt.long} takes a value ${when}; ${rejecting} rejects "${d.name}=${d.value}".`,
    });
  }
  if (d.value !== undefined && arg !== 'none') {
    const p = validateOptionValue(opt, d.value);
    if (p) {
      out.push({ range: d.valueRange ?? d.nameRange, severity: p.severity, code: p.code ?? 'invalid-value', message: p.message });
    }
  }
}
