/** Checks against a cluster snapshot (src/core/sbatch/lintCluster.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch, type SbatchDiagnostic } from '../../../../src/core/sbatch';

const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
const sandbox = parseClusterSnapshot(fs.readFileSync(path.join(repo, 'test/fixtures/sbatch/sandbox-cluster.json'), 'utf8'));
const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'srun hostname', ''].join('\n');
const codes = (ds: SbatchDiagnostic[]) => ds.filter((d) => d.code !== 'request-summary').map((d) => d.code);

test('cluster: partitions, time limits, sizes, features, nodes, gres', () => {
  const c = (...lines: string[]) => codes(lintSbatch(script(...lines), { cluster: sandbox }));
  assert.deepEqual(c('#SBATCH -p compute -N 4 -n 8 -t 1-00:00:00 -C bigmem --mem=2000'), []);
  assert.deepEqual(c('#SBATCH -p debug -t 31'), ['time-exceeds-partition']);
  assert.deepEqual(c('#SBATCH -t 31'), ['time-exceeds-partition'], 'the default partition is debug');
  assert.deepEqual(c('#SBATCH -p debug,compute -t 60'), [], 'one of the partitions is enough');
  assert.deepEqual(c('#SBATCH -p debgu'), ['unknown-partition']);
  assert.deepEqual(c('#SBATCH -N 3'), ['too-many-nodes']);
  assert.deepEqual(c('#SBATCH -c 3'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH --ntasks-per-node=3'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH -n 5'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH -n 5 -O'), []);
  assert.deepEqual(c('#SBATCH --mem=2001'), ['too-much-memory']);
  assert.deepEqual(c('#SBATCH --mem-per-cpu=1500 -c 2'), ['too-much-memory']);
  assert.deepEqual(c('#SBATCH -C bigmem'), ['unknown-feature'], 'the nodes of debug (the default) have no bigmem');
  assert.deepEqual(c('#SBATCH -p compute -C "bigmem&fast"'), ['unknown-feature']);
  assert.deepEqual(c('#SBATCH -w n[1-2] -N 2'), []);
  assert.deepEqual(c('#SBATCH -w n[1-5]'), ['unknown-node']);
  assert.deepEqual(c('#SBATCH -w n3'), ['node-not-in-partition']);
  // The sandbox's GPUs: gpu:a100:2 on n1 and n2, gpu:v100:1 on n3 (5 in all).
  assert.deepEqual(c('#SBATCH --gres=gpu:1'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:a100:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:h100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -G h100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH --gres=gpu:v100:2'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH -G 5'), []);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH -G 6'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gres=mps:1'), ['unknown-gres']);
  const fix = lintSbatch(script('#SBATCH --partition=compte'), { cluster: sandbox }).find((d) => d.code === 'unknown-partition')?.fixes?.[0];
  assert.equal(fix?.edits[0].newText, 'compute');
  assert.deepEqual(fix?.edits[0].range, { start: { line: 1, character: 20 }, end: { line: 1, character: 26 } });
});

test('cluster: GPUs, QOS and accounts', () => {
  const gpu: ClusterSnapshot = {
    ...sandbox,
    qos: ['normal', 'high'],
    accounts: ['physics'],
    nodes: sandbox.nodes.map((n) => ({ ...n, gres: [{ name: 'gpu', type: 'a100', count: 2 }] })),
  };
  const c = (...lines: string[]) => codes(lintSbatch(script(...lines), { cluster: gpu }));
  assert.deepEqual(c('#SBATCH --gres=gpu:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:a100:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:3'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gres=gpu:v100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -G 4'), []);
  assert.deepEqual(c('#SBATCH -G 5'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gpus-per-node=3'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH -q hihg'), ['unknown-qos']);
  assert.deepEqual(c('#SBATCH -A chemistry'), ['unknown-account']);
});
