/**
 * Where a sync's time goes (scan, listing, upload, finishing), for the tree bench/sync.ts uses:
 *   HPCW_SANDBOX_DIR=... node out/bench/syncPhases.js
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox } from '../test/support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from '../test/integration/sync/sandboxSsh';
import { SftpFileTransfer } from '../src/transport/sftpFileTransfer';
import { syncTree, type SyncProgress } from '../src/transport/sftpSync';

async function main(): Promise<void> {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  const ssh = sandboxTransport(info);
  const home = await ssh.homeDir();
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-bench-phases-'));
  for (let i = 0; i < 1000; i++) {
    const dir = path.join(root, `src/module ${i % 25}`, `part-${i % 4}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `file-${i}.py`), randomBytes(500 + ((i * 37) % 7000)).toString('base64'));
  }
  const remote = `${home}/bench-phases`;
  await ssh.exec(['rm', '-rf', remote]);
  const transfer = new SftpFileTransfer(await ssh.sftp(), ssh);
  const bulkMinFiles = Number(process.env.HPCW_BULK_MIN ?? 16);
  // The folders of the last sync, as the editor keeps them (HPCW_KNOWN_FOLDERS=0: not kept).
  const keepFolders = process.env.HPCW_KNOWN_FOLDERS !== '0';
  let knownFolders: string[] = [];
  for (const label of ['first', 'again', 'again after 1 change', 'first (into a new folder)']) {
    if (label.startsWith('first (')) await ssh.exec(['rm', '-rf', remote]);
    if (label.includes('change')) writeFileSync(path.join(root, 'src/module 3/part-3/file-3.py'), 'changed\n');
    const marks: [string, number][] = [];
    const t0 = performance.now();
    let last = '';
    const r = await syncTree({
      localRoot: root,
      remoteRoot: remote,
      transfer,
      bulkMinFiles,
      knownFolders,
      onProgress: (p: SyncProgress) => {
        if (p.phase !== last) marks.push([(last = p.phase), performance.now() - t0]);
      },
    });
    const total = performance.now() - t0;
    if (keepFolders) knownFolders = r.folders;
    console.log(`${label} (load ${loadavg()[0].toFixed(1)}): ${total.toFixed(0)} ms (${r.summary.uploaded.length} uploaded, ${r.summary.bulkFiles} in bulk); phases start at ${marks.map(([p, t]) => `${p} ${t.toFixed(0)}`).join(', ')}`);
  }
  await ssh.exec(['rm', '-rf', remote]);
  rmSync(root, { recursive: true, force: true });
  ssh.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
