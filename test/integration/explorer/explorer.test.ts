/**
 * The explorer's core against the sandbox cluster, over both transports: the refresh batch
 * (partitions, nodes, queue), a job's life until the monitor reports it finished, job actions
 * verified by state, the all-users toggle, and recovery after slurmctld is stopped and restarted.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
import { LocalTransport } from '../../../src/transport/local';
import type { SshTransport } from '../../../src/transport/ssh';
import type { CommandRunner } from '../../../src/core/transport';
import { ClusterMonitor, type FinishedJobInfo } from '../../../src/core/slurm/monitor';
import { fetchHistory } from '../../../src/cluster/accounting';
import { runJobAction } from '../../../src/core/slurm/jobActions';
import type { ClusterState } from '../../../src/core/slurm/clusterState';
import { ensureAuthorizedKey, sandboxTransport } from '../sync/sandboxSsh';
import { until } from '../../support/until';

const info: SandboxInfo = loadSandbox();
const local = new LocalTransport({ slurmConf: info.slurmConf });
let ssh: SshTransport;

function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  return until(fn, { what, timeoutMs, intervalMs: 300 });
}

async function submit(runner: CommandRunner, args: string[]): Promise<string> {
  const r = await runner.exec(['sbatch', '--parsable', '-o', '/dev/null', ...args], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, `sbatch failed: ${r.stderr}`);
  return r.stdout.trim().split(';')[0];
}

function monitorFor(runner: CommandRunner, allUsers = false): ClusterMonitor {
  return new ClusterMonitor(async () => runner, { cluster: 'sandbox', allUsers: () => allUsers, intervalMs: () => 60_000 });
}

before(async () => {
  ensureAuthorizedKey(info);
  ssh = sandboxTransport(info);
  await ssh.connect();
});

after(async () => {
  // Leave nothing in the queue of this instance.
  await local.exec(['scancel', '-u', 'root', '-n', 'hpcw-explorer-test']).catch(() => undefined);
  await local.exec(['scancel', '-u', info.sshUser, '-n', 'hpcw-explorer-test']).catch(() => undefined);
  ssh?.dispose();
});

for (const kind of ['local', 'ssh'] as const) {
  const runner = (): CommandRunner => (kind === 'local' ? local : ssh);

  describe(`explorer over ${kind}`, () => {
    // slurmctld's jobcomp/filetxt plugin resets its log to 0644 whenever it (re)reads its
    // configuration; the sandbox means it to be readable by `sacct -c` of every user, which opens it
    // for appending. (Unreadable, the history has no jobs, without errors.)
    beforeEach(() => fs.chmodSync(info.jobCompLoc, 0o666));
    test('one refresh shows the 2 partitions and the 4 nodes', async () => {
      const m = monitorFor(runner());
      const state = await m.refresh();
      assert.deepEqual(state.snapshot.partitions.map((p) => p.name).sort(), info.partitions.map((p) => p.name).sort());
      assert.deepEqual(state.snapshot.nodes.map((n) => n.name), ['n1', 'n2', 'n3', 'n4']);
      const debug = state.snapshot.partitions.find((p) => p.name === 'debug');
      assert.equal(debug?.isDefault, true);
      assert.equal(debug?.maxTimeMinutes, 30);
      assert.equal(state.summary.nodes, 4);
      assert.equal(state.user, kind === 'local' ? 'root' : info.sshUser);
      assert.equal(state.snapshot.slurmVersion, info.slurmFullVersion, 'the version of the sandbox the env selects');
      // The sandbox's typed GPUs, as the explorer's GPU columns read them.
      assert.deepEqual(state.snapshot.nodes.map((n) => n.gres.map((g) => `${g.name}:${g.type}:${g.count}`)), info.nodes.map((n) => n.gres));
      assert.deepEqual(state.partitions.map((p) => [p.name, p.gpus.total]).sort(), [['compute', 5], ['debug', 4]]);
      assert.equal(state.summary.gpus, 5);
    });

    test('a job holding a typed GPU shows in the GPU columns while it runs', async () => {
      const id = await submit(runner(), ['-J', 'hpcw-explorer-test', '-p', 'debug', '-t', '2', '--gres=gpu:a100:2', '--wrap', 'sleep 60']);
      try {
        const m = monitorFor(runner());
        await waitFor('the GPU job to run', async () => {
          const s = await m.refresh();
          return s.jobs.some((j) => j.jobId === id && j.state === 'RUNNING') ? s : undefined;
        });
        // squeue may say RUNNING a moment before the node reports the GPUs in use (seen on 26.05):
        // wait for the node's state, bounded, while the job still runs.
        const state = await waitFor('the GPUs in use on the node', async () => {
          const s = await m.refresh();
          const gpus = s.partitions.find((p) => p.name === 'debug')?.gpus;
          return gpus?.allocated === 2 || !s.jobs.some((j) => j.jobId === id && j.state === 'RUNNING') ? s : undefined;
        });
        const debug = state.partitions.find((p) => p.name === 'debug');
        assert.deepEqual(debug?.gpus, { allocated: 2, total: 4 });
        assert.equal(state.nodes.filter((n) => n.gpusAllocated === 2).length, 1);
      } finally {
        await runJobAction(runner(), 'cancel', [id]);
      }
    });

    test('a submitted job appears, runs, and is reported COMPLETED when it leaves the queue', async () => {
      const m = monitorFor(runner());
      await m.refresh();
      const finished: FinishedJobInfo[] = [];
      m.onFinishedJob((f) => finished.push(f));
      const id = await submit(runner(), ['-J', 'hpcw-explorer-test', '-p', 'debug', '-t', '1', '--wrap', 'sleep 2']);
      const seen = await waitFor('the job in squeue', async () => {
        const s = await m.refresh();
        return s.jobs.find((j) => j.jobId === id);
      });
      assert.equal(seen.name, 'hpcw-explorer-test');
      assert.equal(seen.partition, 'debug');
      await waitFor('the job to run', async () => {
        const s = await m.refresh();
        const j = s.jobs.find((x) => x.jobId === id);
        return !j || j.state === 'RUNNING' ? true : undefined;
      });
      const done = await waitFor('the finished-job report', async () => {
        await m.refresh();
        return finished.find((f) => f.jobId === id);
      }, 60_000);
      assert.equal(done.state, 'COMPLETED');
      assert.equal(done.exitCode, '0:0');
      assert.equal(done.name, 'hpcw-explorer-test');
      // It shows up in the history (the job completion log: the sandbox runs without slurmdbd).
      const recent = await waitFor('the job in the history', async () => (await fetchHistory(runner(), { days: 1 })).jobs.find((j) => j.jobId === id));
      assert.equal(recent.state, 'COMPLETED');
    });

    test('hold, release, requeue and cancel take effect (verified by state)', async () => {
      const later = await submit(runner(), ['-J', 'hpcw-explorer-test', '-p', 'debug', '--begin=now+3600', '--wrap', 'sleep 30']);
      const running = await submit(runner(), ['-J', 'hpcw-explorer-test', '-p', 'debug', '-t', '5', '--wrap', 'sleep 300']);
      let [r] = await runJobAction(runner(), 'hold', [later]);
      assert.equal(r.ok, true, r.error);
      assert.match(r.reason ?? '', /^JobHeld(User|Admin)$/);
      [r] = await runJobAction(runner(), 'release', [later]);
      assert.equal(r.ok, true, r.error);
      assert.doesNotMatch(r.reason ?? '', /JobHeld/);
      await waitFor('the second job to run', async () => {
        const s = await monitorFor(runner()).refresh();
        return s.jobs.find((j) => j.jobId === running && j.state === 'RUNNING');
      });
      [r] = await runJobAction(runner(), 'requeue', [running]);
      assert.equal(r.ok, true, r.error);
      const results = await runJobAction(runner(), 'cancel', [later, running]);
      assert.deepEqual(results.map((x) => [x.jobId, x.ok]), [
        [later, true],
        [running, true],
      ]);
      // A cancelled job may stay in squeue for a moment (COMPLETING, seen on 24.11): wait for it to leave, bounded.
      const m = monitorFor(runner());
      await waitFor('the cancelled jobs to leave the queue', async () => {
        const s = await m.refresh();
        return s.jobs.some((j) => j.jobId === later || j.jobId === running) ? undefined : true;
      });
    });

    test('acting on an unknown job is an error, not a silent success', async () => {
      const [r] = await runJobAction(runner(), 'cancel', ['987654']);
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /987654 is not known to the cluster/);
    });

    test('slurmctld stopped: the refresh fails with its message and backs off; restarted: it recovers', async () => {
      const m = monitorFor(runner());
      await m.refresh();
      await sandboxCtl('stop-ctld');
      try {
        await assert.rejects(m.refresh(), /Unable to contact slurm controller|Socket timed out|Connection refused|Zero Bytes/i);
        const st = m.status;
        assert.equal(st.kind, 'error');
        if (st.kind === 'error') {
          assert.ok(st.state, 'the last good state is kept for the views');
          assert.equal(st.retryInMs, 120_000, 'the interval doubled');
        }
      } finally {
        await sandboxCtl('start-ctld');
      }
      const state = await waitFor('the cluster to answer again', async () => m.refresh().catch(() => undefined), 60_000);
      assert.equal(state.snapshot.nodes.length, 4);
      assert.equal(m.status.kind, 'ok');
    });
  });
}

describe('all users', () => {
  test("mine by default; everyone's on demand", async () => {
    const rootJob = await submit(local, ['-J', 'hpcw-explorer-test', '-p', 'compute', '--begin=now+3600', '--wrap', 'true']);
    const userJob = await submit(ssh, ['-J', 'hpcw-explorer-test', '-p', 'compute', '--begin=now+3600', '--wrap', 'true']);
    try {
      const mineSsh: ClusterState = await monitorFor(ssh).refresh();
      assert.ok(mineSsh.jobs.some((j) => j.jobId === userJob));
      assert.ok(!mineSsh.jobs.some((j) => j.jobId === rootJob), "root's job is not among the test user's");
      const allSsh = await monitorFor(ssh, true).refresh();
      assert.ok(allSsh.jobs.some((j) => j.jobId === rootJob && j.user === 'root'));
      assert.ok(allSsh.jobs.some((j) => j.jobId === userJob && j.user === info.sshUser));
      const mineRoot = await monitorFor(local).refresh();
      assert.ok(mineRoot.jobs.some((j) => j.jobId === rootJob) && !mineRoot.jobs.some((j) => j.jobId === userJob));
      // Another user's job: a clear refusal.
      const [r] = await runJobAction(ssh, 'cancel', [rootJob]);
      assert.equal(r.ok, false);
      assert.match(r.error ?? '', /belongs to another user/);
    } finally {
      await runJobAction(local, 'cancel', [rootJob, userJob]);
    }
  });
});

describe('connection faults', () => {
  test('sshd stopped mid-session: the refresh fails with the connection error; restarted: it reconnects by itself', async () => {
    const t = sandboxTransport(info);
    try {
      await t.connect();
      const m = monitorFor(t);
      await m.refresh();
      await sandboxCtl('stop-sshd');
      try {
        await assert.rejects(m.refresh());
        const st = m.status;
        assert.equal(st.kind, 'error');
        assert.match(st.kind === 'error' ? st.message : '', /connect|closed|lost|refused|reset|ended/i);
      } finally {
        await sandboxCtl('start-sshd');
        ensureAuthorizedKey(info);
      }
      const state = await waitFor('the refresh to succeed again', async () => m.refresh().catch(() => undefined), 90_000);
      assert.equal(state.snapshot.nodes.length, 4);
      assert.ok(t.connectionCount >= 2, 'a new SSH connection was made');
    } finally {
      t.dispose();
    }
  });
});
