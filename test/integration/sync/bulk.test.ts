/**
 * The bulk upload path (small files in one tar archive unpacked in a private staging folder,
 * then renamed into place) against the sandbox's real sshd: hostile names, modes and mtimes; a
 * cancel and a stopped sshd in the middle of the stream; a stale staging folder cleaned up; a
 * cluster without tar falling back to per-file SFTP (detected once).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, utimesSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from './sandboxSsh';
import type { SshTransport } from '../../../src/transport/ssh';
import { TransferError } from '../../../src/transport/fileTransfer';
import { SftpFileTransfer } from '../../../src/transport/sftpFileTransfer';
import { syncTree } from '../../../src/transport/sftpSync';
import type { CommandRunner, ExecOptions } from '../../../src/core/transport';

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
  const dir = `${home}/sync-tests/bulk-${label}-${randomBytes(4).toString('hex')}`;
  scratch.push(dir);
  return dir;
}

function localTree(files: Record<string, string | Buffer>, modes: Record<string, number> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-bulk-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content, { mode: modes[rel] ?? 0o644 });
  }
  return root;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

interface RemoteFile {
  hash: string;
  mode: string;
  mtime: string;
}

/**
 * Every entry below `dir` on the cluster (NUL-separated, so any name survives): regular files
 * with hash, mode and mtime; other entries (folders) with an empty hash.
 */
async function remoteFiles(dir: string): Promise<Map<string, RemoteFile>> {
  const script = 'find . -mindepth 1 -printf "%P\\0%y %m %T@\\0" -type f -exec sh -c \'sha256sum < "$1" | cut -c1-64 | tr -d "\\n"; printf "\\0"\' sh {} \\;';
  const result = await ssh.exec(['sh', '-c', script], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  const parts = result.stdout.split('\0');
  const files = new Map<string, RemoteFile>();
  for (let i = 0; i + 1 < parts.length; ) {
    const name = parts[i++];
    const [kind, mode, mtime] = parts[i++].split(' ');
    const hash = kind === 'f' ? parts[i++] : '';
    files.set(name, { hash, mode, mtime: mtime.split('.')[0] });
  }
  return files;
}

/** Hostile names: quotes, `$()`, backticks, globs, a leading dash, a backslash, a newline. */
const HOSTILE = [
  "it's here.txt",
  'say "hi".txt',
  '$(touch PWNED).txt',
  '`touch PWNED2`.sh',
  '-rf',
  'back\\slash.txt',
  'new\nline.txt',
  'glob *?[a].txt',
  'sub dir/; rm -rf ~ ;.txt',
  'ü 🚀/données.csv',
];

function hostileTree(count: number): { root: string; files: Record<string, string> } {
  const files: Record<string, string> = {};
  for (const name of HOSTILE) files[name] = `content of ${JSON.stringify(name)}\n`;
  for (let i = 0; files && Object.keys(files).length < count; i++) files[`mod ${i % 3}/f-${i}.py`] = `x = ${i}\n${'#'.repeat(i * 13)}\n`;
  return { root: localTree(files, { '`touch PWNED2`.sh': 0o755, "it's here.txt": 0o600 }), files };
}

/** Resolves when a bulk staging folder exists in `dir` on the cluster (or `stop()` says give up). */
async function stagingAppears(dir: string, stop: () => boolean): Promise<boolean> {
  while (!stop()) {
    const r = await ssh.exec(['sh', '-c', 'ls -A -- "$1" 2>/dev/null | grep -q "^\\.stage\\.hpcw-tmp-"', 'sh', dir]).catch(() => undefined);
    if (r?.code === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

test('bulk: hostile names, modes and mtimes arrive exactly; no staging folder remains; one change goes alone', async () => {
  const { root, files } = hostileTree(40);
  utimesSync(path.join(root, "it's here.txt"), 1_600_000_000, 1_600_000_000);
  const remote = remoteRoot('names');
  const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) });
  assert.equal(first.summary.bulkFiles, 40, 'all 40 small files went in bulk');
  assert.deepEqual(first.summary.uploaded, Object.keys(files).sort());

  const got = await remoteFiles(remote);
  for (const [name, content] of Object.entries(files)) {
    assert.equal(got.get(name)?.hash, sha(content), `content of ${JSON.stringify(name)}`);
  }
  assert.equal(got.get('`touch PWNED2`.sh')?.mode, '755');
  assert.equal(got.get("it's here.txt")?.mode, '600');
  assert.equal(got.get("it's here.txt")?.mtime, '1600000000');
  const regular = [...got.entries()].filter(([, f]) => f.hash !== '').map(([name]) => name).sort();
  assert.deepEqual(regular, Object.keys(files).sort(), 'nothing else: no staging folder, no temporary, no PWNED');
  assert.ok(![...got.keys()].some((name) => name.includes('hpcw-tmp')), 'no staging folder left');

  writeFileSync(path.join(root, 'new\nline.txt'), 'changed\n');
  const again = await syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) });
  assert.deepEqual(again.summary.uploaded, ['new\nline.txt']);
  assert.equal(again.summary.bulkFiles, 0, 'a single change goes over SFTP directly');
  assert.equal((await remoteFiles(remote)).get('new\nline.txt')?.hash, sha('changed\n'));
  rmSync(root, { recursive: true, force: true });
});

/** 200 files of 1 MiB: four tar batches of up to 64 MiB, long enough to be cut in the middle. */
function bigSmallTree(): { root: string; files: Record<string, Buffer> } {
  const files: Record<string, Buffer> = {};
  for (let i = 0; i < 200; i++) files[`chunk ${i % 4}/part-${i}.bin`] = randomBytes(1024 * 1024);
  return { root: localTree(files), files };
}

function assertWholeOrAbsent(got: Map<string, RemoteFile>, files: Record<string, Buffer>): void {
  for (const [name, content] of Object.entries(files)) {
    const remote = got.get(name);
    assert.ok(remote === undefined || remote.hash === sha(content), `${name} is absent or whole`);
  }
}

test('bulk: a cancel in the middle of a bulk transfer leaves no staging folder and no partial file', async () => {
  const { root, files } = bigSmallTree();
  const remote = remoteRoot('cancel');
  const controller = new AbortController();
  let finished = false;
  const sync = syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh), signal: controller.signal });
  const watching = stagingAppears(remote, () => finished).then((seen) => {
    if (seen) controller.abort();
    return seen;
  });
  await assert.rejects(
    sync.finally(() => (finished = true)),
    (error: unknown) => error instanceof Error && /cancel|abort/i.test(error.message),
  );
  assert.equal(await watching, true, 'cancelled while the staging folder existed');
  const got = await remoteFiles(remote);
  assertWholeOrAbsent(got, files);
  assert.deepEqual([...got.keys()].filter((name) => name.includes('hpcw-tmp')), [], 'the staging folder was removed at once');

  const next = await syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) });
  assert.ok(next.summary.bulkFiles > 0);
  const all = await remoteFiles(remote);
  for (const [name, content] of Object.entries(files)) assert.equal(all.get(name)?.hash, sha(content), name);
  rmSync(root, { recursive: true, force: true });
});

test('bulk: the sshd stopped mid-transfer; a stale staging folder is removed by the next sync, which completes', async (t) => {
  if (Number(process.env.HPCW_SANDBOX_PORT_BASE ?? 26800) + 5 !== info.sshPort) {
    t.skip('set HPCW_SANDBOX_PORT_BASE for this sandbox instance to run the sshd stop test');
    return;
  }
  const { root, files } = bigSmallTree();
  const remote = remoteRoot('sshd-stop');
  let finished = false;
  let stopping: Promise<unknown> | undefined;
  const sync = syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) }).finally(() => (finished = true));
  const seen = await stagingAppears(remote, () => finished);
  if (seen) stopping = sandboxCtl('stop-sshd');
  try {
    await assert.rejects(sync);
    assert.ok(stopping, 'the sshd was stopped during the bulk transfer');
  } finally {
    // Whatever happened, the sshd runs again for the tests after this one.
    await stopping;
    await sandboxCtl('start-sshd');
  }

  // A staging folder from an interrupted sync (the cut one, or this stand-in) must go.
  let cleaned = false;
  for (let attempt = 0; attempt < 20 && !cleaned; attempt++) {
    try {
      await ssh.exec(['sh', '-c', 'mkdir -p "$1/.stage.hpcw-tmp-0123456789ab" && echo stale > "$1/.stage.hpcw-tmp-0123456789ab/0"', 'sh', remote]);
      cleaned = true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  assert.ok(cleaned, 'reconnected after the restart');
  const during = await remoteFiles(remote);
  assertWholeOrAbsent(during, files);

  const next = await syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) });
  assert.ok(next.summary.removedTemporaries >= 1, 'the stale staging folder was counted as removed');
  const after = await remoteFiles(remote);
  for (const [name, content] of Object.entries(files)) assert.equal(after.get(name)?.hash, sha(content), name);
  assert.deepEqual([...after.keys()].filter((name) => name.includes('hpcw-tmp')), [], 'no staging folder or temporary left');
  rmSync(root, { recursive: true, force: true });
});

test('bulk: a read-only remote folder gives the same clear error as one by one (about the file, not the staging folder)', async () => {
  const remote = remoteRoot('readonly');
  await ssh.exec(['sh', '-c', 'mkdir -p "$1" && chmod 555 "$1"', 'sh', remote]);
  // Files at the top only: no folder to create first, so the bulk path is the first to write.
  const root = localTree(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`top ${i}.txt`, `${i}\n`])));
  await assert.rejects(syncTree({ localRoot: root, remoteRoot: remote, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) }), (error: unknown) => {
    assert.ok(error instanceof TransferError, String(error));
    assert.equal(error.code, 'permission');
    assert.match(error.message, /permission denied/);
    assert.ok(error.message.includes(remote), error.message);
    assert.ok(!error.message.includes('hpcw-tmp'), error.message);
    return true;
  });
  rmSync(root, { recursive: true, force: true });
});

test('bulk: a cluster without tar gets per-file SFTP, and is asked only once', async () => {
  // The same host, but commands run with an empty PATH: `command -v tar` fails as it would there.
  let bulkAttempts = 0;
  const noTar: CommandRunner = {
    exec(argv: readonly string[], options: ExecOptions = {}) {
      if (argv[0] === 'sh' && argv[1] === '-c' && argv[2] === 'command -v tar') bulkAttempts++;
      return ssh.exec(argv, { ...options, env: { ...options.env, PATH: '/nonexistent' } });
    },
  };
  const { root, files } = hostileTree(30);
  const remote = remoteRoot('no-tar');
  const transfer = new SftpFileTransfer(await ssh.sftp(), noTar);
  const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer });
  assert.equal(first.summary.bulkFiles, 0);
  assert.equal(first.summary.uploaded.length, 30);
  const got = await remoteFiles(remote);
  for (const [name, content] of Object.entries(files)) assert.equal(got.get(name)?.hash, sha(content), name);
  assert.equal(got.get('`touch PWNED2`.sh')?.mode, '755');

  for (const name of Object.keys(files).filter((n) => n.startsWith('mod '))) writeFileSync(path.join(root, name), 'changed\n');
  const second = await syncTree({ localRoot: root, remoteRoot: remote, transfer });
  assert.equal(second.summary.uploaded.length, 20);
  assert.equal(bulkAttempts, 1, 'tar was looked for once');
  rmSync(root, { recursive: true, force: true });
});
