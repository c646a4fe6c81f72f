/**
 * `squeue -h -o FORMAT`: one job (or one pending array aggregate) per line, fields separated by
 * the ASCII unit separator (0x1f), which no job name, path or reason contains in practice and
 * which `squeue -o` prints verbatim on every Slurm from 20.11 on. The job name comes last so that
 * anything unexpected in it cannot shift the other fields.
 */
import { forEachRow } from './fields';
import { isUnset, parseDurationSeconds } from './units';

export const FIELD_SEPARATOR = '\x1f';

/** The squeue fields we read, in order (format letters of `squeue -o`). */
const SQUEUE_FIELDS = [
  ['jobId', '%i'], // 123, 123_4, 123_[1-10%2], 124+0
  ['jobIdNumeric', '%A'],
  ['arrayJobId', '%F'],
  ['arrayTaskId', '%K'],
  ['user', '%u'],
  ['state', '%T'],
  ['reason', '%r'],
  ['elapsed', '%M'],
  ['timeLimit', '%l'],
  ['nodes', '%D'],
  ['cpus', '%C'],
  ['nodeList', '%N'],
  ['partition', '%P'],
  ['submitTime', '%V'],
  ['startTime', '%S'],
  ['account', '%a'],
  ['qos', '%q'],
  ['workDir', '%Z'],
  ['name', '%j'],
] as const;

export const SQUEUE_FORMAT = SQUEUE_FIELDS.map(([, letter]) => letter).join(FIELD_SEPARATOR);

export interface SqueueJob {
  /** As squeue prints it: `123`, `123_4` (array task), `123_[1-10%2]` (pending tasks), `124+0` (het). */
  jobId: string;
  /** The job's own numeric id. */
  jobIdNumeric: string;
  /** For array tasks and aggregates: the array's job id. */
  arrayJobId?: string;
  /** `4` or `[1-10%2]` for array members. */
  arrayTaskId?: string;
  /** For het job components: the leader's id and the component offset. */
  hetJobId?: string;
  hetJobOffset?: string;
  name: string;
  user: string;
  /** Long state: PENDING, RUNNING, COMPLETING, SUSPENDED, ... */
  state: string;
  /** Pending reason (`Priority`, `Resources`, `JobHeldUser`...), or `None`. */
  reason: string;
  elapsedSeconds: number;
  timeLimitSeconds: number | null;
  nodes: number;
  cpus: number;
  /** Node list as printed (compressed, e.g. `n[1-3]`); expand with `expandHostlist` when needed. */
  nodeListText: string;
  partition: string;
  submitTime?: string;
  startTime?: string;
  account?: string;
  qos?: string;
  workDir?: string;
}

/**
 * Arguments for squeue (without the command name's environment). `--local`: this cluster's jobs
 * only, which spares slurmctld the REQUEST_FED_INFO squeue otherwise sends first.
 */
export function squeueArgv(options: { allUsers: boolean; jobIds?: string[] }): string[] {
  const argv = ['squeue', '--local', '-h', '-o', SQUEUE_FORMAT];
  if (options.jobIds && options.jobIds.length > 0) argv.push('-j', options.jobIds.join(','));
  else if (!options.allUsers) argv.push('--me');
  return argv;
}

function opt(value: string | undefined): string | undefined {
  return isUnset(value) || value === undefined ? undefined : value;
}

export function parseSqueue(text: string): SqueueJob[] {
  const jobs: SqueueJob[] = [];
  const n = SQUEUE_FIELDS.length;
  forEachRow(text, n, FIELD_SEPARATOR, (f) => {
    const name = f[n - 1]; // the last field: anything beyond it belongs to the name
    const jobId = f[0];
    const arrayTaskId = opt(f[3]);
    // '+' only appears in het job ids (`124+0`).
    const plus = jobId.indexOf('+');
    // One object shape for every job (all properties present) keeps V8 fast on 100,000 jobs.
    const job: SqueueJob = {
      jobId,
      jobIdNumeric: f[1],
      arrayJobId: arrayTaskId === undefined ? undefined : opt(f[2]),
      arrayTaskId,
      hetJobId: plus > 0 ? jobId.slice(0, plus) : undefined,
      hetJobOffset: plus > 0 ? jobId.slice(plus + 1) : undefined,
      name,
      user: f[4],
      state: f[5],
      reason: f[6],
      elapsedSeconds: parseDurationSeconds(f[7]) ?? 0,
      timeLimitSeconds: parseDurationSeconds(f[8]),
      nodes: Number(f[9]) || 0,
      cpus: Number(f[10]) || 0,
      nodeListText: isUnset(f[11]) ? '' : f[11],
      partition: f[12],
      submitTime: opt(f[13]),
      startTime: opt(f[14]),
      account: opt(f[15]),
      qos: opt(f[16]),
      workDir: opt(f[17]),
    };
    jobs.push(job);
  });
  return jobs;
}

/**
 * The id to pass to scancel/scontrol for a job as squeue printed it: the throttle of a pending
 * array aggregate is dropped (`123_[1-10%2]` → `123_[1-10]`).
 */
export function actionableJobId(jobId: string): string {
  return jobId.replace(/%\d+\]$/, ']');
}
