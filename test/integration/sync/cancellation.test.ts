/**
 * Cancelling SFTP transfers and syncs against the sandbox's real sshd (OpenSSH sftp-server): the
 * rejection is core's CancelledError, and no file or temporary is left half-written.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from './sandboxSsh';
import { CancelledError, isCancelled } from '../../../src/core/errors';
import type { SshTransport } from '../../../src/transport/ssh';
import { SftpFileTransfer } from '../../../src/transport/fileTransfer';
import { syncTree, uploadFiles } from '../../../src/transport/sftpSync';

let ssh: SshTransport;
let home: string;
let info: SandboxInfo;
let local: string;
const scratch: string[] = [];

before(async () => {
  info = loadSandbox();
  ensureAuthorizedKey(info);
  ssh = sandboxTransport(info);
  home = await ssh.homeDir();
  local = mkdtempSync(path.join(tmpdir(), 'hpcw-sftp-cancel-'));
  writeFileSync(path.join(local, 'big.bin'), randomBytes(30 * 1024 * 1024));
  writeFileSync(path.join(local, 'small.txt'), 'small\n');
});

after(async () => {
  if (scratch.length > 0) await ssh.exec(['rm', '-rf', ...scratch]);
  ssh.dispose();
  rmSync(local, { recursive: true, force: true });
});

function remoteRoot(label: string): string {
  const dir = `${home}/sync-tests/${label}-${randomBytes(4).toString('hex')}`;
  scratch.push(dir);
  return dir;
}

function isCancelledError(error: unknown): boolean {
  return error instanceof CancelledError && isCancelled(error);
}

async function remoteFiles(dir: string): Promise<string[]> {
  const result = await ssh.exec(['sh', '-c', 'cd "$1" 2>/dev/null && find . -type f | sort', 'sh', dir]);
  return result.stdout.split('\n').filter((line) => line !== '');
}

test('an SFTP upload aborted mid-transfer is a CancelledError and leaves neither file nor temporary', async () => {
  const transfer = new SftpFileTransfer(await ssh.sftp(), ssh);
  const remote = remoteRoot('upload-cancel');
  await transfer.mkdirp(remote);
  const controller = new AbortController();
  let bytes = 0;
  await assert.rejects(
    transfer.uploadFile(path.join(local, 'big.bin'), `${remote}/big.bin`, {
      mtime: 1_700_000_000,
      mode: 0o644,
      signal: controller.signal,
      onBytes: (n) => {
        bytes += n;
        if (bytes > 1024 * 1024) controller.abort();
      },
    }),
    isCancelledError,
  );
  assert.deepEqual(await remoteFiles(remote), []);
  // The session is still usable.
  assert.equal((await transfer.stat(remote))?.isDirectory, true);
});

test('an SFTP download with a fired signal is a CancelledError and writes nothing locally', async () => {
  const transfer = new SftpFileTransfer(await ssh.sftp(), ssh);
  const controller = new AbortController();
  controller.abort();
  const into = path.join(local, 'downloaded.txt');
  await assert.rejects(transfer.download(`${home}/.profile`, into, controller.signal), isCancelledError);
  assert.equal(existsSync(into), false);
});

test('a sync or a file upload cancelled over SFTP is a CancelledError', async () => {
  const transfer = new SftpFileTransfer(await ssh.sftp(), ssh);
  const remote = remoteRoot('sync-cancel');
  const controller = new AbortController();
  await assert.rejects(
    syncTree({
      localRoot: local,
      remoteRoot: remote,
      transfer,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > 1024 * 1024) controller.abort();
      },
    }),
    isCancelledError,
  );
  assert.deepEqual(await remoteFiles(remote), [], 'big.bin goes first and is cut: nothing is left');
  await assert.rejects(uploadFiles({ localRoot: local, remoteRoot: remote, transfer, files: ['small.txt'], signal: controller.signal }), isCancelledError);
  assert.deepEqual(await remoteFiles(remote), []);
});
