/**
 * Live means live, against the sandbox over its sshd: a followed job's output is streamed on the
 * cluster's connection (one long-lived channel), every byte delivered exactly once across sshd
 * being stopped and started again (sha256 of what was delivered = sha256 of the file); hostile file
 * names stream and execute nothing; the stream ends (no tail left on the host) when the job ends;
 * the polling fallback gives the same bytes; after a cancel the job leaves the cluster's list
 * without waiting for the periodic refresh.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Cluster, ClusterRegistry, LocalFolder, OutputFollower } from '../../../src/cluster';
import { shellQuote } from '../../../src/core/shellQuote';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
import { sandboxCluster, untilSettled, untilValue as until } from './sandboxCluster';

let info: SandboxInfo;
let registry: ClusterRegistry;
let cluster: Cluster;
let folder: LocalFolder;
let remote: string;
const pwned = path.join(tmpdir(), `hpcw-pwned-${randomBytes(4).toString('hex')}`);
const run = randomBytes(4).toString('hex');

before(async () => {
  info = loadSandbox();
  // The job's end comes from the regular refresh: a short interval keeps the tests quick.
  ({ registry, cluster } = sandboxCluster(info, { remoteDir: `~/live-tests/${run}`, refreshIntervalMs: () => 2000 }));
  folder = { root: mkdtempSync(path.join(tmpdir(), 'hpcw-live-')), name: 'ws' };
  await cluster.connect();
  remote = await cluster.remoteDir(folder.name);
});

after(async () => {
  await sandboxCtl('start-sshd').catch(() => undefined);
  await cluster.exec(['sh', '-c', 'rm -rf "$HOME/live-tests"']).catch(() => undefined);
  registry.dispose();
  rmSync(folder.root, { recursive: true, force: true });
});

/** A job that appends `count` numbered lines to `file`, one every `pauseS` seconds. */
function numberedLines(file: string, count: number, pauseS: number): string {
  return `#!/bin/bash\n#SBATCH -t 2\n#SBATCH -o /dev/null\nF=${shellQuote(file)}\nfor i in $(seq 1 ${count}); do printf 'line %05d of ${count}\\n' "$i" >> "$F"; sleep ${pauseS}; done\n`;
}

async function remoteSha256(file: string): Promise<string> {
  const result = await cluster.exec(['sha256sum', '--', file]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split(' ')[0];
}

/** What the follower delivers, as bytes, in order; resolves at its end. */
function collect(follower: OutputFollower): { bytes: () => Buffer; ended: Promise<void> } {
  const parts: Buffer[] = [];
  const off = follower.onUpdate((update) => {
    if (update.text) parts.push(Buffer.from(update.text, 'utf8'));
  });
  return { bytes: () => Buffer.concat(parts), ended: follower.done().finally(off) };
}

async function tailsOnHost(file: string): Promise<number> {
  const result = await cluster.exec(['ps', '-u', info.sshUser, '-o', 'args=']);
  return result.stdout.split('\n').filter((line) => line.startsWith('tail -c') && line.includes(file)).length;
}

test('a followed job is streamed, and every byte arrives exactly once although sshd is stopped and started mid-job', async () => {
  const file = `${remote}/numbers.out`;
  await cluster.exec(['mkdir', '-p', '--', remote]);
  const submitted = await cluster.submitText(folder, numberedLines(file, 400, 0.05), ['-p', 'debug']);
  const follower = await cluster.followOutput(submitted.jobId, file);
  const got = collect(follower);
  await until('the first lines, streamed', () => (got.bytes().includes('line 00020') ? true : undefined));
  assert.equal(follower.following, 'stream');
  await sandboxCtl('stop-sshd');
  // The job goes on writing while nobody can read: the follower must resume from its offset.
  const lost = await until('the follower to notice', () => (follower.poll().then((u) => u.error) as Promise<string | undefined>));
  assert.match(lost, /resuming from byte \d+/);
  await sandboxCtl('start-sshd');
  await untilSettled('the follower to end with the job', got.ended);
  const update = await follower.poll();
  assert.equal(update.ended, true);
  assert.equal(update.state, 'COMPLETED');
  assert.ok(follower.streamStarts >= 2, `streams started: ${follower.streamStarts}`);
  const delivered = got.bytes();
  assert.equal(delivered.toString().split('\n').length - 1, 400);
  assert.equal(createHash('sha256').update(delivered).digest('hex'), await remoteSha256(file));
  assert.equal(update.offset, delivered.length);
  assert.equal(await tailsOnHost(file), 0, 'the stream ended with the job');
});

test('hostile file names stream correctly and execute nothing; the stream ends when the job ends', async () => {
  const dir = `${remote}/dir 'q' "d" $(touch ${pwned}) ;`;
  const file = `${dir}/out $(id) 'x' "y" \`id\`.log`;
  await cluster.exec(['mkdir', '-p', '--', dir]);
  const submitted = await cluster.submitText(folder, numberedLines(file, 30, 0.1), ['-p', 'debug']);
  const follower = await cluster.followOutput(submitted.jobId, file);
  const got = collect(follower);
  await until('the first line, streamed', () => (got.bytes().includes('line 00001') ? true : undefined));
  assert.equal(await tailsOnHost(file), 1, 'one stream on the host while the job runs');
  await untilSettled('the follower to end with the job', got.ended);
  assert.equal(follower.following, 'stream');
  assert.equal(createHash('sha256').update(got.bytes()).digest('hex'), await remoteSha256(file));
  assert.ok(!existsSync(pwned), 'a file name reached a shell');
  assert.equal(await tailsOnHost(file), 0, 'the stream ended with the job');
});

test('a large file opens on its tail; the polling fallback delivers the same bytes', async () => {
  const file = `${remote}/big.out`;
  const made = await cluster.exec(['sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" "x" > "$1" && echo END >> "$1"', 'sh', file]);
  assert.equal(made.code, 0, made.stderr);
  const submitted = await cluster.submitText(folder, numberedLines(file, 20, 0.1), ['-p', 'debug']);
  for (const noStream of [false, true]) {
    const follower = await cluster.followOutput(submitted.jobId, file, { tailBytes: 1000, noStream });
    const first = await until('the tail', async () => {
      const update = await follower.poll();
      return update.skippedBytes > 0 ? update : undefined;
    });
    assert.ok(first.skippedBytes >= 3_000_004 - 1000, `${first.skippedBytes}`);
    assert.equal(follower.following, noStream ? 'poll' : 'stream');
    let text = first.text;
    await untilSettled('the follower to end with the job', follower.done());
    text += (await follower.poll()).text;
    const size = Number((await cluster.exec(['sh', '-c', 'wc -c < "$1"', 'sh', file])).stdout.trim());
    assert.equal(first.skippedBytes + Buffer.byteLength(text), size);
    assert.match(text, /line 00020 of 20\n$/);
  }
});

test('after a cancel the job leaves the list at once, without waiting for the periodic refresh', async () => {
  // A refresh interval of 10 minutes: only the refresh that follows the action can explain it.
  const slow = sandboxCluster(info, { remoteDir: `~/live-tests/${run}`, refreshIntervalMs: () => 600_000 });
  try {
    await slow.cluster.connect();
    const submitted = await slow.cluster.submitText(folder, '#!/bin/bash\n#SBATCH -t 2\n#SBATCH -o /dev/null\nsleep 100\n', ['-p', 'debug']);
    await until('the job in the list (the refresh after submit)', () => (slow.cluster.knowsJob(submitted.jobId) ? true : undefined));
    const [result] = await slow.cluster.jobAction('cancel', [submitted.jobId]);
    assert.ok(result?.ok, result?.error);
    assert.ok(slow.cluster.actionRefreshes >= 1, 'refreshed right after the action');
    await until('the job to leave the list', () => (slow.cluster.knowsJob(submitted.jobId) ? undefined : true), 30_000);
  } finally {
    slow.registry.dispose();
  }
});
