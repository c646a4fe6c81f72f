/**
 * Live use of running jobs from `sstat` (needs jobacct_gather on the nodes): per step, the
 * average CPU time of its tasks and the peak resident memory of its largest task.
 *
 * Recorded on 22.05: a job without running steps prints `sstat: error: No steps running for job
 * N` on stderr and the others still print; another user's job prints "Invalid user id" and sstat
 * exits 0 — both simply leave the job out of the result. Without jobacct_gather a running step
 * prints NTasks 0 and garbage: left out too.
 */
import { isUnset, parseCpuTimeSeconds, parseMemoryMiB } from './units';

export const SSTAT_FIELDS = ['JobID', 'NTasks', 'AveCPU', 'MaxRSS', 'AveRSS', 'MaxRSSNode'] as const;

/** `sstat -a -P` (every step) for the given jobs; sstat has no --delimiter, and no field here can hold a `|`. */
export function sstatArgv(jobIds: readonly string[]): string[] {
  if (jobIds.length === 0) throw new Error('sstat needs at least one job id');
  return ['sstat', '-a', '-n', '-P', '-o', SSTAT_FIELDS.join(','), '-j', jobIds.join(',')];
}

export interface LiveStep {
  /** The job part of the id (`12`, `5_3`). */
  jobId: string;
  /** `batch`, `extern`, `0`... */
  stepId: string;
  tasks: number | null;
  aveCpuSeconds: number | null;
  maxRssMiB: number | null;
  aveRssMiB: number | null;
  maxRssNode?: string;
}

export function parseSstat(text: string): LiveStep[] {
  const out: LiveStep[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const f = line.split('|');
    if (f.length < SSTAT_FIELDS.length) continue;
    const [id, ntasks, aveCpu, maxRss, aveRss, node] = f;
    const dot = id.indexOf('.');
    // NTasks 0 and a wrapped AveCPU (`213503982334-14:25:51`): no sample, the nodes gather no job
    // accounting (jobacct_gather/none; recorded in sstat-no-jobacct-sandbox.txt).
    if (dot <= 0 || ntasks === '0') continue;
    const step: LiveStep = {
      jobId: id.slice(0, dot),
      stepId: id.slice(dot + 1),
      tasks: /^\d+$/.test(ntasks) ? Number(ntasks) : null,
      aveCpuSeconds: parseCpuTimeSeconds(aveCpu),
      maxRssMiB: isUnset(maxRss) ? null : parseMemoryMiB(maxRss),
      aveRssMiB: isUnset(aveRss) ? null : parseMemoryMiB(aveRss),
    };
    if (!isUnset(node)) step.maxRssNode = node;
    out.push(step);
  }
  return out;
}

/** Steps by job id. */
export function liveUseByJob(steps: readonly LiveStep[]): Map<string, LiveStep[]> {
  const map = new Map<string, LiveStep[]>();
  for (const s of steps) {
    const list = map.get(s.jobId);
    if (list) list.push(s);
    else map.set(s.jobId, [s]);
  }
  return map;
}
