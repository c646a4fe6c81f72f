/**
 * The cluster service (src/cluster) against the sandbox over its sshd, as the extension uses it:
 * a registry built from settings entries, the monitor's events, sync + submit from a folder with a
 * hostile name, job actions verified and reflected in the next state, job details, output
 * following, and the job-finished event.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Cluster, ClusterRegistry, FinishedJobInfo, LocalFolder } from '../../../src/cluster';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { sandboxCluster, untilValue as until } from './sandboxCluster';

let info: SandboxInfo;
let registry: ClusterRegistry;
let cluster: Cluster;
let folder: LocalFolder;
const finished: FinishedJobInfo[] = [];
const pwned = path.join(tmpdir(), `hpcw-pwned-${randomBytes(4).toString('hex')}`);
/** A remote folder name that would run a command if it ever reached a shell unquoted. */
const hostile = `ws 'q' "d" $(touch ${pwned}); ;`;


before(async () => {
  info = loadSandbox();
  // A followed job's end comes from the regular refresh: a short interval keeps the tests quick.
  ({ registry, cluster } = sandboxCluster(info, { remoteDir: `~/cluster-tests/${randomBytes(4).toString('hex')}/${hostile}`, refreshIntervalMs: () => 3000 }));
  registry.onDidFinishJob((job) => finished.push(job));
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-cluster-'));
  writeFileSync(path.join(root, 'quick.sbatch'), '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -t 1\n#SBATCH -o quick-%j.out\necho "quick marker $SLURM_JOB_ID"\n');
  writeFileSync(path.join(root, 'later.sbatch'), '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -t 1\n#SBATCH --begin=now+1hour\ntrue\n');
  folder = { root, name: 'ws' };
});

after(async () => {
  await cluster.exec(['sh', '-c', 'rm -rf "$HOME/cluster-tests"']).catch(() => undefined);
  registry.dispose();
  rmSync(folder.root, { recursive: true, force: true });
});

test('a watched cluster refreshes and reports its partitions through its view', async () => {
  const refreshed = new Promise<void>((resolve) => {
    const off = registry.onDidRefresh(({ cluster: name }) => {
      if (name === 'sandbox') {
        off();
        resolve();
      }
    });
  });
  cluster.watch();
  // The monitor's timer does not keep a process alive (unref): wait on the refresh itself too.
  await cluster.refresh();
  await refreshed;
  // The first refresh of watch() and this one may run one after the other: wait for the last.
  const view = await until('a settled refresh', () => (cluster.view().status.kind === 'ok' ? cluster.view() : undefined));
  assert.equal(view.connection, 'connected');
  assert.deepEqual(view.state?.snapshot.partitions.map((p) => p.name).sort(), info.partitions.map((p) => p.name).sort());
});

test('reloading the same entry keeps the cluster and its connection; a changed entry replaces it', () => {
  registry.reload([{ ...cluster.config }]);
  assert.equal(registry.get('sandbox'), cluster);
  assert.equal(registry.get('sandbox')!.view().connection, 'connected');
});

test('submit syncs into a remote folder with a hostile name, runs sbatch there, and the output can be followed to the end', async () => {
  const submitted = await cluster.submit(folder, path.join(folder.root, 'quick.sbatch'));
  assert.match(submitted.jobId, /^\d+$/);
  assert.ok(!existsSync(pwned), 'the folder name reached a shell');
  const remote = await cluster.remoteDir(folder.name);
  assert.ok(remote.endsWith(`/${hostile}`), remote);
  const paths = await until('the job to be known', () => cluster.outputPaths(submitted.jobId));
  assert.equal(paths.stdout, `${remote}/quick-${submitted.jobId}.out`);
  const follower = await cluster.followOutput(submitted.jobId, paths.stdout);
  let text = '';
  await until('the job to end', async () => {
    const update = await follower.poll();
    text += update.text;
    return update.ended ? true : undefined;
  });
  assert.match(text, new RegExp(`quick marker ${submitted.jobId}`));
  const details = await cluster.jobDetails(submitted.jobId);
  assert.match(details, new RegExp(`JobId=${submitted.jobId}|JobID=${submitted.jobId}`));
});

test('submitText sends a script given as text on stdin, with options as argv, in the remote folder (a notebook cell)', async () => {
  const name = `cell 'q' $(touch ${pwned});`;
  const script = '#!/bin/bash\n#SBATCH -t 1\n#SBATCH -o cell-%j.out\necho "cell marker $SLURM_JOB_ID in $PWD"\n';
  const submitted = await cluster.submitText(folder, script, ['-p', 'debug', `--job-name=${name}`]);
  assert.match(submitted.jobId, /^\d+$/);
  assert.ok(!existsSync(pwned), 'an option reached a shell');
  const job = await until('the job to be known', () => cluster.job(submitted.jobId));
  assert.equal(job.name, name);
  assert.equal(job.partition, 'debug');
  const remote = await cluster.remoteDir(folder.name);
  const paths = await until('the output paths', () => cluster.outputPaths(submitted.jobId));
  assert.equal(paths.stdout, `${remote}/cell-${submitted.jobId}.out`);
  const follower = await cluster.followOutput(submitted.jobId, paths.stdout);
  let text = '';
  await until('the job to end', async () => {
    const update = await follower.poll();
    text += update.text;
    return update.ended ? true : undefined;
  });
  assert.match(text, new RegExp(`cell marker ${submitted.jobId} in ${remote.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await assert.rejects(cluster.submitText(folder, 'echo no shebang\n'), /sbatch refused the script: .*#!/s);
});

test('hold, release and cancel are verified, show in the next state, and the end is reported', async () => {
  const { jobId } = await cluster.submit(folder, path.join(folder.root, 'later.sbatch'));
  await until('the job in the state', () => (cluster.knowsJob(jobId) ? true : undefined));
  const [held] = await cluster.jobAction('hold', [jobId]);
  assert.equal(held.ok, true, held.error);
  assert.match(cluster.state?.jobs.find((j) => j.jobId === jobId)?.reason ?? '', /held/i);
  const [released] = await cluster.jobAction('release', [jobId]);
  assert.equal(released.ok, true, released.error);
  const [cancelled] = await cluster.jobAction('cancel', [jobId]);
  assert.equal(cancelled.ok, true, cancelled.error);
  await until('the job to leave the state', async () => {
    await cluster.refresh();
    return cluster.knowsJob(jobId) ? undefined : true;
  });
  const end = await until('the finished event', () => finished.find((f) => f.jobId === jobId));
  assert.equal(end.state, 'CANCELLED');
});

test('a job action on an unknown job fails with a clear message and loses nothing', async () => {
  const [result] = await cluster.jobAction('hold', ['999999999']);
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /999999999/);
  assert.equal(cluster.view().status.kind, 'ok');
});

test('disconnect stops the refresh; the next operation connects again', async () => {
  cluster.disconnect();
  assert.equal(cluster.view().userDisconnected, true);
  await cluster.refresh();
  assert.equal(cluster.view().userDisconnected, true, 'refresh must not reconnect a cluster the user disconnected');
  const r = await cluster.exec(['echo', 'back']);
  assert.equal(r.stdout.trim(), 'back');
  assert.equal(cluster.view().userDisconnected, false);
});
