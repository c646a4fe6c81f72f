/**
 * Submission against the sandbox cluster over SSH: sync the fixture workspace, submit the mpi4py
 * job over 2 nodes (srun --mpi=pmix), follow its output with incremental reads until it ends;
 * `sbatch --test-only` answers; output pattern resolution against what scontrol prints.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from '../sync/sandboxSsh';
import type { SshTransport } from '../../../src/transport/ssh';
import { SftpFileTransfer } from '../../../src/transport/sftpFileTransfer';
import { syncAndSubmit, syncAndTest, type RemoteWorkspace } from '../../../src/cluster/submit';
import { OutputFollower, outputPathsOf, readJob } from '../../../src/cluster/outputFollower';

const fixture = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'workspace');
let ssh: SshTransport;
let workspace: RemoteWorkspace;

before(async () => {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  ssh = sandboxTransport(info);
  const localRoot = mkdtempSync(path.join(tmpdir(), 'hpcw-submit-'));
  cpSync(fixture, localRoot, { recursive: true });
  workspace = {
    runner: ssh,
    transfer: new SftpFileTransfer(await ssh.sftp(), ssh),
    localRoot,
    remoteRoot: `${await ssh.homeDir()}/submit-tests/ws-${randomBytes(4).toString('hex')}`,
  };
});

after(async () => {
  await ssh.exec(['rm', '-rf', workspace.remoteRoot]);
  rmSync(workspace.localRoot, { recursive: true, force: true });
  ssh.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('an mpi4py job over 2 nodes is submitted, completes, and its output is followed incrementally', async (t) => {
  if (!loadSandbox().mpi) {
    t.skip(`no MPI in the Slurm ${loadSandbox().slurmVersion} chroot (srun --mpi=pmix needs the host's Open MPI)`);
    return;
  }
  const submitted = await syncAndSubmit(workspace, path.join(workspace.localRoot, 'jobs', 'mpi_pi.sbatch'));
  assert.match(submitted.jobId, /^\d+$/);
  assert.equal(submitted.script, 'jobs/mpi_pi.sbatch');
  assert.ok(submitted.sync.uploaded.includes('mpi/pi.py'));

  const job = await readJob(ssh, submitted.jobId);
  assert.ok(job, 'scontrol knows the new job');
  const { stdout } = outputPathsOf(job);
  assert.equal(stdout, `${workspace.remoteRoot}/mpi-pi-${submitted.jobId}.out`);

  const follower = new OutputFollower(ssh, workspace.transfer, submitted.jobId, stdout, { chunkBytes: 64 });
  let text = '';
  const states = new Set<string>();
  let last;
  for (let i = 0; i < 240 && !follower.hasEnded; i++) {
    last = await follower.poll();
    text += last.text;
    states.add(last.state);
    if (!last.ended) await sleep(500);
  }
  assert.ok(last?.ended, `the job ended (states seen: ${[...states].join(', ')})`);
  assert.equal(last.state === 'UNKNOWN' ? 'COMPLETED' : last.state, 'COMPLETED', text);
  assert.match(text, /pi ~= 3\.14159\d+ .* on 4 ranks/);
  assert.equal(text.match(/^rank \d of 4 on /gm)?.length, 4, text);
  const ended = await readJob(ssh, submitted.jobId);
  if (ended) assert.equal(new Set(ended.nodeList).size, 2, 'ran on 2 nodes');

  // Incremental: every byte of the file was read exactly once, in several small reads.
  const size = (await workspace.transfer.stat(stdout))!.size;
  assert.equal(last.offset, size);
  assert.equal(follower.readSizes.reduce((a, b) => a + b, 0), size);
  assert.equal(Buffer.byteLength(text), size);
});

test('a large output file opens on its tail only', async () => {
  const remote = `${workspace.remoteRoot}/big.out`;
  // The workspace folder exists only once something was synced (not yet when the MPI case is skipped).
  const made = await ssh.exec(['sh', '-c', 'mkdir -p "${1%/*}" && head -c 3000000 /dev/zero | tr "\\0" "x" > "$1" && echo END >> "$1"', 'sh', remote]);
  assert.equal(made.code, 0, made.stderr);
  const submitted = await syncAndSubmit(workspace, path.join(workspace.localRoot, 'jobs', 'hello.sbatch'));
  const follower = new OutputFollower(ssh, workspace.transfer, submitted.jobId, remote, { tailBytes: 1000 });
  const first = await follower.poll();
  assert.equal(first.skippedBytes, 3_000_004 - 1000);
  assert.equal(Buffer.byteLength(first.text), 1000);
  assert.match(first.text, /END\n$/);
});

test('sbatch --test-only: an estimate for a good script, the error for a bad one', async () => {
  const good = await syncAndTest(workspace, path.join(workspace.localRoot, 'jobs', 'mpi_pi.sbatch'));
  assert.equal(good.ok, true, good.errors.join('\n'));
  assert.match(good.startTime ?? '', /^\d{4}-\d\d-\d\dT/);
  assert.equal(good.partition, 'compute');

  writeFileSync(path.join(workspace.localRoot, 'jobs', 'bad.sbatch'), '#!/bin/bash\n#SBATCH --partition=nope\nhostname\n');
  const bad = await syncAndTest(workspace, path.join(workspace.localRoot, 'jobs', 'bad.sbatch'));
  assert.equal(bad.ok, false);
  assert.ok(bad.errors.some((e) => /partition/i.test(e)), bad.errors.join('\n'));
});

test('sbatch refusing a script is a clear error', async () => {
  writeFileSync(path.join(workspace.localRoot, 'jobs', 'badpartition.sbatch'), '#!/bin/bash\n#SBATCH --partition=nope\nhostname\n');
  await assert.rejects(syncAndSubmit(workspace, path.join(workspace.localRoot, 'jobs', 'badpartition.sbatch')), /sbatch refused jobs\/badpartition\.sbatch: .*partition/i);
});
