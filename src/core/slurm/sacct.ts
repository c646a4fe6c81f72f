/**
 * Finished jobs from accounting: `sacct -X -P` when the site runs slurmdbd, `sacct -c -P` (the job
 * completion log, e.g. jobcomp/filetxt) otherwise. Both print the same `-o` fields; the job name
 * comes last so that a `|` in it cannot shift the other fields.
 *
 * With `steps`, the listing keeps every step (`sacct -P` without -X) and reads the fields that
 * efficiency needs: Slurm 22.05 reports TotalCPU 0 and no MaxRSS on `-X` job lines, so the steps
 * are the only source (recorded in test/fixtures/slurm/sacct-steps-sandbox.txt). `sacct --json`
 * is not used: 22.05's reports failed array tasks as SUCCESS.
 */
import { FIELD_SEPARATOR } from './squeue';
import { expandHostlist, isUnset, parseCpuTimeSeconds, parseDurationSeconds, parseMemoryMiB } from './units';

const SACCT_FIELDS = ['JobID', 'User', 'State', 'ExitCode', 'Partition', 'Start', 'End', 'Elapsed', 'NodeList', 'JobName'];

/** The fields of the listing with steps (`steps: true`); the name last, as above. */
export const SACCT_STEP_FIELDS = [
  'JobID', 'JobIDRaw', 'User', 'State', 'ExitCode', 'Partition', 'Submit', 'Start', 'End', 'Elapsed', 'Timelimit',
  'TotalCPU', 'MaxRSS', 'NTasks', 'ReqMem', 'AllocCPUS', 'AllocNodes', 'NodeList', 'WorkDir', 'JobName',
] as const;

export interface SacctOptions {
  /** Read the job completion log (`sacct -c`) instead of the accounting database. */
  completion: boolean;
  allUsers: boolean;
  /** Start of the window, in sacct's time syntax (default `now-24hours`). */
  since?: string;
  /** End of the window (default `now`; sacct needs one for state filters to work). */
  until?: string;
  jobIds?: string[];
  /**
   * Every step with the efficiency fields (SACCT_STEP_FIELDS; parse with parseSacctSteps). Only
   * from the database: the job completion log has neither steps nor these fields.
   */
  steps?: boolean;
}

export function sacctArgv(options: SacctOptions): string[] {
  const argv = ['sacct'];
  const steps = options.steps === true && !options.completion;
  if (options.completion) argv.push('-c');
  else if (!steps) argv.push('-X');
  argv.push('-n', '-P', `--delimiter=${FIELD_SEPARATOR}`, '-o', (steps ? SACCT_STEP_FIELDS : SACCT_FIELDS).join(','));
  if (options.jobIds && options.jobIds.length > 0) argv.push('-j', options.jobIds.join(','));
  else argv.push('-S', options.since ?? 'now-24hours', '-E', options.until ?? 'now');
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

/**
 * The rows of a `-P` listing with `fieldCount` fields, split on FIELD_SEPARATOR (or `|` for
 * sites where --delimiter is ignored); whatever lies beyond the last field belongs to it (the name).
 */
function sacctRows(text: string, fieldCount: number): string[][] {
  const rows: string[][] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    let sep = FIELD_SEPARATOR;
    let f = line.split(sep);
    if (f.length < fieldCount) {
      sep = '|';
      f = line.split(sep);
    }
    if (f.length < fieldCount || f[0] === '') continue;
    if (f.length > fieldCount) f = [...f.slice(0, fieldCount - 1), f.slice(fieldCount - 1).join(sep)];
    rows.push(f);
  }
  return rows;
}

const known = (v: string): string | undefined => (isUnset(v) || v === 'Unknown' ? undefined : v);

export function parseSacct(text: string): AccountedJob[] {
  const out: AccountedJob[] = [];
  for (const f of sacctRows(text, SACCT_FIELDS.length)) {
    const jobId = f[0];
    if (jobId.includes('.')) continue; // steps (batch, extern, 0...)
    const job: AccountedJob = {
      jobId,
      user: f[1].replace(/\(\d+\)$/, ''), // jobcomp prints `name(uid)`
      state: f[2].split(' ')[0] || 'UNKNOWN',
      exitCode: f[3],
      partition: f[4],
      elapsedSeconds: parseDurationSeconds(f[7]),
      nodeList: expandHostlist(f[8] === 'None assigned' ? '' : f[8]),
      name: f[9],
    };
    const start = known(f[5]);
    const end = known(f[6]);
    if (start) job.start = start;
    if (end) job.end = end;
    out.push(job);
  }
  return out;
}

/** Requested memory as sacct's ReqMem says it. */
export interface MemoryRequest {
  mib: number;
  /**
   * `job`: the job's total (Slurm ≥ 21.08 prints a plain size: --mem × nodes, or --mem-per-cpu ×
   * CPUs; recorded on 22.05); `node` / `cpu`: older releases' `...n` / `...c` suffixes.
   */
  per: 'job' | 'node' | 'cpu';
}

/** Parses ReqMem: `1000M` (job total), `4Gn` (per node), `300Mc` (per CPU); 0 or empty → undefined. */
export function parseReqMem(text: string | undefined): MemoryRequest | undefined {
  if (text === undefined || isUnset(text)) return undefined;
  const m = /^(.*?)([nc])?$/.exec(text.trim());
  const mib = parseMemoryMiB(m?.[1]);
  if (!m || mib === null || mib <= 0) return undefined;
  return { mib, per: m[2] === 'n' ? 'node' : m[2] === 'c' ? 'cpu' : 'job' };
}

export interface AccountedStep {
  /** The step part of the id: `batch`, `extern`, `0`, `1`... */
  stepId: string;
  name: string;
  state: string;
  exitCode: string;
  elapsedSeconds: number | null;
  totalCpuSeconds: number | null;
  /** Peak resident memory of the step's largest task, MiB (null when not sampled). */
  maxRssMiB: number | null;
  tasks: number | null;
  allocCpus: number | null;
  nodeList: string[];
  start?: string;
  end?: string;
}

export interface AccountedJobDetail extends AccountedJob {
  /** The id Slurm stores (an array task's own id: `5_1` has JobIDRaw 8). */
  jobIdRaw: string;
  /** For array tasks (`5_1`) and pending array records (`5_[2-4]`). */
  arrayJobId?: string;
  /** The task index; undefined for a pending `5_[2-4]` record. */
  arrayTaskId?: number;
  submit?: string;
  timeLimitSeconds: number | null;
  /** TotalCPU of the job line (22.05: the sum over steps, 0 with -X). */
  totalCpuSeconds: number | null;
  reqMem?: MemoryRequest;
  allocCpus: number | null;
  allocNodes: number | null;
  workDir?: string;
  steps: AccountedStep[];
}

const intOrNull = (v: string): number | null => (/^\d+$/.test(v) ? Number(v) : null);

/**
 * Parses a listing with steps (`sacctArgv({ steps: true })`): one record per job or array task,
 * its steps attached (sacct prints them after their job; a step whose job line is missing, e.g.
 * cut by the time window, is dropped).
 */
export function parseSacctSteps(text: string): AccountedJobDetail[] {
  const jobs: AccountedJobDetail[] = [];
  const byId = new Map<string, AccountedJobDetail>();
  for (const f of sacctRows(text, SACCT_STEP_FIELDS.length)) {
    const [jobId, jobIdRaw, user, state, exitCode, partition, submit, start, end, elapsed, timelimit, totalCpu, maxRss, ntasks, reqMem, allocCpus, allocNodes, nodeList, workDir, name] = f;
    const nodes = expandHostlist(nodeList === 'None assigned' ? '' : nodeList);
    const dot = jobId.indexOf('.');
    if (dot >= 0) {
      const job = byId.get(jobId.slice(0, dot));
      if (!job) continue;
      const step: AccountedStep = {
        stepId: jobId.slice(dot + 1),
        name,
        state: state.split(' ')[0] || 'UNKNOWN',
        exitCode,
        elapsedSeconds: parseDurationSeconds(elapsed),
        totalCpuSeconds: parseCpuTimeSeconds(totalCpu),
        maxRssMiB: isUnset(maxRss) ? null : parseMemoryMiB(maxRss),
        tasks: intOrNull(ntasks),
        allocCpus: intOrNull(allocCpus),
        nodeList: nodes,
      };
      if (known(start)) step.start = start;
      if (known(end)) step.end = end;
      job.steps.push(step);
      continue;
    }
    const job: AccountedJobDetail = {
      jobId,
      jobIdRaw,
      user: user.replace(/\(\d+\)$/, ''),
      state: state.split(' ')[0] || 'UNKNOWN',
      exitCode,
      partition,
      elapsedSeconds: parseDurationSeconds(elapsed),
      nodeList: nodes,
      name,
      timeLimitSeconds: parseDurationSeconds(timelimit),
      totalCpuSeconds: parseCpuTimeSeconds(totalCpu),
      allocCpus: intOrNull(allocCpus),
      allocNodes: intOrNull(allocNodes),
      steps: [],
    };
    const array = /^(\d+)_(?:(\d+)|\[.*\])$/.exec(jobId);
    if (array) {
      job.arrayJobId = array[1];
      if (array[2] !== undefined) job.arrayTaskId = Number(array[2]);
    }
    const mem = parseReqMem(reqMem);
    if (mem) job.reqMem = mem;
    if (known(submit)) job.submit = submit;
    if (known(start)) job.start = start;
    if (known(end)) job.end = end;
    if (!isUnset(workDir)) job.workDir = workDir;
    jobs.push(job);
    byId.set(jobId, job);
  }
  return jobs;
}

/** States in which a job has ended for good. */
export const FINAL_STATES = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE|SPECIAL_EXIT|REVOKED)$/;

/** States of an array task worth resubmitting (it did not complete). */
export const FAILED_STATES = /^(FAILED|CANCELLED|TIMEOUT|OUT_OF_MEMORY|NODE_FAIL|PREEMPTED|BOOT_FAIL|DEADLINE)$/;

export interface ArrayGroup {
  arrayJobId: string;
  name: string;
  /** The tasks sacct listed (started ones; a pending remainder is one `N_[a-b]` record). */
  tasks: AccountedJobDetail[];
  /** Task count by state, e.g. { COMPLETED: 4, FAILED: 2 }. */
  byState: Record<string, number>;
  /** Indices of tasks that ended without completing (FAILED_STATES), ascending. */
  failedIndices: number[];
}

/** Groups array tasks by array job; plain jobs are returned apart, in their order. */
export function groupArrays(jobs: readonly AccountedJobDetail[]): { plain: AccountedJobDetail[]; arrays: ArrayGroup[] } {
  const plain: AccountedJobDetail[] = [];
  const arrays = new Map<string, ArrayGroup>();
  for (const j of jobs) {
    if (j.arrayJobId === undefined) {
      plain.push(j);
      continue;
    }
    let g = arrays.get(j.arrayJobId);
    if (!g) {
      g = { arrayJobId: j.arrayJobId, name: j.name, tasks: [], byState: {}, failedIndices: [] };
      arrays.set(j.arrayJobId, g);
    }
    g.tasks.push(j);
    g.byState[j.state] = (g.byState[j.state] ?? 0) + 1;
    if (j.arrayTaskId !== undefined && FAILED_STATES.test(j.state)) g.failedIndices.push(j.arrayTaskId);
  }
  for (const g of arrays.values()) g.failedIndices.sort((a, b) => a - b);
  return { plain, arrays: [...arrays.values()] };
}
