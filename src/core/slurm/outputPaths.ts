/**
 * Slurm's file name patterns for `--output`/`--error` (sbatch(1), "filename pattern"), resolved
 * for one job when `scontrol show job` does not already print the expanded path:
 * `%%` `%A` (array master id) `%a` (array task id) `%b` (task id modulo 10) `%J` (jobid.stepid)
 * `%j` (job id) `%N` (first node's short name) `%n` (node id, 0 for the batch step) `%s` (step id)
 * `%t` (task id, 0) `%u` (user name) `%x` (job name); a number between `%` and the letter pads with
 * zeros (`%4j`). A name holding a backslash is taken literally after removing the backslashes,
 * as Slurm does. Relative paths are relative to the job's working directory.
 */
import * as posix from 'node:path/posix';

export interface OutputPatternJob {
  jobId: string;
  arrayJobId?: string;
  arrayTaskId?: string;
  name: string;
  userName: string;
  /** Nodes the job runs on (the batch step runs on the first). */
  nodeList?: readonly string[];
  workDir?: string;
}

/** The step the batch script runs as. */
const BATCH_STEP = 'batch';

export function expandOutputPattern(pattern: string, job: OutputPatternJob): string {
  if (pattern.includes('\\')) return pattern.replace(/\\/g, '');
  const isArray = job.arrayTaskId !== undefined && job.arrayJobId !== undefined;
  return pattern.replace(/%(\d*)([%AabJjNnstux])/g, (whole, width: string, letter: string) => {
    const pad = (value: string) => (width && /^\d+$/.test(value) ? value.padStart(Math.min(Number(width), 10), '0') : value);
    switch (letter) {
      case '%':
        return '%';
      case 'A':
        return pad(isArray ? job.arrayJobId! : job.jobId);
      case 'a':
        return pad(isArray ? job.arrayTaskId! : '4294967294');
      case 'b':
        return pad(isArray ? String(Number(job.arrayTaskId) % 10) : '0');
      case 'J':
        return `${pad(job.jobId)}.${BATCH_STEP}`;
      case 'j':
        return pad(job.jobId);
      case 'N':
        return (job.nodeList?.[0] ?? '').split('.')[0];
      case 'n':
      case 't':
        return pad('0');
      case 's':
        return BATCH_STEP;
      case 'u':
        return job.userName;
      case 'x':
        return job.name;
      default:
        return whole;
    }
  });
}

/** The default names when the script gives no `--output`. */
export function defaultOutputPattern(job: OutputPatternJob): string {
  return job.arrayTaskId !== undefined && job.arrayJobId !== undefined ? 'slurm-%A_%a.out' : 'slurm-%j.out';
}

/**
 * The absolute path of a job's output file from what scontrol printed (StdOut/StdErr, possibly
 * still holding patterns, possibly missing). StdErr defaults to StdOut, as in Slurm.
 */
export function resolveOutputPath(printed: string | undefined, job: OutputPatternJob, fallback?: string): string {
  const pattern = printed && printed !== '(null)' ? printed : fallback && fallback !== '(null)' ? fallback : defaultOutputPattern(job);
  const expanded = pattern.includes('%') || pattern.includes('\\') ? expandOutputPattern(pattern, job) : pattern;
  if (posix.isAbsolute(expanded) || !job.workDir) return expanded;
  return posix.join(job.workDir, expanded);
}

/** Both output files of a job (they may be the same file). */
export function jobOutputPaths(job: OutputPatternJob & { stdOut?: string; stdErr?: string }): { stdout: string; stderr: string } {
  const stdout = resolveOutputPath(job.stdOut, job);
  const stderr = resolveOutputPath(job.stdErr, job, job.stdOut);
  return { stdout, stderr };
}
