import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { batchArgv, parseBatchOutput } from '../../../../src/core/slurm/batch';
import { buildClusterState, ClusterQueryError, formatSummary, nodeCounts, refreshSteps } from '../../../../src/core/slurm/clusterState';
import { parseScontrolNodes } from '../../../../src/core/slurm/scontrol';
import { parseSinfoPartitions } from '../../../../src/core/slurm/sinfo';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { ClusterMonitor, type FinishedJobInfo } from '../../../../src/core/slurm/monitor';
import type { CommandRunner, ExecResult } from '../../../../src/core/transport';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

test('batch script frames each command (real sh), failures and hostile arguments', () => {
  const argv = batchArgv([
    { name: 'one', argv: ['printf', '%s\\n', 'a b', "it's", '$(echo pwned)'] },
    { name: 'two', argv: ['sh', '-c', 'echo oops >&2; exit 3'] },
    { name: 'three', argv: ['echo', 'fallback ran'], onlyIfPreviousFailed: true },
    { name: 'four', argv: ['true'] },
    { name: 'five', argv: ['echo', 'skipped'], onlyIfPreviousFailed: true },
  ]);
  const out = execFileSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  const s = parseBatchOutput(out);
  assert.equal(s.get('one')?.stdout, "a b\nit's\n$(echo pwned)");
  assert.equal(s.get('one')?.code, 0);
  assert.equal(s.get('two')?.code, 3);
  assert.equal(s.get('two')?.stderr, 'oops');
  assert.equal(s.get('three')?.stdout, 'fallback ran');
  assert.equal(s.get('four')?.code, 0);
  assert.equal(s.has('five'), false, 'a fallback does not run after a success');
});

test('cluster state from a recorded refresh: 2 partitions, 4 nodes, snapshot valid', () => {
  const sections = parseBatchOutput(fixture('refresh-batch-sandbox.txt'));
  const state = buildClusterState('sandbox', sections, { allUsers: true, now: new Date('2026-11-25T14:20:00Z') });
  assert.equal(state.user, 'root');
  assert.equal(state.snapshot.slurmVersion, '22.05.8');
  assert.deepEqual(state.snapshot.partitions.map((p) => p.name), ['debug', 'compute']);
  assert.equal(state.snapshot.nodes.length, 4);
  assert.ok(state.jobs.length >= 3);
  const compute = state.partitions.find((p) => p.name === 'compute');
  assert.equal(compute?.nodes.total, 4);
  assert.equal(compute?.cpus.total, 8);
  assert.equal(compute?.gpus.total, 4);
  assert.equal(state.summary.cores, 8);
  assert.match(formatSummary(state.summary), /^4 nodes, 8 cores, 4 GPUs — \d+% allocated$/);
  // The snapshot round-trips through the reader the CLI and the language server use.
  const again = parseClusterSnapshot(JSON.stringify(state.snapshot));
  assert.equal(again.nodes[2].state, 'drained');
  assert.equal(again.partitions[0].maxTimeMinutes, 30);
});

test('a failed controller yields a ClusterQueryError with Slurm\'s message', () => {
  const out = [
    '@@HPCW@@ begin partitions',
    '',
    '@@HPCW@@ end partitions 1',
    'slurm_load_partitions: Unable to contact slurm controller (connect failure)',
    '@@HPCW@@ done partitions',
  ].join('\n');
  assert.throws(
    () => buildClusterState('x', parseBatchOutput(out), { allUsers: false }),
    (e: unknown) => e instanceof ClusterQueryError && /Unable to contact slurm controller/.test(e.message),
  );
});

test('refresh steps: one round trip, one squeue and one node read, no accounting, no sstat, partitions when asked', () => {
  const steps = refreshSteps({ allUsers: false });
  assert.deepEqual(steps.map((s) => s.name), ['user', 'version', 'partitions', 'config', 'nodes', 'squeue']);
  assert.deepEqual(refreshSteps({ allUsers: true, limits: false, placement: true }).map((s) => s.name), ['user', 'version', 'nodes', 'squeue', 'placement']);
  const slurm = refreshSteps({ allUsers: false }).filter((s) => ['squeue', 'sinfo', 'sstat', 'sacct'].includes(s.argv[0]));
  assert.deepEqual(slurm.map((s) => s.argv[0]), ['squeue'], 'squeue is the only Slurm client besides scontrol');
});

test('partition node counts from scontrol show node equal sinfo %F, on every recorded Slurm version', () => {
  const recordings = ['refresh-batch-sandbox.txt', '22.05/refresh-batch.txt', '24.11/refresh-batch.txt', '26.05/refresh-batch.txt'];
  for (const name of recordings) {
    const sections = parseBatchOutput(fixture(name));
    const sinfo = parseSinfoPartitions(sections.get('sinfo')?.stdout ?? '');
    assert.ok(sinfo.length >= 2, `${name}: sinfo recorded`);
    const state = buildClusterState('sandbox', sections, { allUsers: true });
    for (const p of sinfo) {
      assert.deepEqual(state.partitions.find((u) => u.name === p.name)?.nodes, p.nodes, `${name}: partition ${p.name}`);
      assert.equal(state.partitions.find((u) => u.name === p.name)?.cpus.allocated, p.cpus.allocated, `${name}: ${p.name} CPUs allocated`);
    }
  }
  // Every kind of node state counted as sinfo does.
  const nodes = parseScontrolNodes(fixture('scontrol-nodes-tricky.txt'));
  const counts = nodeCounts(nodes);
  assert.equal(counts.allocated + counts.idle + counts.other, nodes.length);
});

/** Replays recorded cluster answers; the squeue section is replaced per call. */
class ScriptedRunner implements CommandRunner {
  calls: string[][] = [];
  lastStdout = '';
  queue: string[] = [];
  fail = false;
  constructor(private readonly base: string) {}
  async exec(argv: readonly string[]): Promise<ExecResult> {
    this.calls.push([...argv]);
    const script = argv[2] ?? '';
    if (this.fail) return { stdout: '@@HPCW@@ begin user\nroot\n@@HPCW@@ end user 0\n\n@@HPCW@@ done user\n@@HPCW@@ begin partitions\n\n@@HPCW@@ end partitions 1\nslurm_load_partitions: Unable to contact slurm controller (connect failure)\n@@HPCW@@ done partitions\n', stderr: '', code: 0 };
    if (script.includes("'@@HPCW@@ begin job0'")) {
      return { stdout: '@@HPCW@@ begin job0\nJobId=13 JobName=long run UserId=root(0) JobState=COMPLETED Reason=None ExitCode=0:0\n@@HPCW@@ end job0 0\n\n@@HPCW@@ done job0\n', stderr: '', code: 0 };
    }
    const squeue = this.queue.shift() ?? '';
    let replaced = this.base.replace(/(@@HPCW@@ begin squeue\n)[\s\S]*?(\n@@HPCW@@ end squeue)/, `$1${squeue}$2`);
    // Only the sections asked for: a refresh that does not read the limits does not get them.
    for (const name of ['partitions', 'config']) {
      if (!script.includes(`'@@HPCW@@ begin ${name}'`)) replaced = replaced.replace(new RegExp(`@@HPCW@@ begin ${name}\\n[\\s\\S]*?@@HPCW@@ done ${name}\\n`), '');
    }
    this.lastStdout = replaced;
    return { stdout: replaced, stderr: '', code: 0 };
  }
}

test('monitor: a job of mine leaving squeue is reported with its final state; backoff on failure', async () => {
  const base = fixture('refresh-batch-sandbox.txt');
  const sq = fixture('squeue-sandbox.txt');
  const runner = new ScriptedRunner(base);
  const monitor = new ClusterMonitor(async () => runner, { cluster: 'sandbox', allUsers: () => false, intervalMs: () => 1000 });
  const finished: FinishedJobInfo[] = [];
  const done = new Promise<void>((resolve) => monitor.onFinishedJob((f) => (finished.push(f), resolve())));
  runner.queue.push(sq, sq.split('\n').filter((l) => !l.startsWith('13\x1f')).join('\n'));
  const first = await monitor.refresh();
  assert.equal(first.jobs.length, 6);
  const second = await monitor.refresh();
  assert.equal(second.jobs.length, 5);
  await done;
  assert.deepEqual(finished, [{ cluster: 'sandbox', jobId: '13', name: 'long run', state: 'COMPLETED', exitCode: '0:0' }]);
  assert.equal(runner.calls.length, 3, 'two refreshes + one lookup of the ended job');

  runner.fail = true;
  await assert.rejects(monitor.refresh(), /Unable to contact slurm controller/);
  const st = monitor.status;
  assert.equal(st.kind, 'error');
  assert.equal(st.kind === 'error' && st.retryInMs, 2000);
  await assert.rejects(monitor.refresh());
  assert.equal(monitor.status.kind === 'error' && monitor.status.retryInMs, 4000);
  assert.equal(ClusterMonitor.backoffMs(15_000, 10, 300_000), 300_000);
  runner.fail = false;
  runner.queue.push(sq);
  await monitor.refresh();
  assert.equal(monitor.status.kind, 'ok');
  monitor.stop();
});

test('monitor: the limits are read on the first refresh, then reused until old, asked for, or after a failure', async () => {
  const config = '@@HPCW@@ begin config\nCR_CORE,MULTIPLE_SHARING_GRES_PJ\n@@HPCW@@ end config 0\n\n@@HPCW@@ done config\n';
  const runner = new ScriptedRunner(fixture('refresh-batch-sandbox.txt').replace('@@HPCW@@ begin nodes', `${config}@@HPCW@@ begin nodes`));
  const monitor = new ClusterMonitor(async () => runner, { cluster: 'sandbox', allUsers: () => true, intervalMs: () => 60_000 });
  const readsPartitions = (): boolean => (runner.calls.at(-1)?.[2] ?? '').includes("'@@HPCW@@ begin partitions'");
  const first = await monitor.refresh();
  assert.equal(readsPartitions(), true);
  const second = await monitor.refresh();
  assert.equal(readsPartitions(), false, 'the second refresh reuses them');
  assert.ok(!runner.lastStdout.includes('begin partitions'), 'the scripted cluster answered without them');
  assert.deepEqual(first.snapshot.selectTypeParameters, ['CR_CORE', 'MULTIPLE_SHARING_GRES_PJ']);
  assert.deepEqual(second.snapshot.partitions, first.snapshot.partitions);
  assert.deepEqual(second.snapshot.selectTypeParameters, first.snapshot.selectTypeParameters);
  assert.deepEqual(second.partitions, first.partitions);
  await monitor.refresh({ limits: true });
  assert.equal(readsPartitions(), true, 'a refresh the user asked for reads them');
  runner.fail = true;
  await assert.rejects(monitor.refresh());
  runner.fail = false;
  await monitor.refresh();
  assert.equal(readsPartitions(), true, 'after a failure they are read again');
  monitor.stop();
  const always = new ClusterMonitor(async () => runner, { cluster: 'sandbox', allUsers: () => true, intervalMs: () => 60_000, limitsMaxAgeMs: 0 });
  await always.refresh();
  await always.refresh();
  assert.equal(readsPartitions(), true, 'once their reading is old enough, they are read again');
  always.stop();
});

test('monitor: a queue listed in an action\'s round trip shows at once; a refresh begun before it keeps the newer queue', async () => {
  const sq = fixture('squeue-sandbox.txt');
  const without13 = sq.split('\n').filter((l) => !l.startsWith('13\x1f')).join('\n');
  const runner = new ScriptedRunner(fixture('refresh-batch-sandbox.txt'));
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let gatedCalled = false;
  const gated: CommandRunner = {
    exec: async (argv) => {
      gatedCalled = true;
      await gate;
      return runner.exec(argv);
    },
  };
  let current: CommandRunner = runner;
  const monitor = new ClusterMonitor(async () => current, { cluster: 'sandbox', allUsers: () => false, intervalMs: () => 60_000 });
  const finished: FinishedJobInfo[] = [];
  monitor.onFinishedJob((f) => finished.push(f));
  const shown: number[] = [];
  monitor.onStatus((st) => st.kind === 'ok' && shown.push(st.state.jobs.length));
  runner.queue.push(sq);
  assert.equal((await monitor.refresh()).jobs.length, 6);

  // A periodic refresh begins (and reads the queue) before the action...
  current = gated;
  runner.queue.push(sq);
  const pending = monitor.refresh();
  while (!gatedCalled) await new Promise((resolve) => setTimeout(resolve, 1));
  await new Promise((resolve) => setTimeout(resolve, 5));
  // ...then the action's round trip lists the queue without job 13: shown at once.
  const listing = monitor.queueListing();
  assert.deepEqual(listing.argv.slice(0, 2), ['squeue', '--local']);
  listing.read({ name: 'queue', code: 0, stdout: without13, stderr: '' });
  assert.equal(monitor.state?.jobs.length, 5);
  assert.deepEqual(shown, [6, 5]);
  release();
  const after = await pending;
  assert.equal(after.jobs.length, 5, 'the older queue of the refresh begun before does not bring the job back');
  current = runner;
  runner.queue.push(without13);
  assert.equal((await monitor.refresh()).jobs.length, 5);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(finished.map((f) => f.jobId), ['13'], 'its end reported once');
  // A listing that failed, or one older than the jobs shown, changes nothing.
  const old = monitor.queueListing();
  runner.queue.push(without13);
  await monitor.refresh();
  old.read({ name: 'queue', code: 0, stdout: sq, stderr: '' });
  assert.equal(monitor.state?.jobs.length, 5, 'a listing older than the last refresh is ignored');
  monitor.queueListing().read({ name: 'queue', code: 1, stdout: '', stderr: 'squeue: error: timeout' });
  assert.equal(monitor.state?.jobs.length, 5, 'a failed listing is ignored');
  monitor.stop();
});

test('monitor: refreshes asked for during a refresh share one more round trip', async () => {
  const base = fixture('refresh-batch-sandbox.txt');
  const runner = new ScriptedRunner(base);
  const monitor = new ClusterMonitor(async () => runner, { cluster: 'sandbox', allUsers: () => true, intervalMs: () => 60_000 });
  const all = await Promise.all([monitor.refresh(), monitor.refresh(), monitor.refresh(), monitor.refresh()]);
  assert.equal(runner.calls.length, 2);
  assert.equal(all[1], all[3], 'the later callers got the same, newer state');
  assert.notEqual(all[0], all[1]);
});
