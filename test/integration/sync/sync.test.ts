/**
 * The sync engine against the sandbox's real sshd (OpenSSH sftp-server): first and incremental
 * syncs, names with spaces and non-ASCII characters, exclusions, modes and mtimes, a connection
 * cut in the middle of a large upload, a read-only remote folder, single-file uploads, and
 * cancellation (core's CancelledError, nothing half-written).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, utimesSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from './sandboxSsh';
import type { SshTransport } from '../../../src/transport/ssh';
import { TransferError } from '../../../src/transport/fileTransfer';
import { LocalFileTransfer } from '../../../src/transport/localFileTransfer';
import { SftpFileTransfer } from '../../../src/transport/sftpFileTransfer';
import { syncTree, uploadFiles, type SyncProgress } from '../../../src/transport/sftpSync';
import { CancelledError, isCancelled } from '../../../src/core/errors';

let ssh: SshTransport;
let home: string;
let info: SandboxInfo;
const scratch: string[] = [];

before(async () => {
  info = loadSandbox();
  ensureAuthorizedKey(info);
  ssh = sandboxTransport(info);
  home = await ssh.homeDir();
});

after(async () => {
  if (scratch.length > 0) await ssh.exec(['sh', '-c', 'chmod -R u+w "$@" 2>/dev/null; rm -rf "$@"', 'sh', ...scratch]);
  ssh.dispose();
});

function remoteRoot(label: string): string {
  const dir = `${home}/sync-tests/${label}-${randomBytes(4).toString('hex')}`;
  scratch.push(dir);
  return dir;
}

function localTree(files: Record<string, string | Buffer>, modes: Record<string, number> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-sync-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content, { mode: modes[rel] ?? 0o644 });
  }
  return root;
}

async function transfer(): Promise<SftpFileTransfer> {
  return new SftpFileTransfer(await ssh.sftp(), ssh);
}

/** sha256 of every regular file below `dir` on the cluster, by relative path. */
async function remoteHashes(dir: string): Promise<Map<string, string>> {
  const result = await ssh.exec(['find', '.', '-type', 'f', '-exec', 'sha256sum', '{}', '+'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const hashes = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const m = /^([0-9a-f]{64}) [ *]\.\/(.*)$/.exec(line);
    if (m) hashes.set(m[2], m[1]);
  }
  return hashes;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

test('first sync uploads the tree (spaces, unicode, modes, mtimes); the next uploads exactly the changed file', async () => {
  const files = {
    'job.sbatch': '#!/bin/bash\n#SBATCH -n 1\nsrun hostname\n',
    'my data/input file.txt': 'one two\n',
    'résumé/données ü 🚀.csv': 'a,b\n1,2\n',
    'src/pkg/mod.py': 'print("hi")\n',
    'empty.txt': '',
  };
  const root = localTree(files, { 'job.sbatch': 0o755 });
  mkdirSync(path.join(root, 'empty folder'));
  utimesSync(path.join(root, 'src/pkg/mod.py'), 1_600_000_000, 1_600_000_000);
  const remote = remoteRoot('tree');
  const progress: SyncProgress[] = [];

  const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), onProgress: (p) => progress.push(p) });
  assert.deepEqual(first.summary.uploaded, Object.keys(files).sort());
  assert.equal(first.summary.bytes, Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0));
  const hashes = await remoteHashes(remote);
  assert.deepEqual(new Map([...hashes].sort()), new Map(Object.entries(files).map(([rel, text]) => [rel, sha(text)] as [string, string]).sort()));
  const last = progress[progress.length - 1];
  assert.equal(last.filesDone, 5);
  assert.equal(last.filesTotal, 5);

  const stat = await ssh.exec(['stat', '-c', '%a %Y', 'job.sbatch', 'src/pkg/mod.py'], { cwd: remote });
  const [jobLine, modLine] = stat.stdout.trim().split('\n');
  assert.equal(jobLine.split(' ')[0], '755', 'the executable bit is kept');
  assert.equal(modLine.split(' ')[1], '1600000000', 'the mtime is preserved');
  const dirs = await ssh.exec(['test', '-d', 'empty folder'], { cwd: remote });
  assert.equal(dirs.code, 0, 'empty folders are created');

  const again = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.deepEqual(again.summary.uploaded, [], 'nothing changed, nothing uploaded');
  assert.equal(again.summary.unchanged, 5);

  writeFileSync(path.join(root, 'résumé/données ü 🚀.csv'), 'a,b\n1,2\n3,4\n');
  const third = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.deepEqual(third.summary.uploaded, ['résumé/données ü 🚀.csv']);
  assert.equal((await remoteHashes(remote)).get('résumé/données ü 🚀.csv'), sha('a,b\n1,2\n3,4\n'));

  // Same size and content, new mtime (a checkout, a touch): hashed, not uploaded.
  utimesSync(path.join(root, 'my data/input file.txt'), 1_700_000_000, 1_700_000_000);
  const touched = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.deepEqual(touched.summary.uploaded, []);
  assert.equal(touched.summary.sameContent, 1);
  const fixed = await ssh.exec(['stat', '-c', '%Y', 'my data/input file.txt'], { cwd: remote });
  assert.equal(fixed.stdout.trim(), '1700000000', 'the remote mtime was brought in line');

  // Same size, other content, other mtime: uploaded.
  writeFileSync(path.join(root, 'my data/input file.txt'), 'one TWO\n');
  utimesSync(path.join(root, 'my data/input file.txt'), 1_700_000_100, 1_700_000_100);
  const sameSize = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.deepEqual(sameSize.summary.uploaded, ['my data/input file.txt']);

  // Remote-only files (job outputs) survive unless deletion is asked for.
  await ssh.exec(['sh', '-c', 'echo out > slurm-1.out'], { cwd: remote });
  await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.equal((await remoteHashes(remote)).has('slurm-1.out'), true);
  const pruned = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), deleteRemote: true });
  assert.equal(pruned.summary.deleted, 1);
  assert.equal((await remoteHashes(remote)).has('slurm-1.out'), false);
  rmSync(root, { recursive: true, force: true });
});

test('exclusions: defaults, .gitignore (nested, negated) and sync.exclude globs are never uploaded', async () => {
  const root = localTree({
    '.gitignore': '*.o\nbuild/\n',
    'main.c': 'int main(){}\n',
    'main.o': 'obj',
    'build/app': 'bin',
    'lib/.gitignore': '!keep.o\n',
    'lib/keep.o': 'kept',
    '.git/config': 'x',
    'node_modules/a/index.js': 'x',
    'py/__pycache__/m.pyc': 'x',
    '.venv/bin/python': 'x',
    'data/big.h5': 'x',
    'logs/run.log': 'x',
  });
  const remote = remoteRoot('exclude');
  const { summary } = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), excludeGlobs: ['data/**', '*.log'] });
  assert.deepEqual(summary.uploaded, ['.gitignore', 'lib/.gitignore', 'lib/keep.o', 'main.c']);
  const found = await ssh.exec(['find', '.', '-mindepth', '1'], { cwd: remote });
  assert.deepEqual(found.stdout.trim().split('\n').sort(), ['./.gitignore', './lib', './lib/.gitignore', './lib/keep.o', './logs', './main.c', './py'].sort());

  // Single-file uploads (on save) respect the same rules.
  writeFileSync(path.join(root, 'main.c'), 'int main(){return 0;}\n');
  const uploaded = await uploadFiles({
    localRoot: root,
    remoteRoot: remote,
    transfer: await transfer(),
    excludeGlobs: ['data/**'],
    files: ['main.c', 'main.o', path.join(root, 'data/big.h5'), 'node_modules/a/index.js', 'lib/keep.o'],
  });
  assert.deepEqual(uploaded, ['lib/keep.o', 'main.c']);
  assert.equal((await remoteHashes(remote)).get('main.c'), sha('int main(){return 0;}\n'));
  rmSync(root, { recursive: true, force: true });
});

test('a connection cut during a large upload leaves no partial file at its final path; the next sync completes', async () => {
  const oldBig = randomBytes(3 * 1024 * 1024);
  const root = localTree({ 'big.bin': oldBig, 'small.txt': 'small\n' });
  const remote = remoteRoot('cut');
  await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });

  const newBig = randomBytes(16 * 1024 * 1024);
  writeFileSync(path.join(root, 'big.bin'), newBig);
  writeFileSync(path.join(root, 'fresh.bin'), newBig.subarray(0, 8 * 1024 * 1024));
  let cut = false;
  await assert.rejects(
    syncTree({
      localRoot: root,
      remoteRoot: remote,
      transfer: await transfer(),
      // At the first bytes acknowledged: the next progress report may come only at the end.
      onProgress: (p) => {
        if (!cut && p.bytesDone > 0) {
          cut = true;
          ssh.disconnect();
        }
      },
    }),
    (error: unknown) => error instanceof Error,
  );
  assert.equal(cut, true, 'the connection was cut during the upload');

  // Reconnects by itself. Either the old or the new content at the final paths, never a mix.
  const during = await remoteHashes(remote);
  assert.ok([sha(oldBig), sha(newBig)].includes(during.get('big.bin')!), 'big.bin is whole (old or new)');
  const fresh = during.get('fresh.bin');
  assert.ok(fresh === undefined || fresh === sha(newBig.subarray(0, 8 * 1024 * 1024)), 'fresh.bin is absent or whole');

  const next = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  const after = await remoteHashes(remote);
  assert.equal(after.get('big.bin'), sha(newBig));
  assert.equal(after.get('fresh.bin'), sha(newBig.subarray(0, 8 * 1024 * 1024)));
  assert.equal(after.get('small.txt'), sha('small\n'));
  assert.deepEqual([...after.keys()].filter((name) => name.includes('hpcw-tmp')), [], 'temporary files were cleaned up');
  assert.ok(next.summary.uploaded.includes('big.bin') || during.get('big.bin') === sha(newBig));
  rmSync(root, { recursive: true, force: true });
});

test('the sshd stopped during an upload (sessions killed): no partial file; after it restarts the next sync completes', async (t) => {
  // sandbox.sh finds this instance's ports from HPCW_SANDBOX_PORT_BASE: only run when it matches.
  if (Number(process.env.HPCW_SANDBOX_PORT_BASE ?? 26800) + 5 !== info.sshPort) {
    t.skip('set HPCW_SANDBOX_PORT_BASE for this sandbox instance to run the sshd stop test');
    return;
  }
  // Large enough that the upload is still under way when the sshd has stopped (at ~100 MB/s on
  // loopback a 16 MiB file could finish first); the sshd is started again whatever happens.
  const big = randomBytes(160 * 1024 * 1024);
  const root = localTree({ 'big.bin': big });
  const remote = remoteRoot('sshd-stop');
  let stopping: Promise<unknown> | undefined;
  try {
    await assert.rejects(
      syncTree({
        localRoot: root,
        remoteRoot: remote,
        transfer: await transfer(),
        onProgress: (p) => {
          if (!stopping && p.bytesDone > 2 * 1024 * 1024) stopping = sandboxCtl('stop-sshd');
        },
      }),
    );
    assert.ok(stopping, 'the sshd was stopped during the upload');
  } finally {
    await stopping;
    await sandboxCtl('start-sshd');
  }
  // The transport reconnects with backoff: retry the next sync for a while.
  let summary;
  for (let attempt = 0; attempt < 20 && !summary; attempt++) {
    try {
      summary = (await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() })).summary;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  assert.ok(summary, 'a sync after the restart completed');
  const after = await remoteHashes(remote);
  assert.deepEqual([...after.entries()], [['big.bin', sha(big)]], 'the whole file, and no temporary left');
  rmSync(root, { recursive: true, force: true });
});

test('a read-only remote folder gives a clear error', async () => {
  const remote = remoteRoot('readonly');
  await ssh.exec(['sh', '-c', 'mkdir -p "$1" && chmod 555 "$1"', 'sh', remote]);
  const root = localTree({ 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
  await assert.rejects(syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() }), (error: unknown) => {
    assert.ok(error instanceof TransferError);
    assert.equal(error.code, 'permission');
    assert.match(error.message, /permission denied/);
    assert.ok(error.message.includes(remote), error.message);
    return true;
  });
  rmSync(root, { recursive: true, force: true });
});

test('cancellation stops the sync and leaves no partial file', async () => {
  const root = localTree({ 'big.bin': randomBytes(30 * 1024 * 1024) });
  const remote = remoteRoot('cancel');
  const controller = new AbortController();
  await assert.rejects(
    syncTree({
      localRoot: root,
      remoteRoot: remote,
      transfer: await transfer(),
      signal: controller.signal,
      // At the first bytes acknowledged (the first progress report of the upload; the next
      // may come only at its end on a fast loopback).
      onProgress: (p) => {
        if (p.bytesDone > 0) controller.abort();
      },
    }),
  );
  const left = await remoteHashes(remote);
  assert.deepEqual([...left.keys()], [], 'neither the file nor a temporary remains');
  rmSync(root, { recursive: true, force: true });
});

test('the local transfer (transport "local") syncs the same way', async () => {
  const root = localTree({ 'a b.txt': 'x\n', 'ü/c.sh': 'echo\n' }, { 'ü/c.sh': 0o755 });
  const target = mkdtempSync(path.join(tmpdir(), 'hpcw-sync-target-'));
  const first = await syncTree({ localRoot: root, remoteRoot: path.join(target, 'deep/dir'), transfer: new LocalFileTransfer() });
  assert.deepEqual(first.summary.uploaded, ['a b.txt', 'ü/c.sh']);
  assert.equal(readFileSync(path.join(target, 'deep/dir/ü/c.sh'), 'utf8'), 'echo\n');
  const again = await syncTree({ localRoot: root, remoteRoot: path.join(target, 'deep/dir'), transfer: new LocalFileTransfer() });
  assert.deepEqual(again.summary.uploaded, []);
  rmSync(root, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
});

function isCancelledError(error: unknown): boolean {
  return error instanceof CancelledError && isCancelled(error);
}

/** Relative paths of the regular files below `dir` on the cluster ([] when it does not exist). */
async function remoteFiles(dir: string): Promise<string[]> {
  const result = await ssh.exec(['sh', '-c', 'cd "$1" 2>/dev/null && find . -type f | sort', 'sh', dir]);
  return result.stdout.split('\n').filter((line) => line !== '');
}

test('an SFTP upload aborted mid-transfer is a CancelledError and leaves neither file nor temporary', async () => {
  const root = localTree({ 'big.bin': randomBytes(30 * 1024 * 1024) });
  const sftp = await transfer();
  const remote = remoteRoot('upload-cancel');
  await sftp.mkdirp(remote);
  const controller = new AbortController();
  let bytes = 0;
  await assert.rejects(
    sftp.uploadFile(path.join(root, 'big.bin'), `${remote}/big.bin`, {
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
  assert.equal((await sftp.stat(remote))?.isDirectory, true, 'the session is still usable');
  rmSync(root, { recursive: true, force: true });
});

test('an SFTP download with a fired signal is a CancelledError and writes nothing locally', async () => {
  const root = localTree({});
  const controller = new AbortController();
  controller.abort();
  const into = path.join(root, 'downloaded.txt');
  await assert.rejects((await transfer()).download(`${home}/.profile`, into, controller.signal), isCancelledError);
  assert.equal(existsSync(into), false);
  rmSync(root, { recursive: true, force: true });
});

test('a sync or a file upload cancelled over SFTP is a CancelledError', async () => {
  const root = localTree({ 'big.bin': randomBytes(30 * 1024 * 1024), 'small.txt': 'small\n' });
  const sftp = await transfer();
  const remote = remoteRoot('sync-cancel');
  const controller = new AbortController();
  await assert.rejects(
    syncTree({
      localRoot: root,
      remoteRoot: remote,
      transfer: sftp,
      concurrency: 1,
      signal: controller.signal,
      // At the first bytes acknowledged (see 'cancellation stops the sync' above).
      onProgress: (p) => {
        if (p.bytesDone > 0) controller.abort();
      },
    }),
    isCancelledError,
  );
  assert.deepEqual(await remoteFiles(remote), [], 'big.bin goes first and is cut: nothing is left');
  await assert.rejects(uploadFiles({ localRoot: root, remoteRoot: remote, transfer: sftp, files: ['small.txt'], signal: controller.signal }), isCancelledError);
  assert.deepEqual(await remoteFiles(remote), []);
  rmSync(root, { recursive: true, force: true });
});
