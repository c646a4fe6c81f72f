/**
 * Cancellation of the local transports is core's CancelledError: local processes, local file
 * transfers, and a sync (here to a local folder; the SFTP and SSH cases run against the
 * sandbox in test/integration).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CancelledError, isCancelled } from '../../../src/core/errors';
import { LocalTransport } from '../../../src/transport/local';
import { LocalFileTransfer } from '../../../src/transport/localFileTransfer';
import { syncTree, uploadFiles } from '../../../src/transport/sftpSync';

function isCancelledError(error: unknown): boolean {
  return error instanceof CancelledError && isCancelled(error);
}

function aborted(): AbortSignal {
  const controller = new AbortController();
  controller.abort();
  return controller.signal;
}

test('local process: aborted while running or before it starts, a CancelledError', async () => {
  const local = new LocalTransport();
  const controller = new AbortController();
  const running = local.exec(['sleep', '20'], { signal: controller.signal });
  // Abort once the process is running: its pid exists when spawn has returned, so the next tick is enough.
  setImmediate(() => controller.abort());
  await assert.rejects(running, isCancelledError);
  await assert.rejects(local.exec(['true'], { signal: aborted() }), isCancelledError);
  // A timeout is a failure, not a cancel.
  await assert.rejects(local.exec(['sleep', '20'], { timeoutMs: 50 }), (e: unknown) => !isCancelled(e) && /did not finish/.test((e as Error).message));
});

test('local file transfer and sync: a fired signal is a CancelledError, nothing half-written', async () => {
  const source = mkdtempSync(path.join(tmpdir(), 'hpcw-cancel-src-'));
  const target = mkdtempSync(path.join(tmpdir(), 'hpcw-cancel-dst-'));
  try {
    writeFileSync(path.join(source, 'a.txt'), 'a\n');
    const transfer = new LocalFileTransfer();
    await assert.rejects(transfer.uploadFile(path.join(source, 'a.txt'), path.join(target, 'a.txt'), { mtime: 0, mode: 0o644, signal: aborted() }), isCancelledError);
    await assert.rejects(transfer.download(path.join(source, 'a.txt'), path.join(target, 'b.txt'), aborted()), isCancelledError);
    await assert.rejects(syncTree({ localRoot: source, remoteRoot: path.join(target, 'tree'), transfer, signal: aborted() }), isCancelledError);
    await assert.rejects(uploadFiles({ localRoot: source, remoteRoot: path.join(target, 'files'), transfer, files: ['a.txt'], signal: aborted() }), isCancelledError);
    assert.deepEqual(readdirSync(target).filter((name) => name !== 'files'), []);
    assert.equal(existsSync(path.join(target, 'files', 'a.txt')), false);
  } finally {
    rmSync(source, { recursive: true, force: true });
    rmSync(target, { recursive: true, force: true });
  }
});
