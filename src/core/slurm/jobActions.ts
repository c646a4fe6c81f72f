/**
 * Cancel, hold, release and requeue, with the checks Slurm itself skips: `scancel <unknown id>`
 * exits 0 silently, so every action is followed (in the same round trip) by `scontrol show job`
 * and the state is verified; acting on another user's job gives a clear error.
 */
import type { CommandRunner } from '../transport';
import { batchArgv, parseBatchOutput, type BatchSection, type BatchStep } from './batch';
import { errorText } from './clusterState';
import { isActiveState, isFinalState, isHeldJob } from './jobStates';
import { parseScontrolJobs, type ScontrolJob } from './scontrol';
import { actionableJobId } from './squeue';

export type JobAction = 'cancel' | 'hold' | 'release' | 'requeue';

export function jobActionArgv(action: JobAction, jobId: string): string[] {
  const id = actionableJobId(jobId);
  switch (action) {
    case 'cancel':
      return ['scancel', id];
    case 'hold':
      return ['scontrol', 'hold', id];
    case 'release':
      return ['scontrol', 'release', id];
    case 'requeue':
      return ['scontrol', 'requeue', id];
  }
}

export interface JobActionResult {
  jobId: string;
  ok: boolean;
  /** State after the action (scontrol show job), when the job is known. */
  state?: string;
  reason?: string;
  /** What went wrong, in words for the user. */
  error?: string;
}

const PAST: Record<JobAction, string> = { cancel: 'cancelled', hold: 'held', release: 'released', requeue: 'requeued' };

/** Whether the state seen after the action shows it took effect. */
export function actionTookEffect(action: JobAction, jobs: ScontrolJob[]): boolean {
  if (jobs.length === 0) return false;
  switch (action) {
    case 'cancel':
      // Ending (COMPLETING) or over: nothing is left to stop.
      return jobs.every((j) => !isActiveState(j.state));
    case 'hold':
      return jobs.every((j) => isHeldJob(j) || j.state !== 'PENDING');
    case 'release':
      return jobs.every((j) => !isHeldJob(j));
    case 'requeue':
      // Back in the queue, or on its way there (a running job passes through COMPLETING).
      return jobs.every((j) => !isFinalState(j.state));
  }
}

/** Turns Slurm's terse errors into sentences. */
export function explainActionError(action: JobAction, jobId: string, code: number | null, stderr: string): string {
  if (code === 210 || /access\/permission denied|not the owner|permission denied/i.test(stderr)) {
    return `Job ${jobId} belongs to another user: you can only ${action} your own jobs.`;
  }
  if (/invalid job id|invalid job id specified/i.test(stderr)) return `Job ${jobId} is not known to the cluster (it may have ended).`;
  if (/already completing or completed|job is no longer pending|job has already finished/i.test(stderr)) {
    return `Job ${jobId} has already finished.`;
  }
  if (/only batch jobs can be requeued|requeue.*disabled|job is not requeueable/i.test(stderr)) {
    return `Job ${jobId} cannot be requeued: ${stderr.trim()}`;
  }
  const line = stderr.trim().split('\n')[0];
  return line ? `Could not ${action} job ${jobId}: ${line}` : `Could not ${action} job ${jobId} (exit status ${code ?? 'killed'}).`;
}

export interface JobActionOptions {
  timeoutMs?: number;
  /**
   * A queue listing to run in the same round trip, after the actions (the views' squeue): `read`
   * gets its section, so that views can show the new state without another round trip.
   */
  queue?: { argv: string[]; read: (section: BatchSection) => void };
}

/** Runs an action on several jobs in one round trip and verifies each. */
export async function runJobAction(
  runner: CommandRunner,
  action: JobAction,
  jobIds: readonly string[],
  options: JobActionOptions = {},
): Promise<JobActionResult[]> {
  const steps: BatchStep[] = [];
  jobIds.forEach((id, i) => {
    steps.push({ name: `act${i}`, argv: jobActionArgv(action, id) });
    steps.push({ name: `show${i}`, argv: ['scontrol', '-o', 'show', 'job', actionableJobId(id)] });
  });
  if (options.queue) steps.push({ name: 'queue', argv: options.queue.argv });
  const res = await runner.exec(batchArgv(steps), { timeoutMs: options.timeoutMs ?? 30_000 });
  const sections = parseBatchOutput(res.stdout);
  const queue = sections.get('queue');
  if (options.queue && queue?.code === 0) options.queue.read(queue);
  return jobIds.map((jobId, i): JobActionResult => {
    const act = sections.get(`act${i}`);
    const show = sections.get(`show${i}`);
    if (!act || act.code === null) return { jobId, ok: false, error: `Could not ${action} job ${jobId}: ${res.stderr.trim() || 'no answer'}` };
    if (act.code !== 0) return { jobId, ok: false, error: explainActionError(action, jobId, act.code, act.stderr) };
    const jobs = show && show.code === 0 ? parseScontrolJobs(show.stdout) : [];
    if (jobs.length === 0) {
      const why = show ? errorText(show, '') : '';
      return { jobId, ok: false, error: `Job ${jobId} is not known to the cluster${why && !/invalid job id/i.test(why) ? ` (${why})` : ''}; nothing was ${PAST[action]}.` };
    }
    const result: JobActionResult = { jobId, ok: actionTookEffect(action, jobs), state: jobs[0].state, reason: jobs[0].reason };
    if (!result.ok) result.error = `Job ${jobId} was not ${PAST[action]}: it is ${jobs[0].state}${jobs[0].reason ? ` (${jobs[0].reason})` : ''}.`;
    return result;
  });
}
