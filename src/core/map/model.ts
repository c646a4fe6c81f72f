/**
 * The cluster map's model: what the map webview draws, built from one refresh of a cluster (the
 * ClusterState the explorer already has) plus, while a map is open, where my running jobs' CPUs
 * are (`scontrol -o -d show job`). Pure and JSON-serialisable: the extension posts it to the
 * webview as it is, and the unit tests check it without a browser.
 *
 * Partitions are the groups; a node that belongs to several partitions is drawn once, in the
 * first partition (in slurm.conf order) that lists it, and the later groups name it as "also".
 */
import type { ClusterState } from '../slurm/clusterState';
import type { JobAllocation, ScontrolNode } from '../slurm/scontrol';
import type { SqueueJob } from '../slurm/squeue';
import { expandHostlist, formatDuration, type NodeState } from '../slurm/units';

export const MAP_MODEL_VERSION = 1;

/** What a node's colour says. */
export type NodeStateClass =
  | 'idle'
  | 'mixed'
  | 'allocated'
  | 'completing'
  | 'draining'
  | 'drained'
  | 'down'
  | 'reserved'
  | 'maintenance'
  | 'powered-down'
  | 'unknown';

/**
 * Colour tokens: a VS Code theme colour (as the CSS variable the webview receives) with a
 * fallback for a page outside VS Code (the bench). High-contrast themes define these too.
 */
export interface ColourToken {
  label: string;
  cssVar: string;
  fallback: string;
}

export const STATE_COLOURS: Record<NodeStateClass, ColourToken> = {
  idle: { label: 'idle', cssVar: '--vscode-charts-green', fallback: '#89d185' },
  mixed: { label: 'mixed (partly allocated)', cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  allocated: { label: 'allocated', cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  completing: { label: 'completing', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
  draining: { label: 'draining (no new jobs)', cssVar: '--vscode-charts-orange', fallback: '#d18616' },
  drained: { label: 'drained', cssVar: '--vscode-charts-orange', fallback: '#d18616' },
  down: { label: 'down / not responding', cssVar: '--vscode-charts-red', fallback: '#f14c4c' },
  reserved: { label: 'reserved', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
  maintenance: { label: 'maintenance', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
  'powered-down': { label: 'powered down', cssVar: '--vscode-descriptionForeground', fallback: '#8b8b8b' },
  unknown: { label: 'unknown / future', cssVar: '--vscode-descriptionForeground', fallback: '#8b8b8b' },
};

/** Colours of the cells (cores), GPU marks and memory bars. */
export const CELL_COLOURS = {
  free: { label: 'free core', cssVar: '--vscode-panel-border', fallback: '#80808059' },
  other: { label: 'core allocated (other jobs)', cssVar: '--vscode-charts-blue', fallback: '#3794ff' },
  mine: { label: 'core of my job', cssVar: '--vscode-charts-purple', fallback: '#b180d7' },
  selected: { label: 'selected job / would be taken', cssVar: '--vscode-charts-yellow', fallback: '#cca700' },
  box: { label: 'node', cssVar: '--vscode-editorWidget-background', fallback: '#252526' },
  text: { label: 'text', cssVar: '--vscode-foreground', fallback: '#cccccc' },
  memory: { label: 'memory in use', cssVar: '--vscode-charts-green', fallback: '#89d185' },
  border: { label: 'border', cssVar: '--vscode-contrastBorder', fallback: 'transparent' },
} satisfies Record<string, ColourToken>;

export interface MapJob {
  jobId: string;
  name: string;
  user: string;
  mine: boolean;
  state: string;
  partition: string;
  nodes: string[];
  cpus: number;
  /** "0:42 of 30:00". */
  time: string;
}

export interface MapNode {
  name: string;
  stateClass: NodeStateClass;
  /** As Slurm prints it, e.g. ALLOCATED+DRAIN. */
  stateText: string;
  reason?: string;
  cpus: number;
  cpusAllocated: number;
  memMiB: number;
  memAllocMiB: number;
  gpus: number;
  gpusAllocated: number;
  /** e.g. "gpu:a100:4", "" when none. */
  gres: string;
  features: string[];
  partitions: string[];
  /** CPU ids held by jobs of `MapModel.jobs` (index), from `scontrol -d show job`. */
  placed: { job: number; cpus: number[] }[];
  /** Indices in `MapModel.jobs` of the jobs on this node (with or without known CPU ids). */
  jobs: number[];
}

export interface MapGroup {
  name: string;
  isDefault: boolean;
  state: string;
  maxTime: string;
  /** Indices in `MapModel.nodes` drawn in this group. */
  nodes: number[];
  /** Members drawn in an earlier group (a node in several partitions is drawn once). */
  alsoIn: string[];
  totalNodes: number;
}

/** A request shown on the map: where `sbatch --test-only` says a script would run. */
export interface MapRequest {
  label: string;
  partition?: string;
  nodes: string[];
  /** Processors it would use in total (spread over `nodes`). */
  cpus?: number;
}

export interface MapModel {
  version: typeof MAP_MODEL_VERSION;
  cluster: string;
  user: string;
  takenAt: string;
  groups: MapGroup[];
  nodes: MapNode[];
  jobs: MapJob[];
  request?: MapRequest;
  /** Nodes per state class (for the legend). */
  counts: Partial<Record<NodeStateClass, number>>;
  /** Whether CPU ids of my jobs were read (the map was open during the refresh). */
  placement: boolean;
}

/** The colour class of a node state. */
export function stateClassOf(state: NodeState): NodeStateClass {
  if (state.base === 'down' || state.notResponding) return 'down';
  if (state.base === 'drained') return 'drained';
  if (state.base === 'draining') return 'draining';
  if (state.maintenance) return 'maintenance';
  if (state.poweredDown) return 'powered-down';
  if (state.reservation || state.base === 'reserved' || state.base === 'planned') return 'reserved';
  switch (state.base) {
    case 'idle':
    case 'mixed':
    case 'allocated':
    case 'completing':
      return state.base;
    default:
      return 'unknown';
  }
}

export type MapInput = Pick<ClusterState, 'cluster' | 'user' | 'takenAt' | 'nodes' | 'jobs'> & {
  snapshot: Pick<ClusterState['snapshot'], 'partitions'>;
};

function gresText(n: ScontrolNode): string {
  return n.gres.map((g) => [g.name, g.type, String(g.count)].filter((x) => x !== undefined).join(':')).join(',');
}

function jobTime(j: SqueueJob): string {
  return `${formatDuration(j.elapsedSeconds)} of ${j.timeLimitSeconds === null ? 'UNLIMITED' : formatDuration(j.timeLimitSeconds)}`;
}

/**
 * Builds the map model. `allocations` (from `parseJobAllocations`) places jobs on CPU ids; jobs
 * without it still show on their nodes, and other allocated CPUs fill the free cells.
 */
export function buildMapModel(input: MapInput, allocations?: readonly JobAllocation[], request?: MapRequest): MapModel {
  const nodeIndex = new Map<string, number>();
  const nodes: MapNode[] = input.nodes.map((n, i) => {
    nodeIndex.set(n.name, i);
    const node: MapNode = {
      name: n.name,
      stateClass: stateClassOf(n.state),
      stateText: n.state.raw,
      cpus: n.cpus,
      cpusAllocated: n.cpusAllocated,
      memMiB: n.realMemoryMiB,
      memAllocMiB: n.allocatedMemoryMiB,
      gpus: n.gpusTotal,
      gpusAllocated: n.gpusAllocated,
      gres: gresText(n),
      features: n.features,
      partitions: n.partitions,
      placed: [],
      jobs: [],
    };
    if (n.reason) node.reason = n.reason;
    return node;
  });

  const jobs: MapJob[] = [];
  const jobIndex = new Map<string, number>();
  const addJob = (job: MapJob): number => {
    const known = jobIndex.get(job.jobId);
    if (known !== undefined) return known;
    jobIndex.set(job.jobId, jobs.length);
    jobs.push(job);
    return jobs.length - 1;
  };
  for (const j of input.jobs) {
    if (j.state !== 'RUNNING' && j.state !== 'COMPLETING' && j.state !== 'SUSPENDED') continue;
    const names = expandHostlist(j.nodeListText);
    const k = addJob({
      jobId: j.jobIdNumeric || j.jobId,
      name: j.name,
      user: j.user,
      mine: j.user === input.user,
      state: j.state,
      partition: j.partition,
      nodes: names,
      cpus: j.cpus,
      time: jobTime(j),
    });
    for (const name of names) {
      const i = nodeIndex.get(name);
      if (i !== undefined && !nodes[i].jobs.includes(k)) nodes[i].jobs.push(k);
    }
  }
  for (const a of allocations ?? []) {
    if (a.state !== 'RUNNING' && a.state !== 'COMPLETING' && a.state !== 'SUSPENDED') continue;
    const k = addJob({
      jobId: a.jobId,
      name: a.name,
      user: a.userName,
      mine: a.userName === input.user,
      state: a.state,
      partition: a.partition,
      nodes: [...new Set(a.nodes.map((n) => n.node))],
      cpus: a.nodes.reduce((s, n) => s + n.cpuIds.length, 0),
      time: '',
    });
    for (const placed of a.nodes) {
      const i = nodeIndex.get(placed.node);
      if (i === undefined) continue;
      const node = nodes[i];
      if (!node.jobs.includes(k)) node.jobs.push(k);
      const cpus = placed.cpuIds.filter((c) => c < node.cpus);
      if (cpus.length > 0) node.placed.push({ job: k, cpus });
    }
  }

  const drawn = new Set<string>();
  const groups: MapGroup[] = input.snapshot.partitions.map((p) => {
    const g: MapGroup = {
      name: p.name,
      isDefault: p.isDefault,
      state: p.state,
      maxTime: p.maxTimeMinutes === null ? 'UNLIMITED' : formatDuration(p.maxTimeMinutes * 60),
      nodes: [],
      alsoIn: [],
      totalNodes: p.nodes.length,
    };
    for (const name of p.nodes) {
      const i = nodeIndex.get(name);
      if (i === undefined) continue;
      if (drawn.has(name)) g.alsoIn.push(name);
      else {
        drawn.add(name);
        g.nodes.push(i);
      }
    }
    return g;
  });
  const loose = nodes.map((_, i) => i).filter((i) => !drawn.has(nodes[i].name));
  if (loose.length > 0) {
    groups.push({ name: '(no partition)', isDefault: false, state: '', maxTime: '', nodes: loose, alsoIn: [], totalNodes: loose.length });
  }

  const counts: Partial<Record<NodeStateClass, number>> = {};
  for (const n of nodes) counts[n.stateClass] = (counts[n.stateClass] ?? 0) + 1;
  const model: MapModel = {
    version: MAP_MODEL_VERSION,
    cluster: input.cluster,
    user: input.user,
    takenAt: input.takenAt,
    groups,
    nodes,
    jobs,
    counts,
    placement: allocations !== undefined,
  };
  if (request) model.request = request;
  return model;
}

/** Cell values of `nodeCells`. */
export const CELL_FREE = -1;
export const CELL_OTHER = -2;

/**
 * What each core of a node shows: a job index (≥ 0), CELL_OTHER (allocated, job unknown: another
 * user's, or no CPU ids read) or CELL_FREE. Known placements first; the remaining allocated CPUs
 * fill the lowest free ids (Slurm hands out low ids first).
 */
export function nodeCells(node: MapNode, out?: Int32Array): Int32Array {
  const cells = out && out.length >= node.cpus ? out.subarray(0, node.cpus) : new Int32Array(node.cpus);
  cells.fill(CELL_FREE);
  let placed = 0;
  for (const p of node.placed) {
    for (const c of p.cpus) {
      if (c < cells.length && cells[c] === CELL_FREE) {
        cells[c] = p.job;
        placed++;
      }
    }
  }
  let others = Math.min(node.cpusAllocated, node.cpus) - placed;
  for (let c = 0; c < cells.length && others > 0; c++) {
    if (cells[c] === CELL_FREE) {
      cells[c] = CELL_OTHER;
      others--;
    }
  }
  return cells;
}

/** The free cells a request would take on each of its nodes (its processors spread evenly). */
export function requestCells(model: MapModel): Map<number, number> {
  const out = new Map<number, number>();
  const r = model.request;
  if (!r) return out;
  const idx = r.nodes.map((name) => model.nodes.findIndex((n) => n.name === name)).filter((i) => i >= 0);
  if (idx.length === 0) return out;
  let left = r.cpus ?? idx.reduce((s, i) => s + model.nodes[i].cpus, 0);
  idx.forEach((i, k) => {
    const share = Math.ceil(left / (idx.length - k));
    const take = Math.min(share, model.nodes[i].cpus);
    out.set(i, take);
    left -= take;
  });
  return out;
}

/** One line per node for the tooltip and the accessible table. */
export function describeNode(model: MapModel, i: number): { title: string; lines: string[] } {
  const n = model.nodes[i];
  const gib = (mib: number) => (mib >= 1024 ? `${(mib / 1024).toFixed(mib % 1024 === 0 ? 0 : 1)} GiB` : `${mib} MiB`);
  const lines = [
    `State: ${n.stateText}${n.reason ? ` — ${n.reason}` : ''}`,
    `CPUs: ${n.cpusAllocated} of ${n.cpus} allocated`,
    `Memory: ${gib(n.memAllocMiB)} of ${gib(n.memMiB)} allocated`,
  ];
  if (n.gres || n.gpus > 0) lines.push(`GRES: ${n.gres || '—'}${n.gpus > 0 ? ` (${n.gpusAllocated} of ${n.gpus} GPUs in use)` : ''}`);
  lines.push(`Partitions: ${n.partitions.join(', ') || '—'}`);
  if (n.features.length) lines.push(`Features: ${n.features.join(', ')}`);
  const jobs = n.jobs.map((k) => model.jobs[k]);
  lines.push(jobs.length ? `Jobs: ${jobs.map((j) => `${j.jobId}${j.mine ? ' (mine)' : ` (${j.user})`}`).join(', ')}` : 'Jobs: none');
  return { title: n.name, lines };
}
