/**
 * RemoteTreeLister (the remote listing that runs alongside the local scan) against an in-memory
 * remote tree: the same result as a walk that descends only into folders both sides have; a
 * link or a file where the local side has a folder is not descended (even when listing it
 * would work); at most 32 listings in flight; cancellation. The real sshd: test/integration/sync.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyManifest, type Manifest } from '../../../src/core/sync/manifest';
import type { FileTransfer, RemoteEntry } from '../../../src/transport/fileTransfer';
import { RemoteTreeLister } from '../../../src/transport/sftpSync';
import { CancelledError } from '../../../src/core/errors';

type Node = { kind: 'file'; size: number } | { kind: 'dir'; children: Record<string, Node> } | { kind: 'link'; to: Record<string, Node> };

/**
 * A FileTransfer whose readdir/stat answer from `tree` (links are followed by readdir, as SFTP
 * does); with `together`, also listFolders (as find does: an operand that is a link is followed,
 * a missing one or a file has no entries), which can be made to fail ('fails': no GNU find there).
 */
function fakeTransfer(tree: Record<string, Node>, root = '/r', together?: 'works' | 'fails') {
  let inFlight = 0;
  let most = 0;
  const listed: string[] = [];
  const listedTogether: string[][] = [];
  const find = (target: string): Node | undefined => {
    if (target === root) return { kind: 'dir', children: tree };
    let node: Node | undefined = { kind: 'dir', children: tree };
    for (const part of target.slice(root.length + 1).split('/')) {
      const children: Record<string, Node> | undefined = node?.kind === 'dir' ? node.children : node?.kind === 'link' ? node.to : undefined;
      node = children?.[part];
    }
    return node;
  };
  const entry = (name: string, node: Node): RemoteEntry => ({
    name,
    isDirectory: node.kind === 'dir',
    isFile: node.kind === 'file',
    size: node.kind === 'file' ? node.size : 0,
    mtime: 1,
    mode: 0o644,
  });
  const transfer = {
    kind: 'sftp',
    async stat(target: string) {
      const node = find(target);
      return node ? entry(target.split('/').pop()!, node) : undefined;
    },
    async readdir(dir: string) {
      inFlight++;
      most = Math.max(most, inFlight);
      listed.push(dir);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      const node = find(dir);
      if (!node) return undefined;
      if (node.kind === 'file') throw new Error(`not a folder: ${dir}`);
      const children = node.kind === 'dir' ? node.children : node.to;
      return Object.entries(children).map(([name, child]) => entry(name, child));
    },
    ...(together && {
      async listFolders(dirs: readonly string[]) {
        listedTogether.push([...dirs]);
        await new Promise((resolve) => setImmediate(resolve));
        if (together === 'fails') return undefined;
        const out = new Map<string, RemoteEntry[]>();
        for (const dir of dirs) {
          const node = find(dir);
          const children = node?.kind === 'dir' ? node.children : node?.kind === 'link' ? node.to : {};
          if (Object.keys(children).length > 0) out.set(dir, Object.entries(children).map(([name, child]) => entry(name, child)));
        }
        return out;
      },
    }),
  } as unknown as FileTransfer;
  return { transfer, listed, listedTogether, most: () => most };
}

function localManifest(files: string[], dirs: string[]): Manifest {
  const m = emptyManifest();
  for (const path of files) m.files.set(path, { path, size: 1, mtime: 1, mode: 0o644 });
  for (const dir of dirs) m.dirs.add(dir);
  return m;
}

test('the listing holds what both sides have; remote-only folders and links are not descended', async () => {
  const elsewhere: Record<string, Node> = { 'secret.txt': { kind: 'file', size: 9 } };
  const { transfer, listed } = fakeTransfer({
    'a.txt': { kind: 'file', size: 1 },
    src: { kind: 'dir', children: { 'm.py': { kind: 'file', size: 2 }, deep: { kind: 'dir', children: { 'x.py': { kind: 'file', size: 3 } } } } },
    outputs: { kind: 'dir', children: { 'r.txt': { kind: 'file', size: 4 } } },
    linked: { kind: 'link', to: elsewhere },
    'was a dir': { kind: 'file', size: 5 },
  });
  const local = localManifest(['a.txt', 'src/m.py', 'src/deep/x.py', 'linked/l.txt', 'was a dir/f.txt'], ['src', 'src/deep', 'linked', 'was a dir', 'only here']);
  const lister = new RemoteTreeLister(transfer, '/r');
  // As the scan would: the root first, then each folder as it is found.
  for (const dir of ['', 'src', 'linked', 'was a dir', 'only here', 'src/deep']) lister.add(dir);
  assert.equal(await lister.rootIsFolder(), true);
  const listing = await lister.finish(local);
  assert.deepEqual([...listing.manifest.files.keys()].sort(), ['a.txt', 'src/deep/x.py', 'src/m.py', 'was a dir']);
  assert.deepEqual([...listing.manifest.dirs].sort(), ['outputs', 'src', 'src/deep']);
  assert.deepEqual(listing.conflicts, ['was a dir']);
  assert.ok(!listed.includes('/r/outputs'), 'a folder the local side lacks is not listed');
  assert.ok(!listing.manifest.files.has('linked/secret.txt'), 'a link where the local side has a folder is not descended');
});

test('folders never added are listed by finish; a missing remote root lists nothing', async () => {
  const { transfer } = fakeTransfer({ src: { kind: 'dir', children: { 'm.py': { kind: 'file', size: 2 } } } });
  const listing = await new RemoteTreeLister(transfer, '/r').finish(localManifest(['src/m.py'], ['src']));
  assert.deepEqual([...listing.manifest.files.keys()], ['src/m.py']);

  const missing = fakeTransfer({}, '/elsewhere');
  const lister = new RemoteTreeLister(missing.transfer, '/r/none');
  assert.equal(await lister.rootIsFolder(), false);
  const empty = await lister.finish(localManifest([], ['a', 'b']));
  assert.equal(empty.manifest.files.size + empty.manifest.dirs.size, 0);
  assert.deepEqual(missing.listed, [], 'nothing is listed below a missing root');
});

test('at most 32 listings are in flight; a cancel ends finish with a CancelledError', async () => {
  const children: Record<string, Node> = {};
  const dirs: string[] = [];
  for (let i = 0; i < 200; i++) {
    children[`d${i}`] = { kind: 'dir', children: { 'f.txt': { kind: 'file', size: 1 } } };
    dirs.push(`d${i}`);
  }
  const fake = fakeTransfer(children);
  const listing = await new RemoteTreeLister(fake.transfer, '/r').finish(localManifest([], dirs));
  assert.equal(listing.manifest.files.size, 200);
  assert.ok(fake.most() <= 32, `at most 32 at once (saw ${fake.most()})`);
  assert.ok(fake.most() > 1, 'listings overlap');

  const controller = new AbortController();
  const cancelled = new RemoteTreeLister(fakeTransfer(children).transfer, '/r', controller.signal);
  for (const dir of dirs) cancelled.add(dir);
  controller.abort();
  await assert.rejects(cancelled.finish(localManifest([], dirs)), CancelledError);
});

test('known folders are listed together at once; only new ones go over SFTP; the result is the same', async () => {
  const elsewhere: Record<string, Node> = { 'secret.txt': { kind: 'file', size: 9 } };
  const tree = (): Record<string, Node> => ({
    'a.txt': { kind: 'file', size: 1 },
    src: { kind: 'dir', children: { 'm.py': { kind: 'file', size: 2 }, deep: { kind: 'dir', children: { 'x.py': { kind: 'file', size: 3 } } } } },
    fresh: { kind: 'dir', children: { 'n.py': { kind: 'file', size: 4 } } },
    outputs: { kind: 'dir', children: { 'r.txt': { kind: 'file', size: 4 } } },
    linked: { kind: 'link', to: elsewhere },
    'was a dir': { kind: 'file', size: 5 },
  });
  const local = localManifest(['a.txt', 'src/m.py', 'src/deep/x.py', 'fresh/n.py', 'linked/l.txt', 'was a dir/f.txt'], ['src', 'src/deep', 'fresh', 'linked', 'was a dir']);
  const scan = ['', 'src', 'fresh', 'linked', 'was a dir', 'src/deep'];
  // The previous sync had these (and 'gone', no longer local; 'outputs' never was).
  const known = ['src', 'src/deep', 'linked', 'was a dir', 'gone'];

  const oneByOne = fakeTransfer(tree());
  const reference = new RemoteTreeLister(oneByOne.transfer, '/r');
  for (const dir of scan) reference.add(dir);
  const expected = await reference.finish(local);

  const fake = fakeTransfer(tree(), '/r', 'works');
  const lister = new RemoteTreeLister(fake.transfer, '/r', undefined, known);
  for (const dir of scan) lister.add(dir);
  const listing = await lister.finish(local);
  assert.deepEqual(fake.listedTogether, [['/r', '/r/src', '/r/src/deep', '/r/linked', '/r/was a dir', '/r/gone']], 'one call, at once, the root included');
  assert.deepEqual(fake.listed, ['/r/fresh'], 'only the folder the previous sync lacked goes over SFTP');
  assert.deepEqual(listing, expected);
  assert.ok(!listing.manifest.files.has('linked/secret.txt'), 'a link where the local side has a folder is not descended');
  assert.deepEqual(listing.conflicts, ['was a dir']);

  // No answer (no GNU find there, the command failed): every folder over SFTP, the same result.
  const failing = fakeTransfer(tree(), '/r', 'fails');
  const fallback = new RemoteTreeLister(failing.transfer, '/r', undefined, known);
  for (const dir of scan) fallback.add(dir);
  assert.deepEqual(await fallback.finish(local), expected);
  assert.deepEqual([...failing.listed].sort(), ['/r', '/r/fresh', '/r/linked', '/r/src', '/r/src/deep', '/r/was a dir'], 'the known folders too, after the failure');

  // A missing root: nothing below it is taken from the answer.
  const missing = fakeTransfer({}, '/elsewhere', 'works');
  const none = new RemoteTreeLister(missing.transfer, '/r/none', undefined, ['a']);
  assert.equal((await none.finish(localManifest([], ['a']))).manifest.dirs.size, 0);
});
