/**
 * `sinfo -h -o FORMAT`: one line per partition with Slurm's own node and CPU counts by state
 * (`%F` allocated/idle/other/total nodes, `%C` the same for CPUs), separated by 0x1f.
 * A node-oriented variant (`sinfo -h -N`) lists one line per node and partition.
 * Not part of the refresh any more (each sinfo costs slurmctld a node and a partition request;
 * the counts come from `scontrol show node`, see `nodeCounts`): sinfo's own counts are what the
 * recorder (scripts/record-slurm-outputs.mjs) records and the unit tests compare those with.
 */
import { forEachRow } from './fields';
import { FIELD_SEPARATOR } from './squeue';
import { expandHostlist, parseDurationMinutes, parseGres, parseNodeState, type GresEntry, type NodeState } from './units';

const PARTITION_FORMAT = ['%R', '%a', '%l', '%F', '%C', '%G', '%N'].join(FIELD_SEPARATOR);

export function sinfoPartitionsArgv(): string[] {
  return ['sinfo', '-h', '-o', PARTITION_FORMAT];
}

export interface Counts {
  allocated: number;
  idle: number;
  other: number;
  total: number;
}

export interface SinfoPartition {
  /** Name without the `*` that marks the default partition. */
  name: string;
  available: string;
  timeLimitMinutes: number | null;
  nodes: Counts;
  cpus: Counts;
  gres: GresEntry[];
  nodeNames: string[];
}

function counts(text: string): Counts {
  const [allocated = 0, idle = 0, other = 0, total = 0] = text.split('/').map((s) => Number(s) || 0);
  return { allocated, idle, other, total };
}

/**
 * Parses the partition summary. sinfo prints one line per partition and gres combination; lines
 * of the same partition are merged.
 */
export function parseSinfoPartitions(text: string): SinfoPartition[] {
  const byName = new Map<string, SinfoPartition>();
  forEachRow(text, 7, FIELD_SEPARATOR, (f) => {
    const name = f[0].replace(/\*$/, '');
    const p: SinfoPartition = {
      name,
      available: f[1],
      timeLimitMinutes: parseDurationMinutes(f[2]),
      nodes: counts(f[3]),
      cpus: counts(f[4]),
      gres: parseGres(f[5]),
      nodeNames: expandHostlist(f[6]),
    };
    const prev = byName.get(name);
    if (!prev) {
      byName.set(name, p);
      return;
    }
    for (const k of ['allocated', 'idle', 'other', 'total'] as const) {
      prev.nodes[k] += p.nodes[k];
      prev.cpus[k] += p.cpus[k];
    }
    prev.gres.push(...p.gres);
    prev.nodeNames.push(...p.nodeNames);
  });
  return [...byName.values()];
}

export interface SinfoNode {
  name: string;
  partition: string;
  state: NodeState;
  cpus: number;
  cpusAllocated: number;
  memoryMiB: number;
  freeMemoryMiB: number | null;
  cpuLoad: number | null;
  gres: GresEntry[];
  features: string[];
  reason?: string;
}

/** Reads `sinfo -h -N -o %N^%R^%T^%c^%C^%m^%e^%O^%G^%f^%E` (fields separated by 0x1f, as recorded in the fixtures). */
export function parseSinfoNodes(text: string): SinfoNode[] {
  const out: SinfoNode[] = [];
  forEachRow(text, 11, FIELD_SEPARATOR, (f) => {
    const cpu = counts(f[4]);
    const load = Number(f[7]);
    const free = Number(f[6]);
    const node: SinfoNode = {
      name: f[0],
      partition: f[1].replace(/\*$/, ''),
      state: parseNodeState(f[2]),
      cpus: Number(f[3]) || cpu.total,
      cpusAllocated: cpu.allocated,
      memoryMiB: Number(f[5]) || 0,
      freeMemoryMiB: f[6] === 'N/A' || !Number.isFinite(free) ? null : free,
      cpuLoad: f[7] === 'N/A' || !Number.isFinite(load) ? null : load,
      gres: parseGres(f[8]),
      features: f[9] === '(null)' || f[9] === '' ? [] : f[9].split(','),
    };
    const reason = f[10];
    if (reason !== 'none' && reason !== '' && reason !== '(null)') node.reason = reason;
    out.push(node);
  });
  return out;
}
