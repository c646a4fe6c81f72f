/**
 * What changed between two map models of the same cluster, so that the extension posts only the
 * changed nodes to the webview (a 10,000-node model is megabytes; a refresh changes a few dozen
 * nodes). Pure: the panel computes the diff, the webview applies it, the unit tests check that
 * applying the diff of (a, b) to a gives b.
 *
 * Job references in nodes are indices into `model.jobs`, and those shift whenever a job ends or
 * starts: nodes are compared by the job *ids* they reference, and the webview re-points the
 * nodes it keeps at the new job list. A change of layout (partitions, the nodes in them, a
 * node's cores or GPUs) is no diff at all: the whole model is sent again.
 */
import type { MapJob, MapModel, MapNode, MapRequest } from './model';

export interface MapDiff {
  /** The sequence number of the model this diff applies to, and of the model it gives. */
  from: number;
  to: number;
  takenAt: string;
  placement: boolean;
  counts: MapModel['counts'];
  /** The new job list (job highlights: which are mine, their names and times). */
  jobs: MapJob[];
  /** Nodes that changed, as [index in model.nodes, the new node] (indices into the new `jobs`). */
  nodes: [number, MapNode][];
  /** The request shown, when it changed (null: none any more). */
  request?: MapRequest | null;
}

/** Whether two models lay out the same: the same groups with the same nodes, each node's name, cores and GPUs. */
export function sameStructure(a: MapModel, b: MapModel): boolean {
  if (a.groups.length !== b.groups.length || a.nodes.length !== b.nodes.length) return false;
  for (let k = 0; k < a.groups.length; k++) {
    const g = a.groups[k];
    const h = b.groups[k];
    if (g.name !== h.name || g.isDefault !== h.isDefault || g.state !== h.state || g.maxTime !== h.maxTime || g.totalNodes !== h.totalNodes) return false;
    if (!sameStrings(g.alsoIn, h.alsoIn) || !sameNumbers(g.nodes, h.nodes)) return false;
  }
  for (let i = 0; i < a.nodes.length; i++) {
    const n = a.nodes[i];
    const m = b.nodes[i];
    if (n.name !== m.name || n.cpus !== m.cpus || n.gpus !== m.gpus) return false;
  }
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Same job as drawn: the same id, owner and whether it is mine. */
function sameJob(a: MapJob | undefined, b: MapJob | undefined): boolean {
  return a !== undefined && b !== undefined && a.jobId === b.jobId && a.mine === b.mine && a.user === b.user;
}

/** Whether node a (of jobs aj) and node b (of jobs bj) are the same, job indices compared by job. */
export function sameNode(a: MapNode, aj: readonly MapJob[], b: MapNode, bj: readonly MapJob[]): boolean {
  if (
    a.name !== b.name ||
    a.stateClass !== b.stateClass ||
    a.stateText !== b.stateText ||
    a.reason !== b.reason ||
    a.cpus !== b.cpus ||
    a.cpusAllocated !== b.cpusAllocated ||
    a.memMiB !== b.memMiB ||
    a.memAllocMiB !== b.memAllocMiB ||
    a.gpus !== b.gpus ||
    a.gpusAllocated !== b.gpusAllocated ||
    a.gres !== b.gres ||
    !sameStrings(a.features, b.features) ||
    !sameStrings(a.partitions, b.partitions) ||
    a.jobs.length !== b.jobs.length ||
    a.placed.length !== b.placed.length
  ) {
    return false;
  }
  for (let k = 0; k < a.jobs.length; k++) if (!sameJob(aj[a.jobs[k]], bj[b.jobs[k]])) return false;
  for (let k = 0; k < a.placed.length; k++) {
    if (!sameJob(aj[a.placed[k].job], bj[b.placed[k].job]) || !sameNumbers(a.placed[k].cpus, b.placed[k].cpus)) return false;
  }
  return true;
}

function sameRequest(a: MapRequest | undefined, b: MapRequest | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.label === b.label && a.partition === b.partition && a.cpus === b.cpus && sameStrings(a.nodes, b.nodes);
}

/**
 * The diff from `prev` (sequence `from`) to `next` (sequence `to`); undefined when the layout
 * changed or the models are of different clusters (send `next` whole).
 */
export function diffMapModels(prev: MapModel, next: MapModel, from: number, to: number): MapDiff | undefined {
  if (prev.cluster !== next.cluster || prev.user !== next.user || prev.version !== next.version) return undefined;
  if (!sameStructure(prev, next)) return undefined;
  const nodes: [number, MapNode][] = [];
  for (let i = 0; i < next.nodes.length; i++) {
    if (!sameNode(prev.nodes[i], prev.jobs, next.nodes[i], next.jobs)) nodes.push([i, next.nodes[i]]);
  }
  const diff: MapDiff = { from, to, takenAt: next.takenAt, placement: next.placement, counts: next.counts, jobs: next.jobs, nodes };
  if (!sameRequest(prev.request, next.request)) diff.request = next.request ?? null;
  return diff;
}

/**
 * Applies a diff: a new model (the old one is not changed; unchanged nodes are shared unless
 * their job indices moved) and the indices of the nodes whose drawing changed.
 */
export function applyMapDiff(prev: MapModel, diff: MapDiff): { model: MapModel; changed: number[] } {
  // Old job index → new job index, by job id (-1: the job is gone).
  const newIndex = new Map<string, number>();
  diff.jobs.forEach((j, k) => newIndex.set(j.jobId, k));
  const remap = new Int32Array(prev.jobs.length);
  let moved = prev.jobs.length !== diff.jobs.length;
  prev.jobs.forEach((j, k) => {
    remap[k] = newIndex.get(j.jobId) ?? -1;
    if (remap[k] !== k) moved = true;
  });
  const nodes = prev.nodes.slice();
  if (moved) {
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i];
      if (n.jobs.length === 0 && n.placed.length === 0) continue;
      if (n.jobs.every((k) => remap[k] === k) && n.placed.every((p) => remap[p.job] === p.job)) continue;
      // Unchanged nodes only reference jobs that still exist (else they would be in the diff).
      nodes[i] = { ...n, jobs: n.jobs.map((k) => remap[k]), placed: n.placed.map((p) => ({ job: remap[p.job], cpus: p.cpus })) };
    }
  }
  const changed: number[] = [];
  for (const [i, node] of diff.nodes) {
    if (i < 0 || i >= nodes.length) continue;
    nodes[i] = node;
    changed.push(i);
  }
  const model: MapModel = { ...prev, takenAt: diff.takenAt, placement: diff.placement, counts: diff.counts, jobs: diff.jobs, nodes };
  if (diff.request === null) delete model.request;
  else if (diff.request !== undefined) model.request = diff.request;
  return { model, changed };
}
