/**
 * Finished jobs from accounting: `sacct -X -P` when the site runs slurmdbd, `sacct -c -P` (the job
 * completion log, e.g. jobcomp/filetxt) otherwise. Both print the same `-o` fields; the job name
 * comes last so that a `|` in it cannot shift the other fields.
 */
import { FIELD_SEPARATOR } from './squeue';
import { expandHostlist, isUnset, parseDurationSeconds } from './units';

const SACCT_FIELDS = ['JobID', 'User', 'State', 'ExitCode', 'Partition', 'Start', 'End', 'Elapsed', 'NodeList', 'JobName'];

export interface SacctOptions {
  /** Read the job completion log (`sacct -c`) instead of the accounting database. */
  completion: boolean;
  allUsers: boolean;
  /** Start of the window, in sacct's time syntax (default `now-24hours`). */
  since?: string;
  jobIds?: string[];
}

export function sacctArgv(options: SacctOptions): string[] {
  const argv = ['sacct'];
  if (options.completion) argv.push('-c');
  else argv.push('-X');
  argv.push('-n', '-P', `--delimiter=${FIELD_SEPARATOR}`, '-o', SACCT_FIELDS.join(','));
  if (options.jobIds && options.jobIds.length > 0) argv.push('-j', options.jobIds.join(','));
  else argv.push('-S', options.since ?? 'now-24hours', '-E', 'now');
  if (options.allUsers) argv.push('-a');
  return argv;
}

export interface AccountedJob {
  jobId: string;
  user: string;
  /** First word of sacct's state: `CANCELLED by 0` → CANCELLED. */
  state: string;
  exitCode: string;
  partition: string;
  start?: string;
  end?: string;
  elapsedSeconds: number | null;
  nodeList: string[];
  name: string;
}

export function parseSacct(text: string): AccountedJob[] {
  const out: AccountedJob[] = [];
  const n = SACCT_FIELDS.length;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    // -P with --delimiter, or older sites where the delimiter option is ignored: accept '|' too.
    let f = line.split(FIELD_SEPARATOR);
    if (f.length < n) f = line.split('|');
    if (f.length < n) continue;
    const jobId = f[0];
    if (jobId === '' || jobId.includes('.')) continue; // steps (batch, extern, 0...)
    const job: AccountedJob = {
      jobId,
      user: f[1].replace(/\(\d+\)$/, ''), // jobcomp prints `name(uid)`
      state: f[2].split(' ')[0] || 'UNKNOWN',
      exitCode: f[3],
      partition: f[4],
      elapsedSeconds: parseDurationSeconds(f[7]),
      nodeList: expandHostlist(f[8] === 'None assigned' ? '' : f[8]),
      name: f.slice(n - 1).join(f.length > n && line.includes(FIELD_SEPARATOR) ? FIELD_SEPARATOR : '|'),
    };
    if (!isUnset(f[5]) && f[5] !== 'Unknown') job.start = f[5];
    if (!isUnset(f[6]) && f[6] !== 'Unknown') job.end = f[6];
    out.push(job);
  }
  return out;
}
