/**
 * What a finished job used, with seff's definitions, and what its script should ask for next
 * time. Pure: works on parsed `sacct -P` records with steps (sacct.ts) and script text.
 *
 * - CPU efficiency = TotalCPU / (Elapsed × AllocCPUS); TotalCPU summed over the steps (22.05
 *   reports 0 on `-X` job lines).
 * - Memory efficiency = peak memory / requested memory of the job. The peak of a step is its
 *   MaxRSS (the largest task) × its task count, exact for one task and an upper bound otherwise;
 *   the job's peak is the largest over its steps. The request is ReqMem: the job total on Slurm
 *   ≥ 21.08, per node × nodes or per CPU × CPUs on older releases (`n` / `c` suffixes).
 * - Time efficiency = Elapsed / Timelimit.
 */
import { parseSbatchScript, type SbatchDirective } from '../sbatch/parse';
import { effectiveOptions } from '../sbatch/summary';
import { range, type SbatchDiagnostic } from '../sbatch/types';
import { formatMemory, formatSlurmTime, parseMemory, parseSlurmTime } from '../sbatch/values';
import type { AccountedJobDetail } from './sacct';
import { formatDuration } from './units';

export interface Efficiency {
  jobId: string;
  state: string;
  cpu?: { usedSeconds: number; allocCpus: number; elapsedSeconds: number; percent: number };
  memory?: {
    /** The job's peak (see above), MiB. */
    peakMiB: number;
    /** The peak on one node: the largest step's MaxRSS × its tasks per node, MiB. */
    perNodePeakMiB: number;
    requestedMiB: number;
    percent: number;
  };
  time?: { elapsedSeconds: number; limitSeconds: number; percent: number };
}

const pct = (a: number, b: number): number => Math.round((a / b) * 1000) / 10;

export function jobEfficiency(job: AccountedJobDetail): Efficiency {
  const eff: Efficiency = { jobId: job.jobId, state: job.state };
  const elapsed = job.elapsedSeconds;
  const stepCpu = job.steps.map((s) => s.totalCpuSeconds).filter((v): v is number => v !== null);
  const used = stepCpu.length > 0 ? stepCpu.reduce((a, b) => a + b, 0) : job.totalCpuSeconds;
  if (used !== null && elapsed !== null && elapsed > 0 && job.allocCpus !== null && job.allocCpus > 0) {
    eff.cpu = { usedSeconds: Math.round(used * 1000) / 1000, allocCpus: job.allocCpus, elapsedSeconds: elapsed, percent: pct(used, elapsed * job.allocCpus) };
  }
  let peak = 0;
  let perNode = 0;
  for (const s of job.steps) {
    if (s.maxRssMiB === null) continue;
    const tasks = s.tasks ?? 1;
    const nodes = Math.max(1, s.nodeList.length);
    peak = Math.max(peak, s.maxRssMiB * tasks);
    perNode = Math.max(perNode, s.maxRssMiB * Math.ceil(tasks / nodes));
  }
  const requested = requestedMemoryMiB(job);
  if (peak > 0 && requested !== undefined) {
    eff.memory = { peakMiB: peak, perNodePeakMiB: perNode, requestedMiB: requested, percent: pct(peak, requested) };
  }
  if (elapsed !== null && job.timeLimitSeconds !== null && job.timeLimitSeconds > 0) {
    eff.time = { elapsedSeconds: elapsed, limitSeconds: job.timeLimitSeconds, percent: pct(elapsed, job.timeLimitSeconds) };
  }
  return eff;
}

/** The job's whole memory request in MiB (undefined when sacct did not say). */
export function requestedMemoryMiB(job: AccountedJobDetail): number | undefined {
  const r = job.reqMem;
  if (!r) return undefined;
  if (r.per === 'job') return r.mib;
  if (r.per === 'node') return r.mib * (job.allocNodes ?? 1);
  return job.allocCpus === null ? undefined : r.mib * job.allocCpus;
}

/** "CPU 46% of 2 · memory 31% of 1000M · time 7% of 5:00". */
export function formatEfficiency(eff: Efficiency): string {
  const parts: string[] = [];
  if (eff.cpu) parts.push(`CPU ${Math.round(eff.cpu.percent)}% of ${eff.cpu.allocCpus}`);
  if (eff.memory) parts.push(`memory ${Math.round(eff.memory.percent)}% of ${formatMemory(eff.memory.requestedMiB)}`);
  if (eff.time) parts.push(`time ${Math.round(eff.time.percent)}% of ${formatDuration(eff.time.limitSeconds)}`);
  return parts.join(' · ');
}

// ---------------------------------------------------------------------------------------------
// Right-sizing

export interface ResourceAdvice {
  jobId: string;
  resource: 'memory' | 'time' | 'cpus';
  /** `over-asked`: information, a smaller request; the others: a warning whose fix raises it. */
  reason: 'over-asked' | 'timeout' | 'out-of-memory';
  /** "job 123 peaked at 410M of the 16G asked". */
  summary: string;
  /** memory: what one node should get, MiB. */
  perNodeMiB?: number;
  /** memory: CPUs per node of that job (to express the advice as --mem-per-cpu). */
  cpusPerNode?: number;
  /** time: the new limit in minutes. */
  minutes?: number;
  /** cpus: the CPUs the whole job should get (at least 1). */
  cpus?: number;
}

export interface AdviceOptions {
  /** Jobs shorter than this are not judged for over-asking (default 60 s). */
  minSeconds?: number;
  /** Headroom over what was used (default 1.5 = 50 %). */
  margin?: number;
}

/** Rounds a memory size up to a value people write: 256M, 512M, 1G, then whole G, then 4G steps. */
export function roundMemoryUp(mib: number): number {
  if (mib <= 256) return 256;
  if (mib <= 512) return 512;
  if (mib <= 16 * 1024) return Math.ceil(mib / 1024) * 1024;
  return Math.ceil(mib / 4096) * 4096;
}

/** Rounds a time limit up: 5-minute steps below an hour, 15-minute steps below a day, then hours. */
export function roundMinutesUp(minutes: number): number {
  if (minutes <= 60) return Math.max(5, Math.ceil(minutes / 5) * 5);
  if (minutes <= 1440) return Math.ceil(minutes / 15) * 15;
  return Math.ceil(minutes / 60) * 60;
}

/**
 * What the job's script should ask for next time. Over-asking is judged only on COMPLETED jobs
 * that ran at least `minSeconds` (a short or failed run says little about the real need), and only
 * when the advice is clearly smaller (below 3/4 of the request). TIMEOUT and OUT_OF_MEMORY always
 * give a raising advice, and so does a job killed for memory without OUT_OF_MEMORY
 * (`killedForMemory`). CPUs: a job that kept fewer of its CPUs busy (TotalCPU / Elapsed) than
 * it had, `advisedCpus` of them.
 */
export function adviseResources(job: AccountedJobDetail, options: AdviceOptions = {}): ResourceAdvice[] {
  const margin = options.margin ?? 1.5;
  const minSeconds = options.minSeconds ?? 60;
  const eff = jobEfficiency(job);
  const out: ResourceAdvice[] = [];
  const nodes = Math.max(1, job.allocNodes ?? 1);
  const cpusPerNode = job.allocCpus !== null ? Math.max(1, Math.round(job.allocCpus / nodes)) : undefined;
  const requestedPerNode = eff.memory ? eff.memory.requestedMiB / nodes : (requestedMemoryMiB(job) ?? 0) / nodes;
  const elapsed = job.elapsedSeconds ?? 0;
  const limit = job.timeLimitSeconds;
  const base = { jobId: job.jobId, ...(cpusPerNode !== undefined ? { cpusPerNode } : {}) };

  if (job.state === 'TIMEOUT') {
    const minutes = roundMinutesUp(Math.max(((limit ?? elapsed) / 60) * 2, (elapsed / 60) * margin));
    const lim = limit !== null ? ` of ${formatDuration(limit)}` : '';
    out.push({ ...base, resource: 'time', reason: 'timeout', summary: `job ${job.jobId} hit its time limit${lim} (TIMEOUT after ${formatDuration(elapsed)})`, minutes });
  } else if (job.state === 'COMPLETED' && elapsed >= minSeconds && limit !== null && limit > 0) {
    const minutes = roundMinutesUp((elapsed / 60) * margin);
    if (minutes * 60 < limit * 0.75) {
      out.push({ ...base, resource: 'time', reason: 'over-asked', summary: `job ${job.jobId} used ${formatDuration(elapsed)} of ${formatDuration(limit)}`, minutes });
    }
  }

  const killed = job.state !== 'OUT_OF_MEMORY' && killedForMemory(job);
  if (job.state === 'OUT_OF_MEMORY' || killed) {
    const perNodeMiB = roundMemoryUp(Math.max(requestedPerNode * 2, (eff.memory?.perNodePeakMiB ?? 0) * margin, 256));
    const asked = requestedPerNode > 0 ? ` of ${formatMemory(Math.round(requestedPerNode))} per node` : '';
    const how = killed ? `was killed past its memory limit${asked} (${job.state} ${job.exitCode}, peak ${formatMemory(Math.ceil(eff.memory?.perNodePeakMiB ?? 0))})` : `ran out of memory${asked} (OUT_OF_MEMORY)`;
    out.push({ ...base, resource: 'memory', reason: 'out-of-memory', summary: `job ${job.jobId} ${how}`, perNodeMiB });
  } else if (job.state === 'COMPLETED' && elapsed >= minSeconds && eff.memory) {
    const perNodeMiB = roundMemoryUp(eff.memory.perNodePeakMiB * margin);
    if (perNodeMiB < requestedPerNode * 0.75) {
      const summary = `job ${job.jobId} peaked at ${formatMemory(Math.ceil(eff.memory.perNodePeakMiB))} of the ${formatMemory(Math.round(requestedPerNode))} asked${nodes > 1 ? ' per node' : ''}`;
      out.push({ ...base, resource: 'memory', reason: 'over-asked', summary, perNodeMiB });
    }
  }

  if (job.state === 'COMPLETED' && elapsed >= minSeconds && eff.cpu && eff.cpu.allocCpus >= 2) {
    const busy = eff.cpu.usedSeconds / eff.cpu.elapsedSeconds;
    const cpus = advisedCpus(busy);
    if (cpus < eff.cpu.allocCpus) {
      const summary = `job ${job.jobId} kept ${busy.toFixed(1)} of its ${eff.cpu.allocCpus} CPUs busy (CPU ${Math.round(eff.cpu.percent)}%)`;
      out.push({ ...base, resource: 'cpus', reason: 'over-asked', summary, cpus });
    }
  }
  return out;
}

/**
 * The CPUs to ask for a job that kept `busyCpus` (TotalCPU / Elapsed) busy: 10 % headroom, rounded
 * up, where a remainder under a fifth of a CPU (start-up, I/O waits) is not counted; at least 1.
 * One busy thread (0.9–1.0) → 1; 1.1 → 2; 3.9 → 5.
 */
export function advisedCpus(busyCpus: number): number {
  return Math.max(1, Math.ceil(busyCpus * 1.1 - 0.2));
}

/**
 * Whether a job that did not end OUT_OF_MEMORY was killed for its memory: Slurm 22.05 without
 * cgroups, with `JobAcctGatherParams=OverMemoryKill`, ends such a job FAILED (or CANCELLED)
 * with exit code 0:9 and the killed step CANCELLED, its MaxRSS past the request (measured on the
 * sandbox: `FAILED 0:9`, batch step `CANCELLED by 0`, MaxRSS 245584K of --mem=200M). A step killed
 * by signal 9 whose peak reached 95 % of the request per node counts.
 */
export function killedForMemory(job: AccountedJobDetail): boolean {
  if (job.state !== 'FAILED' && !job.state.startsWith('CANCELLED')) return false;
  const requested = requestedMemoryMiB(job);
  if (requested === undefined || requested <= 0) return false;
  const perNodeRequest = requested / Math.max(1, job.allocNodes ?? 1);
  return job.steps.some((s) => {
    if (s.maxRssMiB === null || !(/:9$/.test(s.exitCode) || s.state.startsWith('CANCELLED'))) return false;
    const tasks = s.tasks ?? 1;
    const perNode = s.maxRssMiB * Math.ceil(tasks / Math.max(1, s.nodeList.length));
    return perNode >= perNodeRequest * 0.95;
  });
}

/** Diagnostic codes (README.md, "From finished jobs"). */
export const RIGHT_SIZING_CODES = {
  memory: 'right-size-memory',
  time: 'right-size-time',
  cpus: 'right-size-cpus',
  timeout: 'job-timeout',
  outOfMemory: 'job-out-of-memory',
} as const;

/**
 * The effective request lines of a script (memory, time, CPUs, nodes, tasks), as one string: a
 * job's advice applies to a script only while this is what it was when the job was submitted.
 */
export function requestFingerprint(scriptText: string): string {
  const eff = effectiveOptions(parseSbatchScript(scriptText));
  return ['mem', 'mem-per-cpu', 'mem-per-gpu', 'time', 'cpus-per-task', 'ntasks', 'ntasks-per-node', 'nodes', 'partition']
    .map((k) => `${k}=${eff.get(k)?.value ?? ''}`)
    .join(';');
}

/**
 * The advice as diagnostics with quick fixes on the script: the fix replaces the value of the
 * request line (--mem, --mem-per-cpu or --time, as the script wrote it) or, when the script has
 * none, inserts one after its last directive. Nothing when the script has no directives.
 */
export function rightSizingDiagnostics(scriptText: string, advice: readonly ResourceAdvice[]): SbatchDiagnostic[] {
  const parsed = parseSbatchScript(scriptText);
  const first = parsed.directives[0];
  if (!first) return [];
  const eff = effectiveOptions(parsed);
  const lastLine = Math.max(...parsed.directives.map((d) => d.line));
  const out: SbatchDiagnostic[] = [];
  for (const a of advice) {
    let option: string;
    let value: string;
    let directive: SbatchDirective | undefined;
    if (a.resource === 'cpus') {
      // Lower --cpus-per-task when the script sets it (tasks × CPUs per task = the job's CPUs),
      // else --ntasks; nothing when the script sets neither (the CPUs came from elsewhere).
      if (a.cpus === undefined) continue;
      const cpt = eff.get('cpus-per-task');
      const nt = eff.get('ntasks');
      const cptNow = cpt?.value !== undefined ? Number(cpt.value) : undefined;
      const ntNow = nt?.value !== undefined ? Number(nt.value) : undefined;
      if (cpt && cptNow !== undefined && Number.isInteger(cptNow) && cptNow > 1) {
        const tasks = ntNow !== undefined && Number.isInteger(ntNow) && ntNow > 0 ? ntNow : 1;
        const per = Math.max(1, Math.ceil(a.cpus / tasks));
        if (per >= cptNow) continue;
        option = 'cpus-per-task';
        directive = cpt;
        value = String(per);
      } else if (!cpt && nt && ntNow !== undefined && Number.isInteger(ntNow) && ntNow > 1) {
        const tasks = Math.max(1, a.cpus);
        if (tasks >= ntNow) continue;
        option = 'ntasks';
        directive = nt;
        value = String(tasks);
      } else continue;
    } else if (a.resource === 'time') {
      if (a.minutes === undefined) continue;
      option = 'time';
      value = formatSlurmTime(a.minutes);
      directive = eff.get('time');
      // A raise that would not raise (the script already asks for more) is no advice.
      const current = directive?.value !== undefined ? parseSlurmTime(directive.value) : undefined;
      if (a.reason === 'timeout' && current !== undefined && current >= a.minutes) continue;
    } else {
      if (a.perNodeMiB === undefined) continue;
      const perCpu = eff.get('mem-per-cpu');
      const mem = eff.get('mem');
      if (perCpu && !mem && a.cpusPerNode !== undefined) {
        option = 'mem-per-cpu';
        directive = perCpu;
        value = formatMemory(roundMemoryUp(a.perNodeMiB / a.cpusPerNode));
        const current = perCpu.value !== undefined ? parseMemory(perCpu.value) : undefined;
        if (a.reason === 'over-asked' && current !== undefined && parseMemory(value) !== undefined && (parseMemory(value) as number) >= current) continue;
      } else {
        option = 'mem';
        directive = mem;
        value = formatMemory(a.perNodeMiB);
      }
    }
    const code = a.reason === 'timeout' ? RIGHT_SIZING_CODES.timeout : a.reason === 'out-of-memory' ? RIGHT_SIZING_CODES.outOfMemory : a.resource === 'time' ? RIGHT_SIZING_CODES.time : a.resource === 'cpus' ? RIGHT_SIZING_CODES.cpus : RIGHT_SIZING_CODES.memory;
    const severity = a.reason === 'over-asked' ? 'information' : 'warning';
    const message = `${a.summary}: --${option}=${value}`;
    if (directive?.valueRange) {
      out.push({
        range: { start: directive.nameRange.start, end: directive.valueRange.end },
        severity,
        code,
        message,
        fixes: [{ title: `Set --${option}=${value}`, edits: [{ range: directive.valueRange, newText: value }], preferred: true }],
      });
    } else if (!directive) {
      const at = { line: lastLine + 1, character: 0 };
      out.push({
        range: range(first.line, first.keywordRange.start.character, first.keywordRange.end.character),
        severity,
        code,
        message,
        fixes: [{ title: `Add #SBATCH --${option}=${value}`, edits: [{ range: { start: at, end: at }, newText: `#SBATCH --${option}=${value}\n` }], preferred: true }],
      });
    }
  }
  return out;
}

