/**
 * The one-command folder listing (core/sync/folderListing.ts) run by this machine's GNU find on a
 * real tree with hostile names: every entry as lstat sees it (a link is neither file nor folder),
 * size, whole-second mtime and mode exact; a missing folder is simply absent; what find cannot
 * do (an unknown -printf, an unreadable folder) gives undefined, so the sync falls back to SFTP.
 * Through the real sshd: test/integration/sync (every sync there lists this way).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findOperand, folderListingArgv, folderListingBatches, parseFolderListing } from '../../../src/core/sync/folderListing';

function run(argv: string[], cwd: string) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('folder listing: hostile names, links, modes and mtimes exactly as lstat has them; missing folders absent', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-find-'));
  try {
    const hostile = ["it's a \"file\" $(touch pwned) `x`.py", 'new\nline.txt', '-rf', 'ünï cødé'];
    mkdirSync(path.join(root, 'ws', 'sub dir', 'deep'), { recursive: true });
    for (const name of hostile) writeFileSync(path.join(root, 'ws', name), name);
    writeFileSync(path.join(root, 'ws', 'sub dir', 'run.sh'), '#!/bin/sh\n');
    chmodSync(path.join(root, 'ws', 'sub dir', 'run.sh'), 0o4755);
    utimesSync(path.join(root, 'ws', 'sub dir', 'run.sh'), 1_700_000_000, 1_700_000_123.75);
    symlinkSync('sub dir', path.join(root, 'ws', 'link-to-dir'));
    symlinkSync('nowhere', path.join(root, 'ws', 'dangling'));
    const folders = ['ws', 'ws/sub dir', 'ws/missing', 'ws/sub dir/deep'];
    const listed = parseFolderListing(folders, run(folderListingArgv(folders), root));
    assert.ok(listed, 'GNU find lists them');
    const names = (folder: string) => (listed.get(folder) ?? []).map((e) => e.name).sort();
    assert.deepEqual(names('ws'), [...hostile, 'dangling', 'link-to-dir', 'sub dir'].sort());
    assert.equal(listed.has('ws/missing'), false);
    assert.equal(listed.has('ws/sub dir/deep'), false, 'an empty folder has no entries');
    const ws = new Map((listed.get('ws') ?? []).map((e) => [e.name, e]));
    assert.deepEqual([ws.get('link-to-dir')?.isDirectory, ws.get('link-to-dir')?.isFile], [false, false], 'a link is not followed');
    assert.deepEqual([ws.get('sub dir')?.isDirectory, ws.get('dangling')?.isFile], [true, false]);
    for (const name of hostile) assert.equal(ws.get(name)?.size, Buffer.byteLength(name), name);
    const script = listed.get('ws/sub dir')?.[0];
    const st = lstatSync(path.join(root, 'ws', 'sub dir', 'run.sh'));
    assert.deepEqual(script, { name: 'run.sh', isDirectory: false, isFile: true, size: st.size, mtime: 1_700_000_123, mode: 0o4755 });
    assert.equal(spawnSync('ls', [root]).stdout.toString().includes('pwned'), false, 'nothing executed');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('folder listing: what find cannot do gives undefined (the SFTP listing then), operands never read as options', () => {
  assert.equal(findOperand('-rf'), './-rf');
  assert.equal(findOperand('~'), '.');
  assert.equal(findOperand('~/a b'), './a b');
  assert.equal(findOperand('/abs/x'), '/abs/x');
  // BusyBox/BSD find: no -printf.
  assert.equal(parseFolderListing(['a'], { code: 1, stdout: '', stderr: "find: unrecognized: -printf\n" }), undefined);
  assert.equal(parseFolderListing(['a'], { code: 1, stdout: '', stderr: '' }), undefined);
  assert.equal(parseFolderListing(['a'], { code: null, stdout: '', stderr: '' }), undefined);
  // An unreadable folder: SFTP gives the error the user should see.
  assert.equal(parseFolderListing(['a'], { code: 1, stdout: '', stderr: "find: './a': Permission denied\n" }), undefined);
  // A missing folder alone is fine.
  assert.deepEqual(parseFolderListing(['a'], { code: 1, stdout: '', stderr: "find: './a': No such file or directory\n" }), new Map());
  // Output cut short, or not in the expected shape.
  assert.equal(parseFolderListing(['a'], { code: 0, stdout: './a\0x\0f 1 2', stderr: '' }), undefined);
  assert.equal(parseFolderListing(['a'], { code: 0, stdout: './b\0x\0f 1 2 644\0', stderr: '' }), undefined);
});

test('folder listing: an unreadable folder on the real find is undefined, not empty', { skip: process.getuid?.() === 0 ? 'root reads every folder' : false }, () => {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-find-'));
  try {
    mkdirSync(path.join(root, 'closed'));
    chmodSync(path.join(root, 'closed'), 0);
    assert.equal(parseFolderListing(['closed'], run(folderListingArgv(['closed']), root)), undefined);
  } finally {
    chmodSync(path.join(root, 'closed'), 0o755);
    rmSync(root, { recursive: true, force: true });
  }
});

test('folder listing: long lists go in several commands, each within the byte bound, none lost or reordered', () => {
  const folders = Array.from({ length: 500 }, (_, i) => `/home/u/ws/${'ü'.repeat(i % 90)} $(x) ${i}`);
  const batches = folderListingBatches(folders, 4096);
  assert.ok(batches.length > 1, 'split');
  assert.deepEqual(batches.flat(), folders);
  for (const batch of batches) assert.ok(batch.reduce((bytes, f) => bytes + Buffer.byteLength(findOperand(f)) + 1, 0) <= 4096);
  assert.deepEqual(folderListingBatches(['a', 'b']), [['a', 'b']], 'a workspace fits one');
  assert.deepEqual(folderListingBatches(['x'.repeat(5000)], 4096), [['x'.repeat(5000)]], 'one name over the bound goes alone');
});
