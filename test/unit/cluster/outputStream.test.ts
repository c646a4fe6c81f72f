/**
 * The output stream through the local transport (real sh and tail): the header's offset (a large
 * file opens on its tail), a resumed stream starts at the given byte, appended bytes arrive as
 * they are written, and stopping it leaves no tail behind; a host whose tail cannot follow ends
 * the stream by itself (the follower then polls).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { streamFile, type StreamHeader } from '../../../src/cluster/outputStream';
import { LocalTransport } from '../../../src/transport/local';
import { isCancelled } from '../../../src/core/errors';
import { until } from '../../support/until';

const dir = mkdtempSync(path.join(tmpdir(), "hpcw-stream 'q' $(x)-"));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function tailsOf(file: string): number {
  const ps = execFileSync('ps', ['-e', '-o', 'args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.startsWith('tail -c') && l.includes(file)).length;
}

function start(file: string, offset: number | undefined, tailBytes: number) {
  const abort = new AbortController();
  const headers: StreamHeader[] = [];
  const chunks: Buffer[] = [];
  const ended = streamFile(new LocalTransport(), file, offset, tailBytes, { onHeader: (h) => headers.push(h), onData: (c) => chunks.push(c) }, abort.signal);
  return { abort, headers, text: () => Buffer.concat(chunks).toString(), ended };
}

test('a first open starts on the tail, appended bytes stream, stopping leaves no tail running', async () => {
  const file = path.join(dir, 'out $(touch nope) "x".log');
  writeFileSync(file, '0123456789');
  const s = start(file, undefined, 4);
  await until(() => s.text() === '6789', { what: 'the tail' });
  assert.deepEqual(s.headers, [{ offset: 6, exists: true }]);
  appendFileSync(file, 'abc\n');
  await until(() => s.text() === '6789abc\n', { what: 'the appended bytes' });
  assert.equal(tailsOf(file), 1);
  s.abort.abort();
  await assert.rejects(s.ended, (e) => isCancelled(e));
  await until(() => tailsOf(file) === 0, { what: 'tail to end' });
});

test('a resumed stream starts at the byte given; a missing file is waited for', async () => {
  const file = path.join(dir, 'resume.log');
  writeFileSync(file, 'first part|second');
  const s = start(file, 10, 1000);
  await until(() => s.text() === '|second', { what: 'the bytes after the offset' });
  assert.deepEqual(s.headers, [{ offset: 10, exists: true }]);
  s.abort.abort();
  await s.ended.catch(() => undefined);

  const later = path.join(dir, 'later.log');
  const m = start(later, undefined, 1000);
  await until(() => m.headers.length === 1, { what: 'the header' });
  assert.deepEqual(m.headers, [{ offset: 0, exists: false }]);
  writeFileSync(later, 'appeared\n');
  await until(() => m.text() === 'appeared\n', { what: 'the new file' });
  m.abort.abort();
  await m.ended.catch(() => undefined);
  await until(() => tailsOf(later) === 0, { what: 'tail to end' });
});

test('where tail cannot follow, the stream ends by itself with the reason', async () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'hpcw-notail-'));
  try {
    writeFileSync(path.join(bin, 'tail'), "#!/bin/sh\necho \"tail: invalid option -- 'F'\" >&2\nexit 1\n", { mode: 0o755 });
    const file = path.join(dir, 'x.log');
    writeFileSync(file, 'x');
    const abort = new AbortController();
    const transport = { exec: (argv: readonly string[], options?: Parameters<LocalTransport['exec']>[1]) => new LocalTransport().exec(argv, { ...options, env: { PATH: `${bin}:${process.env.PATH}` } }) };
    const end = await streamFile(transport, file, undefined, 10, { onHeader: () => undefined, onData: () => undefined }, abort.signal);
    assert.equal(end.kind, 'exited');
    assert.match(end.reason, /invalid option/);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});
