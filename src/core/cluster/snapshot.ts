/**
 * The cluster snapshot: what HPC Workbench knows of a cluster's partitions, nodes and
 * policies. The explorer fills it from a live cluster (sinfo/scontrol), the extension pushes it
 * to the language server, and `sbatch-lint --cluster-info FILE` reads it from JSON so that
 * cluster-aware checks also run in CI. Versioned: readers reject unknown major versions.
 *
 * Units: times in minutes (null = UNLIMITED / not set), memory in MiB.
 */

export const CLUSTER_SNAPSHOT_VERSION = 1;

export interface ClusterSnapshot {
  version: typeof CLUSTER_SNAPSHOT_VERSION;
  /** Cluster name (ClusterName from slurm.conf, or the configured name). */
  cluster: string;
  /** Slurm version reported by the cluster, e.g. "22.05.8". */
  slurmVersion?: string;
  /** ISO 8601 time the snapshot was taken. */
  takenAt?: string;
  partitions: PartitionInfo[];
  nodes: NodeInfo[];
  /** QOS names visible to the user, when known. */
  qos?: string[];
  /** Accounts the user may charge, when known. */
  accounts?: string[];
  /** SelectTypeParameters of the cluster's slurm.conf (e.g. ["CR_Core", "MULTIPLE_SHARING_GRES_PJ"]), when known. */
  selectTypeParameters?: string[];
}

export interface PartitionInfo {
  name: string;
  isDefault: boolean;
  /** up | down | drain | inactive */
  state: string;
  /** MaxTime in minutes; null = UNLIMITED. */
  maxTimeMinutes: number | null;
  /** DefaultTime in minutes; null when not set. */
  defaultTimeMinutes?: number | null;
  /** MaxNodes per job; null = UNLIMITED. */
  maxNodes: number | null;
  minNodes?: number;
  /** MaxMemPerNode / MaxMemPerCPU in MiB, when set. */
  maxMemPerNodeMiB?: number | null;
  maxMemPerCpuMiB?: number | null;
  /** Names of the nodes in the partition (expanded host list). */
  nodes: string[];
  totalNodes: number;
  totalCpus: number;
  /** Allowed QOS / accounts when the partition restricts them; undefined = all. */
  allowQos?: string[];
  allowAccounts?: string[];
}

export interface NodeInfo {
  name: string;
  /** Base state in lower case, e.g. idle, mixed, allocated, down, drained, draining. */
  state: string;
  cpus: number;
  cpusAllocated?: number;
  realMemoryMiB: number;
  allocatedMemoryMiB?: number;
  /** Generic resources, e.g. [{ name: "gpu", type: "a100", count: 4 }]. */
  gres: GresInfo[];
  /** Node features (AvailableFeatures). */
  features: string[];
  partitions: string[];
  cpuLoad?: number | null;
  reason?: string;
}

export interface GresInfo {
  name: string;
  type?: string;
  count: number;
}

/** Parses and checks a snapshot read from JSON; throws an Error with a clear message. */
export function parseClusterSnapshot(text: string, source = 'cluster snapshot'): ClusterSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${source}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${source}: expected a JSON object`);
  }
  const snap = value as Partial<ClusterSnapshot>;
  if (snap.version !== CLUSTER_SNAPSHOT_VERSION) {
    throw new Error(`${source}: unsupported version ${JSON.stringify(snap.version)} (expected ${CLUSTER_SNAPSHOT_VERSION})`);
  }
  if (typeof snap.cluster !== 'string') throw new Error(`${source}: "cluster" must be a string`);
  if (!Array.isArray(snap.partitions)) throw new Error(`${source}: "partitions" must be an array`);
  if (!Array.isArray(snap.nodes)) throw new Error(`${source}: "nodes" must be an array`);
  if (snap.selectTypeParameters !== undefined && !(Array.isArray(snap.selectTypeParameters) && snap.selectTypeParameters.every((p) => typeof p === 'string'))) {
    throw new Error(`${source}: "selectTypeParameters" must be an array of strings`);
  }
  for (const [i, p] of snap.partitions.entries()) {
    if (typeof p?.name !== 'string') throw new Error(`${source}: partitions[${i}].name must be a string`);
    if (!Array.isArray(p.nodes)) throw new Error(`${source}: partitions[${i}].nodes must be an array`);
  }
  for (const [i, n] of snap.nodes.entries()) {
    if (typeof n?.name !== 'string') throw new Error(`${source}: nodes[${i}].name must be a string`);
    if (typeof n.cpus !== 'number') throw new Error(`${source}: nodes[${i}].cpus must be a number`);
    if (!Array.isArray(n.gres)) n.gres = [];
    if (!Array.isArray(n.features)) n.features = [];
  }
  return snap as ClusterSnapshot;
}
