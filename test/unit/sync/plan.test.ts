import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planSync, ancestorsOf } from '../../../src/core/sync/plan';
import { emptyManifest, normaliseRelative, type Manifest } from '../../../src/core/sync/manifest';

function manifest(files: [string, number, number, number?][], dirs: string[] = []): Manifest {
  const m = emptyManifest();
  for (const [path, size, mtime, mode] of files) m.files.set(path, { path, size, mtime, mode: mode ?? 0o644 });
  for (const dir of dirs) m.dirs.add(dir);
  return m;
}

test('a first sync uploads every file and creates folders parents first', () => {
  const local = manifest([['a.txt', 3, 100], ['src/b/c.py', 10, 100]], ['src/b', 'src']);
  const plan = planSync(local, emptyManifest());
  assert.deepEqual(plan.mkdirs, ['src', 'src/b']);
  assert.deepEqual(plan.uploads.map((u) => [u.file.path, u.reason]), [['a.txt', 'new'], ['src/b/c.py', 'new']]);
  assert.equal(plan.uploadBytes, 13);
  assert.equal(plan.unchanged, 0);
});

test('unchanged files (same size and mtime) are skipped', () => {
  const local = manifest([['a', 3, 100], ['b', 4, 200]]);
  const remote = manifest([['a', 3, 100], ['b', 4, 200]]);
  const plan = planSync(local, remote);
  assert.equal(plan.uploads.length, 0);
  assert.equal(plan.verify.length, 0);
  assert.equal(plan.unchanged, 2);
});

test('a size change uploads; an mtime-only change is verified by hash, not uploaded blindly', () => {
  const local = manifest([['a', 5, 100], ['b', 4, 300]]);
  const remote = manifest([['a', 3, 100], ['b', 4, 200]]);
  const plan = planSync(local, remote);
  assert.deepEqual(plan.uploads.map((u) => [u.file.path, u.reason]), [['a', 'size']]);
  assert.deepEqual(plan.verify.map((f) => f.path), ['b']);
});

test('an executable bit that differs is fixed without an upload', () => {
  const local = manifest([['run.sh', 5, 100, 0o755]]);
  const remote = manifest([['run.sh', 5, 100, 0o644]]);
  const plan = planSync(local, remote);
  assert.deepEqual(plan.chmods, [{ path: 'run.sh', mode: 0o755 }]);
  assert.equal(plan.uploads.length, 0);
});

test('remote-only files are kept unless deleteRemote is asked', () => {
  const local = manifest([['a', 1, 1]]);
  const remote = manifest([['a', 1, 1], ['slurm-12.out', 50, 9], ['out/x', 1, 1]], ['out']);
  const keep = planSync(local, remote);
  assert.deepEqual(keep.remoteOnly, ['out/x', 'slurm-12.out']);
  assert.deepEqual(keep.deletes, []);
  const remove = planSync(local, remote, { deleteRemote: true });
  assert.deepEqual(remove.deletes, [
    { path: 'out/x', isDirectory: false },
    { path: 'slurm-12.out', isDirectory: false },
    { path: 'out', isDirectory: true },
  ]);
});

test('folders that exist remotely are not created again', () => {
  const plan = planSync(manifest([], ['a', 'a/b', 'c']), manifest([], ['a']));
  assert.deepEqual(plan.mkdirs, ['c', 'a/b']);
});

test('ancestorsOf lists every parent folder once, parents first', () => {
  assert.deepEqual(ancestorsOf(['x/y/z.txt', 'x/w.txt', 'top.txt']), ['x', 'x/y']);
});

test('normaliseRelative cleans separators and refuses paths leaving the root', () => {
  assert.equal(normaliseRelative('./a\\b//c'), 'a/b/c');
  assert.throws(() => normaliseRelative('a/../../etc/passwd'), /leaves the synced folder/);
});
