/**
 * `scontrol -o show partition|node|job`: one record per line of `Key=Value` pairs separated by
 * spaces. Values may themselves hold spaces (Reason=, Comment=, JobName=, Command=, OS=) and `=`
 * (TRES=cpu=1,mem=2000M): a new pair starts only at a space followed by a capitalised key and
 * `=`, so `Reason=Not responding [slurm@2024-01-01T10:00:00]` stays whole.
 */
import {
  expandHostlist,
  expandIdList,
  isUnset,
  parseDurationMinutes,
  parseDurationSeconds,
  parseGres,
  parseMemoryMiB,
  parseNodeState,
  parseTres,
  tresGpus,
  type GresEntry,
  type NodeState,
} from './units';

export type ScontrolRecord = Record<string, string>;

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isKeyChar(c: number): boolean {
  // A-Z a-z 0-9 _ : / .
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 47 || c === 46;
}

/** Where a `Key=` starting at `i` ends (the index of `=`), or -1. */
function keyEnd(line: string, i: number): number {
  if (!isUpper(line.charCodeAt(i))) return -1;
  let j = i + 1;
  while (j < line.length && isKeyChar(line.charCodeAt(j))) j++;
  return j < line.length && line.charCodeAt(j) === 61 ? j : -1;
}

/**
 * Parses one `scontrol -o` line into its key/value pairs (first occurrence of a key wins). With
 * `keys`, only those keys are kept (much less garbage on 10,000-node clusters).
 */
export function parseScontrolLine(line: string, keys?: ReadonlySet<string>): ScontrolRecord {
  const record: ScontrolRecord = {};
  let key: string | undefined;
  let valueAt = 0;
  const n = line.length;
  let i = 0;
  while (i < n && line.charCodeAt(i) === 32) i++;
  const first = keyEnd(line, i);
  if (first < 0) return record;
  key = line.slice(i, first);
  valueAt = first + 1;
  i = valueAt;
  for (;;) {
    const sp = line.indexOf(' ', i);
    if (sp < 0) break;
    let k = sp + 1;
    while (k < n && line.charCodeAt(k) === 32) k++;
    const eq = keyEnd(line, k);
    if (eq < 0) {
      i = k > sp + 1 ? k : sp + 1;
      continue;
    }
    if ((!keys || keys.has(key)) && record[key] === undefined) record[key] = line.slice(valueAt, sp).trim();
    key = line.slice(k, eq);
    valueAt = eq + 1;
    i = valueAt;
  }
  if ((!keys || keys.has(key)) && record[key] === undefined) record[key] = line.slice(valueAt).trim();
  return record;
}

/** Parses every record of `scontrol -o show ...` output; lines without pairs are skipped. */
export function parseScontrolRecords(text: string, keys?: ReadonlySet<string>): ScontrolRecord[] {
  const out: ScontrolRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.indexOf('=') < 0) continue; // "No jobs in the system", blank lines
    const rec = parseScontrolLine(line.endsWith('\r') ? line.slice(0, -1) : line, keys);
    for (const _ in rec) {
      out.push(rec);
      break;
    }
  }
  return out;
}

export interface ScontrolPartition {
  name: string;
  isDefault: boolean;
  state: string;
  maxTimeMinutes: number | null;
  defaultTimeMinutes: number | null;
  maxNodes: number | null;
  minNodes: number;
  maxMemPerNodeMiB: number | null;
  maxMemPerCpuMiB: number | null;
  nodes: string[];
  totalNodes: number;
  totalCpus: number;
  allowQos?: string[];
  allowAccounts?: string[];
  qos?: string;
}

function num(value: string | undefined): number | null {
  if (isUnset(value) || value === undefined || /^UNLIMITED$/i.test(value)) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function list(value: string | undefined): string[] | undefined {
  if (isUnset(value) || value === undefined || value === 'ALL') return undefined;
  return value.split(',').filter((s) => s !== '');
}

export function parseScontrolPartitions(text: string): ScontrolPartition[] {
  return parseScontrolRecords(text)
    .filter((r) => r.PartitionName !== undefined)
    .map((r) => {
      const memNode = r.MaxMemPerNode;
      const memCpu = r.MaxMemPerCPU;
      const p: ScontrolPartition = {
        name: r.PartitionName,
        isDefault: r.Default === 'YES',
        state: (r.State ?? 'UP').toLowerCase(),
        maxTimeMinutes: parseDurationMinutes(r.MaxTime),
        defaultTimeMinutes: parseDurationMinutes(r.DefaultTime),
        maxNodes: num(r.MaxNodes),
        minNodes: num(r.MinNodes) ?? 0,
        maxMemPerNodeMiB: memNode === undefined || memNode === 'UNLIMITED' ? null : parseMemoryMiB(memNode),
        maxMemPerCpuMiB: memCpu === undefined || memCpu === 'UNLIMITED' ? null : parseMemoryMiB(memCpu),
        nodes: expandHostlist(r.Nodes),
        totalNodes: num(r.TotalNodes) ?? 0,
        totalCpus: num(r.TotalCPUs) ?? 0,
      };
      const allowQos = list(r.AllowQos);
      if (allowQos) p.allowQos = allowQos;
      const allowAccounts = list(r.AllowAccounts);
      if (allowAccounts) p.allowAccounts = allowAccounts;
      if (!isUnset(r.QoS)) p.qos = r.QoS;
      return p;
    });
}

export interface ScontrolNode {
  name: string;
  state: NodeState;
  cpus: number;
  cpusAllocated: number;
  realMemoryMiB: number;
  allocatedMemoryMiB: number;
  freeMemoryMiB: number | null;
  gres: GresEntry[];
  gpusTotal: number;
  gpusAllocated: number;
  features: string[];
  partitions: string[];
  cpuLoad: number | null;
  reason?: string;
}

const NODE_KEYS = new Set([
  'NodeName', 'Gres', 'GresUsed', 'CfgTRES', 'AllocTRES', 'CPUEfctv', 'CPUTot', 'CPUAlloc', 'State', 'RealMemory', 'AllocMem',
  'FreeMem', 'AvailableFeatures', 'Features', 'Partitions', 'CPULoad', 'Reason',
]);

export function parseScontrolNodes(text: string): ScontrolNode[] {
  return parseScontrolRecords(text, NODE_KEYS)
    .filter((r) => r.NodeName !== undefined)
    .map((r) => {
      const gres = parseGres(r.Gres);
      const cfg = parseTres(r.CfgTRES);
      const alloc = parseTres(r.AllocTRES);
      const gresGpus = gres.filter((g) => g.name === 'gpu').reduce((s, g) => s + g.count, 0);
      // GPUs in use: AllocTRES has them only where the site tracks gres/gpu as a TRES (that needs
      // slurmdbd); `show node -d` prints GresUsed=gpu:a100:1(IDX:0) everywhere (recorded 22.05-26.05).
      const usedGpus = parseGres(r.GresUsed).filter((g) => g.name === 'gpu').reduce((s, g) => s + g.count, 0);
      // Slurm 23.11+ reports CPUEfctv (CPUs usable by jobs) next to CPUTot.
      const cpus = num(r.CPUEfctv) ?? num(r.CPUTot) ?? 0;
      const n: ScontrolNode = {
        name: r.NodeName,
        state: parseNodeState(r.State ?? 'UNKNOWN'),
        cpus,
        cpusAllocated: num(r.CPUAlloc) ?? 0,
        realMemoryMiB: num(r.RealMemory) ?? 0,
        allocatedMemoryMiB: num(r.AllocMem) ?? 0,
        freeMemoryMiB: num(r.FreeMem),
        gres,
        gpusTotal: Math.max(gresGpus, tresGpus(cfg)),
        gpusAllocated: Math.max(tresGpus(alloc), usedGpus),
        features: list(r.AvailableFeatures ?? r.Features) ?? [],
        partitions: list(r.Partitions) ?? [],
        cpuLoad: num(r.CPULoad),
      };
      if (!isUnset(r.Reason)) n.reason = r.Reason;
      return n;
    });
}

export interface ScontrolJob {
  jobId: string;
  arrayJobId?: string;
  arrayTaskId?: string;
  hetJobId?: string;
  hetJobOffset?: string;
  name: string;
  userName: string;
  state: string;
  reason: string;
  exitCode?: string;
  partition: string;
  nodeList: string[];
  runSeconds: number | null;
  timeLimitSeconds: number | null;
  workDir?: string;
  stdOut?: string;
  stdErr?: string;
  command?: string;
  record: ScontrolRecord;
}

/** `UserId=alice(1000)` → alice. */
function userName(value: string | undefined): string {
  if (!value) return '';
  const i = value.indexOf('(');
  return i >= 0 ? value.slice(0, i) : value;
}

export function parseScontrolJobs(text: string): ScontrolJob[] {
  return parseScontrolRecords(text)
    .filter((r) => r.JobId !== undefined)
    .map((r) => {
      const j: ScontrolJob = {
        jobId: r.JobId,
        name: r.JobName ?? '',
        userName: userName(r.UserId),
        state: (r.JobState ?? 'UNKNOWN').split(/[ +]/)[0],
        reason: isUnset(r.Reason) ? '' : r.Reason,
        partition: r.Partition ?? '',
        nodeList: expandHostlist(r.NodeList),
        runSeconds: parseDurationSeconds(r.RunTime),
        timeLimitSeconds: parseDurationSeconds(r.TimeLimit),
        record: r,
      };
      if (!isUnset(r.ArrayJobId)) j.arrayJobId = r.ArrayJobId;
      if (!isUnset(r.ArrayTaskId)) j.arrayTaskId = r.ArrayTaskId;
      if (!isUnset(r.HetJobId)) j.hetJobId = r.HetJobId;
      if (!isUnset(r.HetJobOffset)) j.hetJobOffset = r.HetJobOffset;
      if (!isUnset(r.ExitCode)) j.exitCode = r.ExitCode;
      if (!isUnset(r.WorkDir)) j.workDir = r.WorkDir;
      if (!isUnset(r.StdOut)) j.stdOut = r.StdOut;
      if (!isUnset(r.StdErr)) j.stdErr = r.StdErr;
      if (!isUnset(r.Command)) j.command = r.Command;
      return j;
    });
}

/** Where a running job's CPUs are, from `scontrol -o -d show job` (one entry per node range). */
export interface JobAllocation {
  jobId: string;
  name: string;
  userName: string;
  state: string;
  partition: string;
  /** Per node: the CPU ids the job holds there (Slurm's abstract CPU numbering of the node). */
  nodes: { node: string; cpuIds: number[]; memMiB: number | null; gres: string }[];
}

/**
 * The `-d` detail of `scontrol -o -d show job`: after JOB_GRES= come repeated groups
 * `Nodes=n[1-2] CPU_IDs=0-1 Mem=0 GRES=` (one per distinct allocation shape), which the
 * one-record-per-line parser cannot hold (same keys again).
 */
const DETAIL = /(?:^|\s)Nodes=(\S+) CPU_IDs=(\S+) Mem=(\d+)(?: GRES=(\S*))?/g;

export function jobDetailArgv(): string[] {
  return ['scontrol', '-o', '-d', 'show', 'job'];
}

export function parseJobAllocations(text: string): JobAllocation[] {
  const out: JobAllocation[] = [];
  const keys = new Set(['JobId', 'JobName', 'UserId', 'JobState', 'Partition']);
  for (const line of text.split('\n')) {
    if (!line.startsWith('JobId=')) continue;
    const r = parseScontrolLine(line, keys);
    const job: JobAllocation = {
      jobId: r.JobId,
      name: r.JobName ?? '',
      userName: userName(r.UserId),
      state: (r.JobState ?? 'UNKNOWN').split(/[ +]/)[0],
      partition: r.Partition ?? '',
      nodes: [],
    };
    DETAIL.lastIndex = 0;
    for (let m = DETAIL.exec(line); m; m = DETAIL.exec(line)) {
      const cpuIds = expandIdList(m[2]);
      if (!cpuIds) continue;
      for (const node of expandHostlist(m[1])) {
        job.nodes.push({ node, cpuIds, memMiB: Number(m[3]), gres: isUnset(m[4]) ? '' : (m[4] ?? '') });
      }
    }
    out.push(job);
  }
  return out;
}
