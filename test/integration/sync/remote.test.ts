/**
 * What the sync reads of the cluster's side, against the sandbox's real sshd: files changed or
 * deleted there since the last sync are uploaded again (the remote listing is taken afresh at
 * every sync, alongside the local scan); folders the local side does not have (job outputs,
 * excluded folders) are not read; a file or folder in the way is a clear error; a local file
 * gone between the scan and the bulk archive's read is a clear error and leaves no staging folder.
 * The first three run twice: every folder listed over SFTP, and the folders of the previous sync
 * listed in one `find` (`knownFolders`, as the editor syncs), new ones over SFTP.
 * Names are hostile (quotes, `$()`, spaces) where a shell could misread them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from './sandboxSsh';
import type { SshTransport } from '../../../src/transport/ssh';
import { TransferError } from '../../../src/transport/fileTransfer';
import { SftpFileTransfer } from '../../../src/transport/sftpFileTransfer';
import { syncTree } from '../../../src/transport/sftpSync';

let ssh: SshTransport;
let home: string;
const scratch: string[] = [];

before(async () => {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  ssh = sandboxTransport(info);
  home = await ssh.homeDir();
});

after(async () => {
  if (scratch.length > 0) await ssh.exec(['rm', '-rf', '--', ...scratch]);
  ssh.dispose();
});

function remoteRoot(label: string): string {
  const dir = `${home}/sync-tests/remote-${label}-${randomBytes(4).toString('hex')}`;
  scratch.push(dir);
  return dir;
}

function localTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-remote-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

async function transfer(): Promise<SftpFileTransfer> {
  return new SftpFileTransfer(await ssh.sftp(), ssh);
}

/** A transfer that records the folders it lists over SFTP (`readdir`) and in one command. */
async function countingTransfer(): Promise<{ transfer: SftpFileTransfer; readdirs: string[]; together: number[] }> {
  const counted = { transfer: await transfer(), readdirs: [] as string[], together: [] as number[] };
  const { readdir, listFolders } = counted.transfer;
  counted.transfer.readdir = (dir) => {
    counted.readdirs.push(dir);
    return readdir.call(counted.transfer, dir);
  };
  counted.transfer.listFolders = async (folders, signal) => {
    const answer = await listFolders.call(counted.transfer, folders, signal);
    if (answer) counted.together.push(folders.length);
    return answer;
  };
  return counted;
}

/** The two ways the remote folders are listed (see the header). */
const LISTINGS = [
  { label: 'over SFTP', known: false },
  { label: 'known folders in one find', known: true },
] as const;

/** Runs a shell script on the cluster in `cwd` with `args` as $1...; fails the test on a non-zero exit. */
async function remoteSh(cwd: string, script: string, ...args: string[]): Promise<string> {
  const result = await ssh.exec(['sh', '-c', script, 'sh', ...args], { cwd });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

const DEEP = `it's "deep"/$(touch PWNED)/back\`tick\` dir`;

for (const { label, known } of LISTINGS) {
  test(`files changed or deleted on the cluster since the last sync are uploaded again; remote-only folders are not read (${label})`, async () => {
    const files: Record<string, string> = {
      [`${DEEP}/same size.txt`]: 'aaaa\n',
      [`${DEEP}/grown.txt`]: 'short\n',
      'b/deleted there.txt': 'keep me\n',
      'b/untouched.txt': 'untouched\n',
      'top.txt': 'top\n',
    };
    // Enough small files for the bulk path as well.
    for (let i = 0; i < 30; i++) files[`many/f ${i}.py`] = `x = ${i}\n`;
    const root = localTree(files);
    writeFileSync(path.join(root, '.gitignore'), 'ignored/\n');
    mkdirSync(path.join(root, 'ignored'));
    const remote = remoteRoot('changed');
    const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
    assert.equal(first.summary.uploaded.length, Object.keys(files).length + 1);
    assert.ok(first.summary.bulkFiles > 0, 'the bulk path was used');
    assert.deepEqual([...first.folders].sort(), ['b', 'it\'s "deep"', 'it\'s "deep"/$(touch PWNED)', DEEP, 'many'].sort());

    // On the cluster: one file rewritten with the same size (other content, other mtime), one
    // grown, one deleted; plus job outputs in a folder the local side does not have, and in an
    // excluded folder. Locally: a new folder.
    await remoteSh(remote, 'printf "bbbb\\n" > "$1/same size.txt" && touch -d @1500000000 "$1/same size.txt" && printf "much longer now\\n" > "$1/grown.txt"', DEEP);
    await remoteSh(remote, 'rm -- "b/deleted there.txt" && mkdir -p outputs/run1 ignored && echo out > outputs/run1/r.txt && echo x > ignored/i.txt && echo o > slurm-1.out');
    mkdirSync(path.join(root, 'new $(x) folder'));
    writeFileSync(path.join(root, 'new $(x) folder', 'n.txt'), 'new\n');

    const counted = await countingTransfer();
    const again = await syncTree({ localRoot: root, remoteRoot: remote, transfer: counted.transfer, knownFolders: known ? first.folders : undefined });
    assert.deepEqual(again.summary.uploaded, ['b/deleted there.txt', `${DEEP}/grown.txt`, `${DEEP}/same size.txt`, 'new $(x) folder/n.txt']);
    for (const rel of [`${DEEP}/same size.txt`, `${DEEP}/grown.txt`, 'b/deleted there.txt']) {
      const remoteHash = (await remoteSh(remote, 'sha256sum < "$1"', rel)).slice(0, 64);
      assert.equal(remoteHash, sha(readFileSync(path.join(root, rel))), rel);
    }
    if (known) {
      assert.deepEqual(counted.together, [first.folders.length + 1], 'the known folders and the root in one command');
      assert.deepEqual(counted.readdirs, [`${remote}/new $(x) folder`], 'only the new folder over SFTP');
    } else {
      assert.deepEqual(counted.together, []);
      assert.equal(counted.readdirs.length, first.folders.length + 2, 'every folder over SFTP');
    }
    // Only folders the local side has were read: the outputs' and the excluded folder's contents are unknown.
    assert.deepEqual(again.plan.remoteOnly, ['slurm-1.out']);
    assert.notEqual((await ssh.exec(['test', '-e', 'PWNED'], { cwd: remote })).code, 0, 'no name was run as a command');

    const third = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), knownFolders: known ? again.folders : undefined });
    assert.deepEqual(third.summary.uploaded, []);
    rmSync(root, { recursive: true, force: true });
  });

  test(`a file on the cluster where the local side has a folder (and the reverse) is a clear error (${label})`, async () => {
    const root = localTree({ 'data dir/$(x).txt': 'x\n', 'notes.txt': 'n\n' });
    const remote = remoteRoot('conflict');
    const knownFolders = known ? ['data dir', 'notes.txt'] : undefined;
    await ssh.exec(['mkdir', '-p', remote]);
    await remoteSh(remote, 'echo file > "data dir"');
    await assert.rejects(
      syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), knownFolders }),
      (error: unknown) => error instanceof TransferError && /data dir is a file on the cluster but a folder locally/.test(error.message),
    );
    await remoteSh(remote, 'rm -- "data dir" && mkdir -p "data dir" notes.txt/inner');
    await assert.rejects(
      syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), knownFolders }),
      (error: unknown) => error instanceof TransferError && /notes\.txt is a folder on the cluster but a file locally/.test(error.message),
    );
    rmSync(root, { recursive: true, force: true });
  });

  test(`a folder on the cluster that cannot be read is a clear error, and nothing is uploaded (${label})`, async () => {
    const root = localTree({ 'closed $(x)/a.txt': 'a\n', 'b.txt': 'b\n' });
    const remote = remoteRoot('closed');
    const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
    writeFileSync(path.join(root, 'b.txt'), 'b changed\n');
    await remoteSh(remote, 'chmod 000 "$1"', 'closed $(x)');
    try {
      await assert.rejects(
        syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), knownFolders: known ? first.folders : undefined }),
        (error: unknown) => error instanceof TransferError && /closed \$\(x\)/.test(error.message) && /permission/i.test(error.message),
      );
      assert.equal(await remoteSh(remote, 'cat b.txt'), 'b\n', 'nothing uploaded before the listing was whole');
    } finally {
      await remoteSh(remote, 'chmod 755 "$1"', 'closed $(x)');
    }
    rmSync(root, { recursive: true, force: true });
  });

  test(`a remote root that is a file is a clear error; a missing one is created with its parents (${label})`, async () => {
    const root = localTree({ 'a.txt': 'a\n', 'sub/b.txt': 'b\n' });
    const remote = remoteRoot('root');
    const knownFolders = known ? ['sub'] : undefined;
    await ssh.exec(['mkdir', '-p', path.posix.dirname(remote)]);
    await remoteSh(path.posix.dirname(remote), 'echo file > "$1"', path.posix.basename(remote));
    await assert.rejects(
      syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer(), knownFolders }),
      (error: unknown) => error instanceof TransferError && /a file is in the way/.test(error.message),
    );
    await ssh.exec(['rm', '-f', '--', remote]);
    const nested = `${remote}/one/two`;
    const result = await syncTree({ localRoot: root, remoteRoot: nested, transfer: await transfer(), knownFolders });
    assert.deepEqual(result.summary.uploaded, ['a.txt', 'sub/b.txt']);
    assert.equal(await remoteSh(nested, 'cat a.txt sub/b.txt'), 'a\nb\n');
    rmSync(root, { recursive: true, force: true });
  });
}

test('known folders whose names pass one command line are listed in several finds, with the same result', async () => {
  const files: Record<string, string> = {};
  // 300 folders of ~240-byte names: about 72 KiB of operands, more than one command's 64 KiB.
  for (let i = 0; i < 300; i++) files[`${String(i).padStart(3, '0')} ${"it's $(x) ".repeat(23)}/f.txt`] = `${i}\n`;
  const root = localTree(files);
  const remote = remoteRoot('many');
  const first = await syncTree({ localRoot: root, remoteRoot: remote, transfer: await transfer() });
  assert.equal(first.summary.uploaded.length, 300);
  await remoteSh(remote, 'printf "changed there\\n" > "$1"', Object.keys(files)[299]);
  const counted = await countingTransfer();
  const again = await syncTree({ localRoot: root, remoteRoot: remote, transfer: counted.transfer, knownFolders: first.folders });
  assert.deepEqual(counted.together, [301], 'answered');
  assert.deepEqual(counted.readdirs, [], 'nothing over SFTP');
  assert.deepEqual(again.summary.uploaded, [Object.keys(files)[299]]);
  assert.equal(again.summary.unchanged, 299);
  rmSync(root, { recursive: true, force: true });
});

test('a local file gone between the scan and the bulk read is a clear error; no staging folder or file remains', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`src/f ${i}.py`] = `y = ${i}\n`;
  const root = localTree(files);
  const remote = remoteRoot('vanished');
  const gone = path.join(root, 'src/f 7.py');
  await assert.rejects(
    syncTree({
      localRoot: root,
      remoteRoot: remote,
      transfer: await transfer(),
      onProgress: (progress) => {
        if (progress.phase === 'uploading') rmSync(gone, { force: true });
      },
    }),
    (error: unknown) => error instanceof TransferError && error.message.includes(`Cannot read ${gone}`),
  );
  const left = await remoteSh(remote, 'ls -A src . | grep -c -e "hpcw-tmp" -e "^f " || true');
  assert.equal(left.trim(), '0', 'neither a staging folder nor a placed file');
  rmSync(root, { recursive: true, force: true });
});
