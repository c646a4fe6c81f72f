/**
 * The live follower with real local processes and files, the job's state given as a refresh
 * would: bytes streamed as written, the end (from the refresh) drains what the stream had not
 * delivered yet, and a host without a following tail falls back to polling with the same bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OutputFollower, type JobStateSource } from '../../../src/cluster/outputFollower';
import type { SqueueJob } from '../../../src/core/slurm/squeue';
import type { CommandRunner } from '../../../src/core/transport';
import { LocalTransport } from '../../../src/transport/local';
import { LocalFileTransfer } from '../../../src/transport/localFileTransfer';
import { until } from '../../support/until';

const dir = mkdtempSync(path.join(tmpdir(), 'hpcw-follow-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** A refresh the test drives: the job's state, and the event. */
function refreshes(): JobStateSource & { set(state: string): void } {
  let job: SqueueJob | undefined;
  const listeners = new Set<() => void>();
  return {
    lookup: () => job,
    onRefresh: (l) => (listeners.add(l), () => listeners.delete(l)),
    paused: () => false,
    set(state) {
      job = { jobId: '7', jobIdNumeric: '7', name: 'j', user: 'u', state, reason: 'None', elapsedSeconds: 1, timeLimitSeconds: 60, nodes: 1, cpus: 1, nodeListText: 'n1', partition: 'debug' };
      for (const l of [...listeners]) l();
    },
  };
}

async function follow(runner: CommandRunner, file: string): Promise<{ follower: OutputFollower; text: () => string }> {
  const source = refreshes();
  source.set('RUNNING');
  const follower = new OutputFollower(runner, new LocalFileTransfer(), '7', file, { pollMs: 50 }, source);
  let text = '';
  follower.onUpdate((u) => (text += u.text));
  appendFileSync(file, 'one\n');
  await until(() => text.includes('one\n'), { what: 'the first line' });
  // Written just before the end: the drain after the end must deliver it.
  appendFileSync(file, 'two\n');
  source.set('COMPLETED');
  await follower.done();
  return { follower, text: () => text };
}

test('a live follower streams, and ends on the refresh saying COMPLETED with every byte', async () => {
  const file = path.join(dir, 'stream.log');
  writeFileSync(file, 'zero\n');
  const { follower, text } = await follow(new LocalTransport(), file);
  assert.equal(follower.following, 'stream');
  assert.equal(text(), readFileSync(file, 'utf8'));
  const last = await follower.poll();
  assert.equal(last.ended, true);
  assert.equal(last.state, 'COMPLETED');
  assert.equal(last.offset, readFileSync(file).length);
});

test('where tail cannot follow, the follower polls the file and delivers the same bytes', async () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'hpcw-notail-'));
  try {
    writeFileSync(path.join(bin, 'tail'), '#!/bin/sh\necho "tail: unrecognized option" >&2\nexit 1\n', { mode: 0o755 });
    const runner: CommandRunner = { exec: (argv, options) => new LocalTransport().exec(argv, { ...options, env: { PATH: `${bin}:${process.env.PATH}` } }) };
    const file = path.join(dir, 'poll.log');
    writeFileSync(file, 'zero\n');
    const { follower, text } = await follow(runner, file);
    assert.equal(follower.following, 'poll');
    assert.match(follower.fallbackReason ?? '', /unrecognized option/);
    assert.equal(text(), readFileSync(file, 'utf8'));
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
