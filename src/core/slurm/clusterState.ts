/**
 * What one refresh learns about a cluster: the snapshot (partitions, nodes, limits — the format
 * the language server reads), per-partition usage, the job queue, and a one-line summary (finished
 * jobs are not read per refresh: the cluster service fetches the history from accounting on events). Built from the sections of one batched round trip (see `refreshSteps`).
 */
import { CLUSTER_SNAPSHOT_VERSION, type ClusterSnapshot, type NodeInfo, type PartitionInfo } from '../cluster/snapshot';
import type { BatchSection, BatchStep } from './batch';
import { jobDetailArgv, parseJobAllocations, parseScontrolNodes, parseScontrolPartitions, type JobAllocation, type ScontrolNode, type ScontrolPartition } from './scontrol';
import type { Counts } from './sinfo';
import { parseSqueue, squeueArgv, type SqueueJob } from './squeue';

export interface Usage {
  allocated: number;
  total: number;
}

export interface PartitionUsage {
  name: string;
  isDefault: boolean;
  state: string;
  maxTimeMinutes: number | null;
  /** allocated / idle / other (down, drained, ...) / total nodes. */
  nodes: Counts;
  cpus: Usage;
  gpus: Usage;
  nodeNames: string[];
}

export interface ClusterSummary {
  nodes: number;
  cores: number;
  gpus: number;
  coresAllocated: number;
  gpusAllocated: number;
  /** Allocated cores as a percentage of all cores (0-100, rounded). */
  percentAllocated: number;
}

export interface ClusterState {
  cluster: string;
  /** The user the commands ran as (`id -un` on the cluster). */
  user: string;
  takenAt: string;
  snapshot: ClusterSnapshot;
  partitions: PartitionUsage[];
  nodes: ScontrolNode[];
  /** squeue: my jobs, or everyone's when asked for all users. */
  jobs: SqueueJob[];
  summary: ClusterSummary;
  /** Whether `jobs` holds every user's jobs. */
  allUsers: boolean;
  /**
   * Where running jobs' CPUs are (`scontrol -o -d show job`): read only when asked (while a
   * cluster map is open); mine, or everyone's with `allUsers`.
   */
  allocations?: JobAllocation[];
}

/** The error a refresh fails with: the controller is down, a command is missing... */
export class ClusterQueryError extends Error {
  constructor(
    message: string,
    readonly step?: string,
  ) {
    super(message);
    this.name = 'ClusterQueryError';
  }
}

export interface RefreshOptions {
  allUsers: boolean;
  /**
   * Read the partitions (`scontrol show partition`) and the scheduler's SelectTypeParameters
   * (`scontrol show config`; default true). They change rarely: the monitor reads them now and
   * then and reuses the last answers in between (see `withLimits`).
   */
  limits?: boolean;
  /** Read where running jobs' CPUs are (the cluster map; default false). */
  placement?: boolean;
}

/**
 * `scontrol -o -d show job` for the map, my jobs only unless all users are shown: scontrol has no
 * user filter, so the lines are filtered by their `UserId=<me>(` field on the cluster (a fixed
 * script; nothing of the user's is put into it).
 */
export function placementArgv(allUsers: boolean): string[] {
  if (allUsers) return jobDetailArgv();
  return ['sh', '-c', `${jobDetailArgv().join(' ')} | grep -F "UserId=$(id -un)("; exit 0`];
}

/**
 * The commands of one refresh, run in one round trip. Light on slurmctld (issue 14): one squeue
 * (REQUEST_JOB_USER_INFO; `--local` skips its REQUEST_FED_INFO) and one `scontrol show node`
 * (REQUEST_NODE_INFO), each of which also loads the partition table itself; the partitions'
 * limits only when asked; the partitions' node counts come from the nodes (no sinfo); live use
 * (sstat, two RPCs per job) is read on demand, not here. See bench/controller.ts.
 */
export function refreshSteps(options: RefreshOptions): BatchStep[] {
  const steps: BatchStep[] = [
    { name: 'user', argv: ['id', '-un'] },
    { name: 'version', argv: ['scontrol', '--version'] },
  ];
  if (options.limits !== false) {
    steps.push(
      { name: 'partitions', argv: ['scontrol', '-o', 'show', 'partition'] },
      // A fixed script (nothing of the user's in it): only the line the linter needs.
      { name: 'config', argv: ['sh', '-c', "scontrol show config | sed -n 's/^SelectTypeParameters *= *//p'"] },
    );
  }
  steps.push(
    // -d: the details, among them GresUsed (GPUs in use) where no TRES tracks them.
    { name: 'nodes', argv: ['scontrol', '-o', '-d', 'show', 'node'] },
    { name: 'squeue', argv: squeueArgv({ allUsers: options.allUsers }) },
  );
  if (options.placement) steps.push({ name: 'placement', argv: placementArgv(options.allUsers) });
  return steps;
}

/** The sections of a refresh that read the limits (`limits: true`). */
const LIMIT_SECTIONS = ['partitions', 'config'] as const;

/**
 * The sections of a refresh that did not read the limits, completed with those of an earlier
 * one (what it read itself is kept).
 */
export function withLimits(sections: Map<string, BatchSection>, earlier: ReadonlyMap<string, BatchSection> | undefined): Map<string, BatchSection> {
  const out = new Map(sections);
  for (const name of LIMIT_SECTIONS) {
    const s = earlier?.get(name);
    if (!out.has(name) && s) out.set(name, s);
  }
  return out;
}

/** SelectTypeParameters from the config section (`CR_CORE,MULTIPLE_SHARING_GRES_PJ`), when known. */
function selectTypeParameters(section: BatchSection | undefined): string[] | undefined {
  const text = section?.code === 0 ? section.stdout.trim() : '';
  if (text === '' || text === '(null)') return undefined;
  return text.split(',').map((p) => p.trim()).filter((p) => p !== '');
}

/** The first meaningful line of a failed command's error output. */
export function errorText(section: BatchSection | undefined, fallback: string): string {
  if (!section) return fallback;
  const lines = section.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const best = lines.find((l) => /unable to contact|timed out|not found|error|denied|refused/i.test(l)) ?? lines[0];
  if (!best) return `${fallback} (exit status ${section.code ?? 'unknown'})`;
  if (/command not found|not found$/i.test(best) && /scontrol|squeue|sinfo/.test(best)) {
    return `${best} — is Slurm installed on this host?`;
  }
  return best;
}

function required(sections: Map<string, BatchSection>, name: string, what: string): string {
  const s = sections.get(name);
  if (!s || s.code === null) throw new ClusterQueryError(`The refresh was cut off before ${what}.`, name);
  if (s.code !== 0) throw new ClusterQueryError(errorText(s, `${what} failed`), name);
  return s.stdout;
}

/** Builds the cluster state from the sections of a refresh; throws ClusterQueryError on failure. */
export function buildClusterState(
  cluster: string,
  sections: Map<string, BatchSection>,
  options: { allUsers: boolean; now?: Date },
): ClusterState {
  const partitionsText = required(sections, 'partitions', 'reading partitions (scontrol show partition)');
  const nodesText = required(sections, 'nodes', 'reading nodes (scontrol show node)');
  const squeueText = required(sections, 'squeue', 'reading the queue (squeue)');
  const user = sections.get('user')?.stdout.trim() ?? '';
  const versionMatch = /(\d+\.\d+\.\d+\S*)/.exec(sections.get('version')?.stdout ?? '');
  const partitions = parseScontrolPartitions(partitionsText);
  const nodes = parseScontrolNodes(nodesText);
  const jobs = parseSqueue(squeueText);

  const now = options.now ?? new Date();
  const snapshot = buildSnapshot(cluster, partitions, nodes, versionMatch?.[1], now);
  const params = selectTypeParameters(sections.get('config'));
  if (params) snapshot.selectTypeParameters = params;
  const usage = partitionUsage(partitions, nodes);
  const placement = sections.get('placement');
  const state: ClusterState = {
    cluster,
    user,
    takenAt: now.toISOString(),
    snapshot,
    partitions: usage,
    nodes,
    jobs,
    summary: summarize(nodes),
    allUsers: options.allUsers,
  };
  if (placement?.code === 0) state.allocations = parseJobAllocations(placement.stdout);
  return state;
}

export function buildSnapshot(
  cluster: string,
  partitions: ScontrolPartition[],
  nodes: ScontrolNode[],
  slurmVersion: string | undefined,
  now: Date,
): ClusterSnapshot {
  const qos = new Set<string>();
  const snapPartitions: PartitionInfo[] = partitions.map((p) => {
    const info: PartitionInfo = {
      name: p.name,
      isDefault: p.isDefault,
      state: p.state,
      maxTimeMinutes: p.maxTimeMinutes,
      defaultTimeMinutes: p.defaultTimeMinutes,
      maxNodes: p.maxNodes,
      minNodes: p.minNodes,
      maxMemPerNodeMiB: p.maxMemPerNodeMiB,
      maxMemPerCpuMiB: p.maxMemPerCpuMiB,
      nodes: p.nodes,
      totalNodes: p.totalNodes,
      totalCpus: p.totalCpus,
    };
    if (p.allowQos) {
      info.allowQos = p.allowQos;
      p.allowQos.forEach((q) => qos.add(q));
    }
    if (p.qos) qos.add(p.qos);
    if (p.allowAccounts) info.allowAccounts = p.allowAccounts;
    return info;
  });
  const snapNodes: NodeInfo[] = nodes.map((n) => {
    const info: NodeInfo = {
      name: n.name,
      state: n.state.base,
      cpus: n.cpus,
      cpusAllocated: n.cpusAllocated,
      realMemoryMiB: n.realMemoryMiB,
      allocatedMemoryMiB: n.allocatedMemoryMiB,
      gres: n.gres.map((g) => ({ ...g })),
      features: n.features,
      partitions: n.partitions,
      cpuLoad: n.cpuLoad,
    };
    if (n.reason) info.reason = n.reason;
    return info;
  });
  const snapshot: ClusterSnapshot = {
    version: CLUSTER_SNAPSHOT_VERSION,
    cluster,
    takenAt: now.toISOString(),
    partitions: snapPartitions,
    nodes: snapNodes,
  };
  if (slurmVersion) snapshot.slurmVersion = slurmVersion;
  if (qos.size > 0) snapshot.qos = [...qos].sort();
  return snapshot;
}

function isOther(n: ScontrolNode): boolean {
  const b = n.state.base;
  return b === 'down' || b === 'drained' || b === 'draining' || b === 'unknown' || b === 'future' || n.state.notResponding;
}

/**
 * Each partition's nodes as sinfo's `%F` counts them (allocated, mixed included / idle / other:
 * down, drained, draining, not responding... / total), from `scontrol show node` alone; the unit
 * tests check it against sinfo's own counts recorded beside the nodes on each Slurm version.
 */
export function nodeCounts(members: readonly ScontrolNode[]): Counts {
  const counts: Counts = { allocated: 0, idle: 0, other: 0, total: members.length };
  for (const n of members) {
    if (isOther(n)) counts.other++;
    else if (n.cpusAllocated > 0 || n.state.base === 'allocated' || n.state.base === 'mixed') counts.allocated++;
    else counts.idle++;
  }
  return counts;
}

function partitionUsage(partitions: ScontrolPartition[], nodes: ScontrolNode[]): PartitionUsage[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  return partitions.map((p) => {
    const members = p.nodes.map((name) => byName.get(name)).filter((n): n is ScontrolNode => n !== undefined);
    return {
      name: p.name,
      isDefault: p.isDefault,
      state: p.state,
      maxTimeMinutes: p.maxTimeMinutes,
      nodes: nodeCounts(members),
      cpus: {
        allocated: members.reduce((a, n) => a + n.cpusAllocated, 0),
        total: members.reduce((a, n) => a + n.cpus, 0) || p.totalCpus,
      },
      gpus: {
        allocated: members.reduce((a, n) => a + n.gpusAllocated, 0),
        total: members.reduce((a, n) => a + n.gpusTotal, 0),
      },
      nodeNames: p.nodes,
    };
  });
}

export function summarize(nodes: ScontrolNode[]): ClusterSummary {
  const cores = nodes.reduce((a, n) => a + n.cpus, 0);
  const coresAllocated = nodes.reduce((a, n) => a + n.cpusAllocated, 0);
  return {
    nodes: nodes.length,
    cores,
    gpus: nodes.reduce((a, n) => a + n.gpusTotal, 0),
    coresAllocated,
    gpusAllocated: nodes.reduce((a, n) => a + n.gpusAllocated, 0),
    percentAllocated: cores === 0 ? 0 : Math.round((coresAllocated / cores) * 100),
  };
}

/** "4 nodes, 8 cores, 4 GPUs — 25% allocated". */
export function formatSummary(s: ClusterSummary): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(s.nodes, 'node'), plural(s.cores, 'core')];
  if (s.gpus > 0) parts.push(plural(s.gpus, 'GPU'));
  return `${parts.join(', ')} — ${s.percentAllocated}% allocated`;
}
