/**
 * The job an output follower watches, as Slurm knows it: `readJob` (one `scontrol show job`),
 * the job's stdout/stderr paths with Slurm's patterns resolved, the refresh's squeue line in the
 * same shape, and `JobStateSource`, where a live follower learns the job's state (the cluster's
 * regular refresh, no request per job).
 */
import type { CommandRunner } from '../core/transport';
import { parseScontrolJobs, type ScontrolJob } from '../core/slurm/scontrol';
import type { SqueueJob } from '../core/slurm/squeue';
import { expandHostlist } from '../core/slurm/units';
import { jobOutputPaths } from '../core/slurm/outputPaths';

/** The job as scontrol knows it; undefined once Slurm has forgotten it (MinJobAge). */
export async function readJob(runner: CommandRunner, jobId: string): Promise<ScontrolJob | undefined> {
  const result = await runner.exec(['scontrol', 'show', 'job', '-o', jobId], { timeoutMs: 30_000 });
  if (result.code !== 0) {
    if (/Invalid job id/i.test(result.stderr)) return undefined;
    throw new Error(`scontrol show job ${jobId} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
  return parseScontrolJobs(result.stdout).find((job) => job.jobId === jobId) ?? parseScontrolJobs(result.stdout)[0];
}

/** StdOut/StdErr of a job, with Slurm's patterns resolved when scontrol printed them unexpanded. */
export function outputPathsOf(job: ScontrolJob): { stdout: string; stderr: string } {
  return jobOutputPaths({
    jobId: job.jobId,
    arrayJobId: job.arrayJobId,
    arrayTaskId: job.arrayTaskId,
    name: job.name,
    userName: job.userName,
    nodeList: job.record.BatchHost ? [job.record.BatchHost] : job.nodeList,
    workDir: job.workDir,
    stdOut: job.stdOut,
    stdErr: job.stdErr,
  });
}

/** Where a live follower learns the job's state: the cluster's regular refresh. */
export interface JobStateSource {
  /** The job as the last refresh listed it, `absent` when not listed, undefined before the first refresh. */
  lookup(jobId: string): SqueueJob | 'absent' | undefined;
  /** After each successful refresh. */
  onRefresh(listener: () => void): () => void;
  /** True while following must not reach the cluster (the user disconnected it). */
  paused(): boolean;
}

/** A job as the refresh's squeue line shows it, in the shape followers report (the notebook card reads it). */
export function jobFromSqueue(job: SqueueJob): ScontrolJob {
  return {
    jobId: job.jobId,
    arrayJobId: job.arrayJobId,
    arrayTaskId: job.arrayTaskId,
    name: job.name,
    userName: job.user,
    state: job.state,
    reason: job.reason,
    partition: job.partition,
    nodeList: expandHostlist(job.nodeListText),
    runSeconds: job.elapsedSeconds,
    timeLimitSeconds: job.timeLimitSeconds,
    workDir: job.workDir,
    record: {},
  };
}
