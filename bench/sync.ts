/**
 * Sync benchmark: a tree of 1,000 small files plus 3 large ones (20 MiB each), uploaded to the
 * sandbox's sshd by HPC Workbench's sync (small files in one tar archive, large ones over SFTP),
 * by `rsync -a -e ssh` and by `scp -r`, first
 * into an empty folder, then again after one small file changed. Prints seconds and ratios.
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/sync.js        (the sandbox must be up)
 *   HPCW_BENCH_SMALL=1000 HPCW_BENCH_LARGE=3 HPCW_BENCH_LARGE_MB=20 HPCW_BENCH_RUNS=3
 *
 * Our sync runs on a connection that is already open (as in the editor, where the connection
 * is kept); rsync and scp each open one SSH connection per run: the time of one `ssh true`
 * is printed so that handshake cost can be read out of their figures.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadSandbox, sshArgs } from '../test/support/sandbox';
import { ensureAuthorizedKey, sandboxTransport } from '../test/integration/sync/sandboxSsh';
import { SftpFileTransfer } from '../src/transport/sftpFileTransfer';
import { syncTree } from '../src/transport/sftpSync';
import { syncWorkspace } from '../src/cluster/submit';

const SMALL = Number(process.env.HPCW_BENCH_SMALL ?? 1000);
const LARGE = Number(process.env.HPCW_BENCH_LARGE ?? 3);
const LARGE_MB = Number(process.env.HPCW_BENCH_LARGE_MB ?? 20);
const RUNS = Number(process.env.HPCW_BENCH_RUNS ?? 3);

function makeTree(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-bench-sync-'));
  for (let i = 0; i < SMALL; i++) {
    const dir = path.join(root, `src/module ${i % 25}`, `part-${i % 4}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `file-${i}.py`), randomBytes(500 + ((i * 37) % 7000)).toString('base64'));
  }
  mkdirSync(path.join(root, 'data'), { recursive: true });
  for (let i = 0; i < LARGE; i++) writeFileSync(path.join(root, 'data', `large-${i}.bin`), randomBytes(LARGE_MB * 1024 * 1024));
  return root;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  const ssh = sandboxTransport(info);
  const home = await ssh.homeDir();
  const sshCommand = `ssh ${sshArgs(info).slice(0, -1).join(' ')}`;
  const alias = info.sshAlias;
  const root = makeTree();
  const changed = path.join(root, 'src/module 3/part-3/file-3.py');
  const totalMb = (SMALL * 4 * 1024 + LARGE * LARGE_MB * 1024 * 1024) / 1024 / 1024;
  console.log(`tree: ${SMALL} small files (0.5-7.5 KB) + ${LARGE} x ${LARGE_MB} MiB (~${totalMb.toFixed(0)} MiB), ${RUNS} runs, median seconds; load average ${loadavg()[0].toFixed(1)}`);

  const handshake: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    execFileSync('ssh', [...sshArgs(info), 'true']);
    handshake.push(seconds(t));
  }

  const results: Record<string, { first: number[]; again: number[] }> = {
    'hpc-workbench (sftp)': { first: [], again: [] },
    'rsync -a -e ssh': { first: [], again: [] },
    'scp -r': { first: [], again: [] },
  };
  const clean = (dir: string) => ssh.exec(['rm', '-rf', dir]);

  for (let run = 0; run < RUNS; run++) {
    // Ours.
    const ours = `${home}/bench-sync/ours-${run}`;
    await clean(ours);
    const transfer = new SftpFileTransfer(await ssh.sftp(), ssh);
    let t = process.hrtime.bigint();
    // As the editor syncs (cluster/workspaceOps.ts): the folders of the last sync are kept.
    const workspace = { runner: ssh, transfer, localRoot: root, remoteRoot: ours, syncedFolders: new Map<string, readonly string[]>() };
    const first = await syncWorkspace(workspace);
    results['hpc-workbench (sftp)'].first.push(seconds(t));
    writeFileSync(changed, `changed in run ${run}\n`);
    t = process.hrtime.bigint();
    const again = await syncWorkspace(workspace);
    results['hpc-workbench (sftp)'].again.push(seconds(t));
    if (again.summary.uploaded.length !== 1) throw new Error(`expected 1 upload, got ${again.summary.uploaded.length}`);
    if (first.summary.uploaded.length !== SMALL + LARGE) throw new Error('first sync incomplete');
    if (run === 0) console.log(`ours: ${first.summary.bulkFiles} of ${first.summary.uploaded.length} files in bulk (one tar archive), the rest over SFTP one by one`);

    // rsync.
    const rs = `bench-sync/rsync-${run}`;
    await clean(`${home}/${rs}`);
    await ssh.exec(['mkdir', '-p', `${home}/bench-sync`]);
    t = process.hrtime.bigint();
    execFileSync('rsync', ['-a', '-e', sshCommand, `${root}/`, `${alias}:${rs}/`]);
    results['rsync -a -e ssh'].first.push(seconds(t));
    writeFileSync(changed, `changed again in run ${run}\n`);
    t = process.hrtime.bigint();
    execFileSync('rsync', ['-a', '-e', sshCommand, `${root}/`, `${alias}:${rs}/`]);
    results['rsync -a -e ssh'].again.push(seconds(t));

    // scp: no incremental mode; the second run copies the tree again.
    const sc = `bench-sync/scp-${run}`;
    await clean(`${home}/${sc}`);
    t = process.hrtime.bigint();
    execFileSync('scp', ['-q', '-r', '-F', sshArgs(info)[1], root, `${alias}:${sc}`]);
    results['scp -r'].first.push(seconds(t));
    writeFileSync(changed, `changed for scp in run ${run}\n`);
    t = process.hrtime.bigint();
    execFileSync('scp', ['-q', '-r', '-F', sshArgs(info)[1], root, `${alias}:${sc}`]);
    results['scp -r'].again.push(seconds(t));
  }

  const ourFirst = median(results['hpc-workbench (sftp)'].first);
  const ourAgain = median(results['hpc-workbench (sftp)'].again);
  console.log(`ssh handshake (one 'ssh true'): ${median(handshake).toFixed(3)} s; load average now ${loadavg()[0].toFixed(1)}`);
  console.log('tool                    first sync   ratio to us   after 1 change   ratio to us');
  for (const [name, r] of Object.entries(results)) {
    const first = median(r.first);
    const again = median(r.again);
    console.log(
      `${name.padEnd(22)}  ${first.toFixed(3).padStart(9)} s   ${(first / ourFirst).toFixed(2).padStart(9)}x   ${again.toFixed(3).padStart(12)} s   ${(again / ourAgain).toFixed(2).padStart(9)}x`,
    );
  }
  // Every run, not only the medians: a stall of the machine in one run shows here.
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name}: first ${r.first.map((v) => v.toFixed(2)).join(' ')} s; after 1 change ${r.again.map((v) => v.toFixed(3)).join(' ')} s`);
  }
  const largeBytes = LARGE * LARGE_MB * 1024 * 1024;
  // Large files alone, to compare with the link's limit (a plain `cat > file` over ssh).
  const largeOnly = mkdtempSync(path.join(tmpdir(), 'hpcw-bench-large-'));
  mkdirSync(path.join(largeOnly, 'data'));
  execFileSync('cp', ['-r', path.join(root, 'data'), largeOnly]);
  const remoteLarge = `${home}/bench-sync/large`;
  await clean(remoteLarge);
  let t = process.hrtime.bigint();
  await syncTree({ localRoot: largeOnly, remoteRoot: remoteLarge, transfer: new SftpFileTransfer(await ssh.sftp(), ssh) });
  const oursLarge = seconds(t);
  t = process.hrtime.bigint();
  execFileSync('sh', ['-c', `cat "$@" | ${sshCommand} ${alias} 'cat > /dev/null'`, 'sh', ...Array.from({ length: LARGE }, (_, i) => path.join(root, 'data', `large-${i}.bin`))]);
  const pipe = seconds(t);
  console.log(`large files only: ours ${(largeBytes / oursLarge / 1e6).toFixed(0)} MB/s; raw ssh pipe (cat | ssh cat>/dev/null) ${(largeBytes / pipe / 1e6).toFixed(0)} MB/s (${(oursLarge / pipe).toFixed(2)}x its time)`);

  await clean(`${home}/bench-sync`);
  rmSync(root, { recursive: true, force: true });
  rmSync(largeOnly, { recursive: true, force: true });
  ssh.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
