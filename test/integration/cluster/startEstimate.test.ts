/**
 * "Will it start?" and the map's CPU placement against the sandbox over its sshd: sbatch
 * --test-only with the script on stdin in the remote folder (no sync), judged with the
 * cluster-aware checks; the refresh reading my jobs' CPU ids while a map wants them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Cluster, ClusterRegistry, LocalFolder } from '../../../src/cluster';
import { buildMapModel, nodeCells } from '../../../src/core/map/model';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { sandboxCluster, untilValue as until } from './sandboxCluster';

let info: SandboxInfo;
let registry: ClusterRegistry;
let cluster: Cluster;
let folder: LocalFolder;
const jobs: string[] = [];


const script = (...directives: string[]) => `#!/bin/bash\n${directives.map((d) => `#SBATCH ${d}\n`).join('')}hostname\n`;

async function submit(...args: string[]): Promise<string> {
  const r = await cluster.exec(['sbatch', '--parsable', ...args, '--wrap', 'sleep 600']);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim().split(';')[0];
  jobs.push(id);
  return id;
}

before(async () => {
  info = loadSandbox();
  ({ registry, cluster } = sandboxCluster(info, { remoteDir: `~/estimate-tests/${randomBytes(4).toString('hex')}/ws` }));
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-estimate-'));
  mkdirSync(path.join(root, 'logs'));
  writeFileSync(path.join(root, 'logs', 'keep'), '');
  writeFileSync(path.join(root, 'job.sbatch'), script('-p debug', '-n 1'));
  folder = { root, name: 'ws' };
  await cluster.refresh();
  // Idle sandbox: nothing of an earlier test left running.
  await cluster.exec(['scancel', '-u', info.sshUser]).catch(() => undefined);
  await until('an empty queue', async () => ((await cluster.exec(['squeue', '-h', '-u', info.sshUser])).stdout.trim() === '' ? true : undefined));
  await cluster.refresh();
});

after(async () => {
  if (jobs.length) await cluster.exec(['scancel', ...jobs]).catch(() => undefined);
  await cluster.exec(['sh', '-c', 'rm -rf "$HOME/estimate-tests"']).catch(() => undefined);
  registry.dispose();
  rmSync(folder.root, { recursive: true, force: true });
});

test('idle sandbox: starts now, from stdin, before the folder was ever synced', async () => {
  const e = await cluster.estimateStart(folder, script('-p debug', '-N 2'));
  assert.equal(e.remoteFolder, false);
  assert.equal(e.verdict.kind, 'starts-now', e.verdict.text);
  assert.equal(e.verdict.text, 'Starts now on n[1-2] (debug)');
});

test('3 nodes on debug: why it cannot run', async () => {
  const e = await cluster.estimateStart(folder, script('-p debug', '-N 3'));
  assert.equal(e.verdict.kind, 'refused');
  assert.match(e.verdict.text, /^Cannot run: 3 nodes requested, but partition debug has 2 at most/);
  assert.match(e.verdict.detail, /Requested node configuration is not available/);
});

test('accepted but never starts (time above MaxTime), accepted but fails at launch (missing output folder)', async () => {
  const long = await cluster.estimateStart(folder, script('-p debug', '-t 2:00:00'));
  assert.equal(long.answer.ok, true, 'Slurm itself accepts it');
  assert.equal(long.verdict.kind, 'never-starts');
  assert.match(long.verdict.text, /never starts: Time limit 02:00:00 is above the partition's MaxTime/);
  // After a sync the remote folder exists: logs/ is there, nodir/ is not.
  await cluster.sync(folder);
  const missing = await cluster.estimateStart(folder, script('-p debug', '-o nodir/%j.out'));
  assert.equal(missing.remoteFolder, true);
  assert.equal(missing.verdict.kind, 'fails-at-launch', missing.verdict.text);
  assert.match(missing.verdict.text, /"nodir"/);
  const present = await cluster.estimateStart(folder, script('-p debug', '-o logs/%j.out'));
  assert.equal(present.verdict.kind, 'starts-now', present.verdict.text);
  // Validate (sync + the same judgement) says the same.
  writeFileSync(path.join(folder.root, 'long.sbatch'), script('-p debug', '-t 2:00:00'));
  const validated = await cluster.validate(folder, path.join(folder.root, 'long.sbatch'));
  assert.equal(validated.ok, true);
  assert.equal(validated.verdict.kind, 'never-starts');
});

test('debug held by long jobs: an expected start or a pending reason; the map reads their CPU ids', async () => {
  const a = await submit('-p', 'debug', '-N', '1', '--exclusive', '-t', '20');
  const b = await submit('-p', 'debug', '-N', '1', '--exclusive', '-t', '20');
  await until('both running', async () => {
    const out = (await cluster.exec(['squeue', '-h', '-o', '%T', '-j', `${a},${b}`])).stdout.trim().split('\n');
    return out.length === 2 && out.every((s) => s === 'RUNNING') ? true : undefined;
  });
  const e = await cluster.estimateStart(folder, script('-p debug', '-N 2', '-t 5'));
  assert.ok(e.verdict.kind === 'expected' || e.verdict.kind === 'refused', `${e.verdict.kind}: ${e.verdict.text}`);
  if (e.verdict.kind === 'expected') assert.match(e.verdict.text, /^Expected start \d\d:\d\d \(in \d+ min\) on n\[1-2\] \(debug\)$/);

  // Placement: without a map, no CPU ids; while a map wants them, the refresh brings them.
  await cluster.refresh();
  assert.equal(cluster.state?.allocations, undefined);
  const done = cluster.wantPlacement();
  try {
    await until('placement in a refresh', async () => {
      await cluster.refresh();
      return cluster.state?.allocations?.some((j) => j.jobId === a) ? true : undefined;
    });
    const state = cluster.state!;
    const model = buildMapModel(state, state.allocations);
    const mine = model.jobs.filter((j) => j.jobId === a || j.jobId === b);
    assert.equal(mine.length, 2);
    assert.ok(mine.every((j) => j.mine));
    for (const j of mine) {
      const node = model.nodes.find((n) => n.name === j.nodes[0])!;
      const k = model.jobs.indexOf(j);
      assert.deepEqual([...nodeCells(node)], [k, k], `${j.jobId} holds both cores of ${node.name}`);
    }
  } finally {
    done();
  }
  await cluster.refresh();
  assert.equal(cluster.state?.allocations, undefined, 'no CPU ids once no map wants them');
});
