import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSnapshot } from '../../../src/core/slurm/clusterState';
import { parseJobAllocations, parseScontrolNodes, parseScontrolPartitions } from '../../../src/core/slurm/scontrol';
import { expandIdList } from '../../../src/core/slurm/units';
import { buildMapModel, CELL_FREE, CELL_OTHER, describeNode, nodeCells, requestCells, type MapInput } from '../../../src/core/map/model';
import { cellPosition, coreGrid, hitTest, layoutMap, memoryBar } from '../../../src/core/map/layout';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

/** The sandbox while jobs 1-3 ran and n3 (busy) and n4 (idle) were drained: recorded. */
function sandboxInput(): MapInput {
  const nodes = parseScontrolNodes(fixture('scontrol-nodes-map-sandbox.txt'));
  const partitions = parseScontrolPartitions(fixture('scontrol-partitions.txt'));
  return {
    cluster: 'sandbox',
    user: 'hpcwtest',
    takenAt: '2026-12-01T19:42:57Z',
    nodes,
    jobs: [],
    snapshot: buildSnapshot('sandbox', partitions, nodes, '22.05.8', new Date('2026-12-01T19:42:57Z')),
  };
}

test('expandIdList reads CPU_IDs and refuses what it does not know', () => {
  assert.deepEqual(expandIdList('0-3,8,10-11'), [0, 1, 2, 3, 8, 10, 11]);
  assert.deepEqual(expandIdList('1'), [1]);
  assert.deepEqual(expandIdList(''), []);
  assert.equal(expandIdList('0-x'), undefined);
  assert.equal(expandIdList('3-1'), undefined);
  assert.equal(expandIdList('0-1000000', 10)?.length, 10);
});

test('scontrol -o -d show job: CPU ids per node (recorded on the sandbox)', () => {
  const jobs = parseJobAllocations(fixture('scontrol-jobs-detail-sandbox.txt'));
  assert.deepEqual(
    jobs.map((j) => [j.jobId, j.userName, j.state, j.partition]),
    [['1', 'hpcwtest', 'RUNNING', 'compute'], ['2', 'hpcwtest', 'RUNNING', 'debug'], ['3', 'hpcwtest', 'RUNNING', 'compute']],
  );
  assert.deepEqual(jobs[0].nodes.map((n) => [n.node, n.cpuIds]), [['n1', [0, 1]], ['n2', [0]]]);
  assert.deepEqual(jobs[1].nodes.map((n) => [n.node, n.cpuIds]), [['n2', [1]]]);
  assert.deepEqual(jobs[2].nodes.map((n) => [n.node, n.cpuIds, n.memMiB]), [['n3', [0, 1], 0]]);
  // A node range with GPUs, as Slurm prints it for a multi-node job of one shape.
  const wide = parseJobAllocations(
    'JobId=7 JobName=x UserId=bob(5) JobState=RUNNING Partition=gpu NumNodes=3 JOB_GRES=gpu:2   Nodes=g[1-2] CPU_IDs=0-3,8 Mem=4000 GRES=gpu:a100:2(IDX:0-1)   Nodes=g3 CPU_IDs=5 Mem=100 GRES= MinCPUsNode=1',
  );
  assert.deepEqual(wide[0].nodes.map((n) => [n.node, n.cpuIds.length, n.memMiB, n.gres]), [
    ['g1', 5, 4000, 'gpu:a100:2(IDX:0-1)'],
    ['g2', 5, 4000, 'gpu:a100:2(IDX:0-1)'],
    ['g3', 1, 100, ''],
  ]);
  assert.deepEqual(parseJobAllocations('No jobs in the system\n'), []);
});

test('map model: partitions as groups, each node once, states with reasons, my jobs on their cores', () => {
  const input = sandboxInput();
  const model = buildMapModel(input, parseJobAllocations(fixture('scontrol-jobs-detail-sandbox.txt')));
  assert.deepEqual(model.groups.map((g) => [g.name, g.nodes.map((i) => model.nodes[i].name), g.alsoIn]), [
    ['debug', ['n1', 'n2'], []],
    ['compute', ['n3', 'n4'], ['n1', 'n2']],
  ]);
  assert.deepEqual(model.nodes.map((n) => [n.name, n.stateClass, n.cpus, n.cpusAllocated]), [
    ['n1', 'allocated', 2, 2],
    ['n2', 'allocated', 2, 2],
    ['n3', 'draining', 2, 2],
    ['n4', 'drained', 2, 0],
  ]);
  assert.match(model.nodes[3].reason ?? '', /^disk swap/);
  assert.deepEqual(model.counts, { allocated: 2, draining: 1, drained: 1 });
  assert.ok(model.placement);
  assert.deepEqual(model.jobs.map((j) => [j.jobId, j.mine, j.nodes]), [['1', true, ['n1', 'n2']], ['2', true, ['n2']], ['3', true, ['n3']]]);
  // Cells: n2 has core 0 of job 1 and core 1 of job 2.
  assert.deepEqual([...nodeCells(model.nodes[1])], [0, 1]);
  assert.deepEqual([...nodeCells(model.nodes[3])], [CELL_FREE, CELL_FREE]);
  const d = describeNode(model, 2);
  assert.equal(d.title, 'n3');
  assert.ok(d.lines.some((l) => /State: ALLOCATED\+DRAIN — fan noise/.test(l)));
  assert.ok(d.lines.includes('Jobs: 3 (mine)'));
});

test('cells without CPU ids: allocated CPUs of others fill the lowest free cores', () => {
  const input = sandboxInput();
  const model = buildMapModel(input);
  assert.equal(model.placement, false);
  assert.deepEqual([...nodeCells(model.nodes[0])], [CELL_OTHER, CELL_OTHER]);
  const n = { ...model.nodes[0], cpus: 4, cpusAllocated: 3, placed: [{ job: 0, cpus: [2] }] };
  assert.deepEqual([...nodeCells(n)], [CELL_OTHER, CELL_OTHER, 0, CELL_FREE]);
  // A placement beyond the node's CPUs or over-allocation never overflows.
  const m = { ...n, cpusAllocated: 9, placed: [{ job: 0, cpus: [7] }] };
  assert.deepEqual([...nodeCells(m)], [CELL_OTHER, CELL_OTHER, CELL_OTHER, CELL_OTHER]);
});

test('a request shown on the map spreads its processors over its nodes', () => {
  const model = buildMapModel(sandboxInput(), undefined, { label: 'x', nodes: ['n1', 'n2'], cpus: 3, partition: 'debug' });
  assert.deepEqual([...requestCells(model)], [[0, 2], [1, 1]]);
  const whole = buildMapModel(sandboxInput(), undefined, { label: 'x', nodes: ['n4', 'nx'] });
  assert.deepEqual([...requestCells(whole)], [[3, 2]]);
});

test('layout of the sandbox: two groups, 4 boxes of 2 × 1 cells, hit testing finds nodes and cores', () => {
  const model = buildMapModel(sandboxInput(), parseJobAllocations(fixture('scontrol-jobs-detail-sandbox.txt')));
  const layout = layoutMap(model, 800);
  assert.equal(layout.groups.length, 2);
  assert.deepEqual(coreGrid(2), { cols: 2, rows: 1 });
  const [g0, g1] = layout.groups;
  assert.equal(g0.cols, 2);
  assert.equal(g0.rows, 1);
  assert.ok(g1.y >= g0.y + g0.height, 'groups stacked');
  // n1 and n2 side by side in the first group, n3 and n4 in the second.
  assert.equal(layout.nodeY[0], layout.nodeY[1]);
  assert.ok(layout.nodeX[1] >= layout.nodeX[0] + g0.boxW);
  assert.ok(layout.nodeY[2] > layout.nodeY[0]);
  assert.ok(layout.height >= g1.y + g1.height);
  for (let i = 0; i < 4; i++) {
    for (let c = 0; c < 2; c++) {
      const p = cellPosition(layout, i, c);
      assert.deepEqual(hitTest(layout, model, p.x + 1, p.y + 1), { node: i, cpu: c, group: layout.nodeGroup[i] });
    }
    const bar = memoryBar(layout, i);
    assert.deepEqual(hitTest(layout, model, bar.x, bar.y), { node: i, group: layout.nodeGroup[i] });
    assert.ok(bar.y + bar.height <= layout.nodeY[i] + layout.groups[layout.nodeGroup[i]].boxH);
  }
  assert.equal(hitTest(layout, model, 1, 1), undefined);
  assert.equal(hitTest(layout, model, layout.nodeX[1] + g0.boxW + 1, layout.nodeY[1] + 2), undefined);
});

test('layout scales: 10,000 nodes of 128 cores in 16 × 8 grids of small cells, rows fill the width', () => {
  const base = buildMapModel(sandboxInput());
  const node = base.nodes[3];
  const nodes = Array.from({ length: 10_000 }, (_, i) => ({ ...node, name: `c${i}`, cpus: 128, cpusAllocated: i % 129 }));
  const model = { ...base, nodes, groups: [{ ...base.groups[0], nodes: nodes.map((_, i) => i), alsoIn: [], totalNodes: nodes.length }] };
  const layout = layoutMap(model, 1400);
  const g = layout.groups[0];
  assert.deepEqual([g.cols, g.rows], [16, 8]);
  assert.ok(layout.scale.cell <= 2 && layout.scale.label === 0);
  assert.ok((g.perRow + 1) * (g.boxW + layout.scale.gap) > 1400 - 16, 'a row fills the width');
  assert.ok(layout.height < 16_000, `map height ${layout.height}`);
  const last = nodes.length - 1;
  const p = cellPosition(layout, last, 127);
  assert.deepEqual(hitTest(layout, model, p.x, p.y), { node: last, cpu: 127, group: 0 });
});
