import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSnapshot } from '../../../src/core/slurm/clusterState';
import { parseJobAllocations, parseScontrolNodes, parseScontrolPartitions, type ScontrolNode } from '../../../src/core/slurm/scontrol';
import { buildMapModel, type MapInput, type MapModel } from '../../../src/core/map/model';
import { applyMapDiff, diffMapModels } from '../../../src/core/map/diff';
import { layoutMap, nodesInView } from '../../../src/core/map/layout';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** The recorded sandbox (jobs 1-3 running), with the nodes edited by `edit`. */
function input(edit: (nodes: ScontrolNode[]) => void = () => undefined, takenAt = '2026-12-01T19:42:57Z'): MapInput {
  const nodes = parseScontrolNodes(fixture('scontrol-nodes-map-sandbox.txt'));
  edit(nodes);
  const partitions = parseScontrolPartitions(fixture('scontrol-partitions.txt'));
  return { cluster: 'sandbox', user: 'hpcwtest', takenAt, nodes, jobs: [], snapshot: buildSnapshot('sandbox', partitions, nodes, '22.05.8', new Date(takenAt)) };
}
const allocations = () => parseJobAllocations(fixture('scontrol-jobs-detail-sandbox.txt'));
/** Through JSON, as postMessage hands it over. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

test('diff: job 1 ended — only n1 and n2 are sent; n3 keeps its job though its index moved', () => {
  const a = buildMapModel(input(), allocations());
  const b = buildMapModel(
    input((nodes) => {
      nodes[0].cpusAllocated = 0;
      nodes[1].cpusAllocated = 1;
    }, '2026-12-01T19:43:27Z'),
    allocations().filter((j) => j.jobId !== '1'),
  );
  assert.deepEqual(a.jobs.map((j) => j.jobId), ['1', '2', '3']);
  assert.deepEqual(b.jobs.map((j) => j.jobId), ['2', '3']);
  const diff = diffMapModels(a, b, 4, 5) as NonNullable<ReturnType<typeof diffMapModels>>;
  assert.ok(diff);
  assert.deepEqual([diff.from, diff.to], [4, 5]);
  assert.deepEqual(diff.nodes.map(([i, n]) => [i, n.name]), [[0, 'n1'], [1, 'n2']]);
  assert.equal(diff.request, undefined);
  const applied = applyMapDiff(wire(a), wire(diff));
  assert.deepEqual(applied.changed, [0, 1]);
  assert.deepEqual(applied.model, wire(b));
  assert.deepEqual(applied.model.nodes[2].placed, [{ job: 1, cpus: [0, 1] }], 'n3 points at job 3 in the new list');
});

test('diff: nothing changed — no nodes; a drain is one node with its reason', () => {
  const a = buildMapModel(input(), allocations());
  assert.deepEqual(diffMapModels(a, buildMapModel(input(), allocations()), 0, 1)?.nodes, []);
  const drained = buildMapModel(
    input((nodes) => {
      nodes[1].state = { ...nodes[1].state, base: 'drained', raw: 'ALLOCATED+DRAIN', drain: true };
      nodes[1].reason = 'hpcw map test';
    }),
    allocations(),
  );
  const diff = diffMapModels(a, drained, 0, 1);
  assert.deepEqual(diff?.nodes.map(([i, n]) => [i, n.stateClass, n.reason]), [[1, 'drained', 'hpcw map test']]);
  assert.deepEqual(applyMapDiff(a, wire(diff!)).model, wire(drained));
  // Another user's job on n2 instead of mine: the highlight changes.
  const theirs = buildMapModel(input(), allocations().map((j) => (j.jobId === '2' ? { ...j, userName: 'bob' } : j)));
  assert.deepEqual(diffMapModels(a, theirs, 0, 1)?.nodes.map(([i]) => i), [1]);
});

test('diff: a request shown, then cleared; a new layout is no diff', () => {
  const a = buildMapModel(input(), allocations());
  const withRequest = buildMapModel(input(), allocations(), { label: 'Starts now', nodes: ['n1', 'n2'], partition: 'debug', cpus: 2 });
  const shown = diffMapModels(a, withRequest, 0, 1);
  assert.deepEqual(shown?.request, withRequest.request);
  assert.deepEqual(applyMapDiff(a, wire(shown!)).model, wire(withRequest));
  const cleared = diffMapModels(withRequest, a, 1, 2);
  assert.equal(cleared?.request, null);
  assert.equal(applyMapDiff(withRequest, wire(cleared!)).model.request, undefined);
  // Layout changes: a node gone, a node's cores, another cluster.
  assert.equal(diffMapModels(a, buildMapModel(input((nodes) => nodes.pop()), allocations()), 0, 1), undefined);
  assert.equal(diffMapModels(a, buildMapModel(input((nodes) => (nodes[3].cpus = 4)), allocations()), 0, 1), undefined);
  assert.equal(diffMapModels(a, { ...a, cluster: 'other' }, 0, 1), undefined);
});

/** 10,000 nodes of 128 cores in three partitions, as the bench draws them. */
function bigModel(): MapModel {
  const base = buildMapModel(input());
  const node = base.nodes[3];
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ ...node, name: `c${i}`, cpus: 128, cpusAllocated: i % 129, gpus: i >= 8000 && i < 9000 ? 4 : 0 }));
  const span = (from: number, to: number) => nodes.slice(from, to).map((_, k) => from + k);
  const group = (name: string, idx: number[]) => ({ ...base.groups[0], name, nodes: idx, alsoIn: [], totalNodes: idx.length });
  return { ...base, nodes, groups: [group('compute', span(0, 8000)), group('gpu', span(8000, 9000)), group('bigmem', span(9000, 10_000))] };
}

test('the viewport: the nodes crossing a band of rows, as a scan of every box finds them', () => {
  const model = bigModel();
  const layout = layoutMap(model, 1400);
  const scan = (top: number, bottom: number) =>
    model.nodes
      .map((_, i) => i)
      .filter((i) => layout.nodeY[i] < bottom && layout.nodeY[i] + layout.groups[layout.nodeGroup[i]].boxH > top)
      .sort((x, y) => layout.nodeY[x] - layout.nodeY[y] || layout.nodeX[x] - layout.nodeX[y]);
  for (const [top, height] of [[0, 675], [1234, 675], [layout.groups[1].y - 10, 40], [layout.height - 675, 675], [0, layout.height]]) {
    const seen = nodesInView(layout, model, top, top + height);
    assert.deepEqual(seen, scan(top, top + height), `band ${top}+${height}`);
  }
  assert.equal(nodesInView(layout, model, 0, layout.height).length, 10_000);
  assert.ok(nodesInView(layout, model, 0, 675).length < 2000, 'a viewport shows a small part of the map');
  // The recorded sandbox fits in one viewport.
  const small = buildMapModel(input(), allocations());
  const sl = layoutMap(small, 800);
  assert.deepEqual(nodesInView(sl, small, 0, sl.height), [0, 1, 2, 3]);
});
