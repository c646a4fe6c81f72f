/**
 * Accounting operations on a cluster, without the editor: history of finished jobs (sacct with
 * steps), one job's steps and efficiency, live use of running jobs (sstat), and resubmitting the
 * failed tasks of an array. Each takes the cluster's CommandRunner and costs one round trip
 * (resubmitting: two or three). Sites without slurmdbd, or where sacct is refused, get what the
 * job completion log (`sacct -c`) has and a note saying what needs slurmdbd; nothing throws for
 * that. No vscode import.
 */
import { CoalescedRun } from '../core/coalescedRun';
import { SETTING_DEFAULTS } from '../core/settings';
import type { CommandRunner } from '../core/transport';
import { batchArgv, parseBatchOutput, type BatchSection } from '../core/slurm/batch';
import { errorText } from '../core/slurm/clusterState';
import { jobEfficiency, type Efficiency } from '../core/slurm/efficiency';
import {
  groupArrays,
  parseSacct,
  parseSacctSteps,
  sacctArgv,
  type AccountedJob,
  type AccountedJobDetail,
} from '../core/slurm/sacct';
import { isReportedFinalState } from '../core/slurm/jobStates';
import { parseParsableJobId } from '../core/slurm/sbatchAnswers';
import { liveUseByJob, parseSstat, sstatArgv, type LiveStep } from '../core/slurm/sstat';
import { compressIndices } from '../core/slurm/units';
import { parseSbatchScript } from '../core/sbatch/parse';
import { effectiveOptions } from '../core/sbatch/summary';
import { parseArraySpec } from '../core/sbatch/values';

/** Where the answers came from: the database, the job completion log only, or nowhere. */
export type AccountingSourceKind = 'slurmdbd' | 'jobcomp' | 'none';

/** The default of `hpcWorkbench.history.days`. */
export const DEFAULT_HISTORY_DAYS = SETTING_DEFAULTS['history.days'];

const TIMEOUT_MS = 60_000;

/** The note shown where a feature needs slurmdbd. `why`: sacct's own error, when it gave one. */
export function needsSlurmdbd(feature: string, source: AccountingSourceKind, why?: string): string {
  const site =
    source === 'jobcomp'
      ? 'this cluster keeps only a job completion log (no slurmdbd)'
      : 'this cluster has no accounting that sacct can read';
  return `${feature} needs Slurm's accounting database (slurmdbd): ${site}${why ? ` — sacct said: ${why}` : ''}.`;
}

export interface HistoryOptions {
  /** The window, in days back from now (hpcWorkbench.history.days). */
  days?: number;
  allUsers?: boolean;
  timeoutMs?: number;
}

export interface History {
  source: AccountingSourceKind;
  /** Finished jobs and array tasks of the window, oldest first as sacct lists them. */
  jobs: AccountedJobDetail[];
  /** Set when something is missing: efficiency and steps need slurmdbd, or no accounting at all. */
  note?: string;
  fetchedAt: string;
}

/** A job completion log record in the shape of a database record (no steps, no efficiency). */
function fromCompletionLog(j: AccountedJob): AccountedJobDetail {
  return { ...j, jobIdRaw: j.jobId, timeLimitSeconds: null, totalCpuSeconds: null, allocCpus: null, allocNodes: null, steps: [] };
}

interface SourcedRecords {
  source: AccountingSourceKind;
  jobs: AccountedJobDetail[];
  /** sacct's error when the database was not readable. */
  why?: string;
}

/** One round trip: `sacct` with steps, or when it fails `sacct -c`. */
async function readAccounting(runner: CommandRunner, select: { jobIds?: string[]; since?: string; allUsers: boolean }, timeoutMs: number): Promise<SourcedRecords> {
  const res = await runner.exec(
    batchArgv([
      { name: 'sacct', argv: sacctArgv({ completion: false, steps: true, allUsers: select.allUsers, since: select.since, jobIds: select.jobIds }) },
      { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: select.allUsers, since: select.since, jobIds: select.jobIds }), onlyIfPreviousFailed: true },
    ]),
    { timeoutMs },
  );
  const sections = parseBatchOutput(res.stdout);
  const sacct = sections.get('sacct');
  if (sacct?.code === 0) return { source: 'slurmdbd', jobs: parseSacctSteps(sacct.stdout) };
  const why = sacct ? errorText(sacct, 'sacct failed') : res.stderr.trim().split('\n')[0] || 'no answer';
  const jobcomp: BatchSection | undefined = sections.get('jobcomp');
  if (jobcomp?.code === 0) return { source: 'jobcomp', jobs: parseSacct(jobcomp.stdout).map(fromCompletionLog), why };
  return { source: 'none', jobs: [], why };
}

/** Finished jobs of the last `days` days (default 7): with steps and efficiency when slurmdbd is there. */
export async function fetchHistory(runner: CommandRunner, options: HistoryOptions = {}): Promise<History> {
  const days = Math.max(1, Math.floor(options.days ?? DEFAULT_HISTORY_DAYS));
  const r = await readAccounting(runner, { since: `now-${days}days`, allUsers: options.allUsers ?? false }, options.timeoutMs ?? TIMEOUT_MS);
  const history: History = { source: r.source, jobs: r.jobs.filter((j) => isReportedFinalState(j.state)), fetchedAt: new Date().toISOString() };
  if (r.source === 'jobcomp') history.note = needsSlurmdbd('Efficiency, steps and array task states', 'jobcomp');
  else if (r.source === 'none') history.note = needsSlurmdbd('Job history', 'none', r.why);
  return history;
}

export interface JobAccounting {
  source: AccountingSourceKind;
  /** The job (or every task of an array job id), when accounting knows it. */
  jobs: AccountedJobDetail[];
  efficiency: Efficiency[];
  note?: string;
}

/** One job's record with its steps (an array job id gives all its tasks) and efficiency. */
export async function jobAccounting(runner: CommandRunner, jobId: string, options: { timeoutMs?: number } = {}): Promise<JobAccounting> {
  if (!/^\d+(_\d+)?$/.test(jobId)) throw new Error(`Not a job id: ${jobId}`);
  const r = await readAccounting(runner, { jobIds: [jobId], allUsers: true }, options.timeoutMs ?? TIMEOUT_MS);
  const jobs = r.jobs.filter((j) => j.jobId === jobId || j.arrayJobId === jobId || j.jobIdRaw === jobId);
  const out: JobAccounting = { source: r.source, jobs, efficiency: r.source === 'slurmdbd' ? jobs.map(jobEfficiency) : [] };
  if (r.source !== 'slurmdbd') out.note = needsSlurmdbd('Steps and efficiency', r.source, r.source === 'none' ? r.why : undefined);
  return out;
}

export interface LiveUse {
  /** Steps of each running job that sstat could read, by job id. */
  byJob: Map<string, LiveStep[]>;
  note?: string;
}

/**
 * sstat for running jobs (at most 100 per call). Jobs without running steps, and other users'
 * jobs ("Invalid user id", exit 0) are simply absent; an sstat that cannot work at all (no
 * jobacct_gather, no accounting) gives a note instead.
 */
export async function fetchLiveUse(runner: CommandRunner, jobIds: readonly string[], options: { timeoutMs?: number } = {}): Promise<LiveUse> {
  const ids = jobIds.filter((id) => /^\d+(_\d+)?$/.test(id)).slice(0, 100);
  if (ids.length === 0) return { byJob: new Map() };
  const res = await runner.exec(sstatArgv(ids), { timeoutMs: options.timeoutMs ?? TIMEOUT_MS });
  const steps = parseSstat(res.stdout);
  const out: LiveUse = { byJob: liveUseByJob(steps) };
  if (steps.length === 0 && res.stdout.trim() !== '') {
    out.note = 'Live use (sstat) needs job accounting on the nodes: this cluster gathers none (JobAcctGatherType=jobacct_gather/none).';
  } else if (steps.length === 0) {
    const err = res.stderr
      .split('\n')
      .map((l) => l.replace(/^sstat: error: /, '').trim())
      .filter((l) => l !== '' && !/^No steps running for job|Invalid user id/.test(l));
    if (res.code !== 0 || err.length > 0) out.note = `Live use (sstat) is not available on this cluster: ${err[0] ?? `sstat exited with ${res.code}`}.`;
  }
  return out;
}

export interface ResubmitOptions {
  /** The script that submitted the array, relative to `cwd` (or absolute). */
  script: string;
  /** Where to run sbatch; default the array's working directory from sacct. */
  cwd?: string;
  /** The %N throttle; default the one in the script's `#SBATCH --array`. */
  throttle?: number;
  timeoutMs?: number;
}

export interface ResubmitResult {
  source: AccountingSourceKind;
  /** The failed task indices, ascending (empty: nothing to resubmit). */
  failedIndices: number[];
  /** The `--array=` value given to sbatch (`2,5%4`); undefined when nothing was submitted. */
  arraySpec?: string;
  /** The sbatch argv that ran. */
  argv?: string[];
  /** The new array job's id. */
  jobId?: string;
  note?: string;
}

/**
 * Submits again, as one new array, the tasks of array job `arrayJobId` that ended without
 * completing (FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED, NODE_FAIL...): `sbatch --array=<indices
 * compressed>%N script`. Needs slurmdbd (the job completion log has no task indices): a note
 * otherwise, and nothing submitted.
 */
export async function resubmitFailedTasks(runner: CommandRunner, arrayJobId: string, options: ResubmitOptions): Promise<ResubmitResult> {
  if (!/^\d+$/.test(arrayJobId)) throw new Error(`Not an array job id: ${arrayJobId}`);
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const r = await readAccounting(runner, { jobIds: [arrayJobId], allUsers: false }, timeoutMs);
  if (r.source !== 'slurmdbd') {
    return { source: r.source, failedIndices: [], note: needsSlurmdbd('Resubmitting failed array tasks', r.source, r.source === 'none' ? r.why : undefined) };
  }
  const group = groupArrays(r.jobs).arrays.find((g) => g.arrayJobId === arrayJobId);
  if (!group) return { source: r.source, failedIndices: [], note: `Job ${arrayJobId} is not an array job that accounting knows.` };
  const pending = group.tasks.some((t) => !isReportedFinalState(t.state));
  if (group.failedIndices.length === 0) {
    return { source: r.source, failedIndices: [], note: pending ? `Array ${arrayJobId} has not finished yet; no task has failed so far.` : `No task of array ${arrayJobId} failed.` };
  }
  const cwd = options.cwd ?? group.tasks.find((t) => t.workDir)?.workDir;
  let throttle = options.throttle;
  if (throttle === undefined) {
    const text = await runner.exec(['cat', '--', options.script], { cwd, timeoutMs });
    if (text.code === 0) {
      const spec = effectiveOptions(parseSbatchScript(text.stdout)).get('array')?.value;
      const parsed = spec !== undefined ? parseArraySpec(spec) : undefined;
      if (parsed && 'count' in parsed && parsed.limit !== undefined) throttle = parsed.limit;
    }
  }
  const arraySpec = compressIndices(group.failedIndices) + (throttle !== undefined && throttle > 0 ? `%${throttle}` : '');
  const argv = ['sbatch', '--parsable', `--array=${arraySpec}`, '--', options.script];
  const res = await runner.exec(argv, { cwd, timeoutMs });
  const parsed = res.code === 0 ? parseParsableJobId(res.stdout) : undefined;
  if (!parsed) {
    const why = res.stderr.trim() || res.stdout.trim() || `exit code ${res.code}`;
    throw new Error(`sbatch refused to resubmit ${options.script}: ${why.replace(/^sbatch: error: /gm, '')}`);
  }
  return { source: r.source, failedIndices: group.failedIndices, arraySpec, argv, jobId: parsed.jobId };
}

/**
 * The history of one cluster, kept between events: fetched when asked (on start, when a job of
 * mine ends, on demand — never per refresh). Callers arriving while a fetch runs share one more
 * fetch after it, so a burst of job endings costs at most two sacct round trips.
 */
export class HistoryTracker {
  private current: History | undefined;
  private readonly fetching = new CoalescedRun(() => this.fetch());
  private readonly listeners = new Set<(history: History) => void>();
  /** sacct round trips made (for bench/accounting.ts). */
  fetches = 0;

  constructor(
    private readonly runner: () => Promise<CommandRunner>,
    private readonly options: { days: () => number; allUsers?: () => boolean; timeoutMs?: number },
  ) {}

  get history(): History | undefined {
    return this.current;
  }

  onDidChange(listener: (history: History) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Shows a history saved earlier (e.g. before a window reload) until the first fetch. */
  restore(saved: History): void {
    if (this.current || !saved || !Array.isArray(saved.jobs)) return;
    this.current = saved;
    for (const l of this.listeners) l(saved);
  }

  refresh(): Promise<History> {
    return this.fetching.run();
  }

  private async fetch(): Promise<History> {
    this.fetches++;
    const history = await fetchHistory(await this.runner(), { days: this.options.days(), allUsers: this.options.allUsers?.() ?? false, timeoutMs: this.options.timeoutMs });
    this.current = history;
    for (const l of this.listeners) l(history);
    return history;
  }
}
