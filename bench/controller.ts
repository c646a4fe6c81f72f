/**
 * Controller load: the RPCs slurmctld receives from the user while the extension's cluster
 * service watches a cluster (5 running jobs, 2 of them followed, the default 15 s interval),
 * counted with `sdiag` (per-user RPC statistics, reset with `sdiag -r`; run as root, the
 * sandbox's SlurmUser), beside `watch -n 2 squeue` (turm's default interval) over the same window.
 * Four windows of HPCW_BENCH_WINDOW_S seconds (default 120: an hour scaled down):
 *   A. ours, window focused, 2 jobs followed (their output streamed)
 *   A0. ours, window focused, nothing followed: (A − A0) / 2 is the cost of one followed job
 *   B. ours, window not focused, nothing followed (the refresh 4× slower)
 *   C. `ssh -tt host watch -n 2 squeue`
 * Printed: RPCs, refreshes, RPCs per refresh, RPCs per followed job, per message type of window A.
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/controller.js      (the sandbox must be up; as root)
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ClusterRegistry, type Cluster, type OutputFollower } from '../src/cluster';
import { loadSandbox, slurmEnv, sshArgs, type SandboxInfo } from '../test/support/sandbox';
import { ensureAuthorizedKey } from '../test/integration/sync/sandboxSsh';

const WINDOW_S = Number(process.env.HPCW_BENCH_WINDOW_S ?? 120);
const INTERVAL_MS = 15_000;

interface Rpcs {
  user: number;
  byType: Map<string, number>;
}

function sdiag(info: SandboxInfo, args: string[] = []): string {
  return execFileSync('sdiag', args, { env: slurmEnv(info), encoding: 'utf8' });
}

/** The user's RPC count, and every message type's (all users), since the last reset. */
function readRpcs(info: SandboxInfo): Rpcs {
  const text = sdiag(info);
  const userLine = new RegExp(`^\\s*${info.sshUser}\\s+\\(\\s*\\d+\\)\\s+count:(\\d+)`, 'm').exec(text);
  const byType = new Map<string, number>();
  const types = text.slice(text.indexOf('by message type'), text.indexOf('by user'));
  for (const m of types.matchAll(/^\s*(\S+)\s+\(\s*\d+\)\s+count:(\d+)/gm)) byType.set(m[1], Number(m[2]));
  return { user: userLine ? Number(userLine[1]) : 0, byType };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function window<T>(info: SandboxInfo, run: () => Promise<T>): Promise<{ rpcs: Rpcs; value: T }> {
  sdiag(info, ['-r']);
  const value = await run();
  return { rpcs: readRpcs(info), value };
}

async function ours(info: SandboxInfo, jobs: { id: string; out: string }[], follow: number, focused: boolean): Promise<{ refreshes: number; bytes: number }> {
  const registry = new ClusterRegistry(() => ({
    sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
    allUsers: () => false,
    refreshIntervalMs: () => INTERVAL_MS,
  }));
  registry.setWindowFocused(focused);
  registry.reload([{ name: 'bench', host: info.sshAlias, transport: 'ssh', remoteDir: '~/hpcw-bench-controller' }]);
  const cluster = registry.get('bench') as Cluster;
  let refreshes = 0;
  let bytes = 0;
  cluster.onDidRefresh(() => refreshes++);
  const followers: OutputFollower[] = [];
  try {
    await cluster.ready();
    for (const job of jobs.slice(0, follow)) {
      const follower = await cluster.followOutput(job.id, job.out);
      follower.onUpdate((u) => (bytes += Buffer.byteLength(u.text)));
      followers.push(follower);
    }
    await sleep(WINDOW_S * 1000);
  } finally {
    for (const f of followers) f.stop();
    registry.dispose();
  }
  return { refreshes, bytes };
}

async function watchSqueue(info: SandboxInfo): Promise<number> {
  const child = spawn('ssh', ['-tt', ...sshArgs(info), 'watch -n 2 squeue'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await sleep(WINDOW_S * 1000);
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return Math.floor(WINDOW_S / 2);
}

async function main(): Promise<void> {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  process.env.HOME = info.clientHome;
  const work = mkdtempSync(path.join(tmpdir(), 'hpcw-bench-ctl-'));
  const jobs: { id: string; out: string }[] = [];
  const ssh = (command: string) => execFileSync('ssh', [...sshArgs(info), command], { encoding: 'utf8' });
  try {
    ssh('mkdir -p ~/hpcw-bench-controller');
    for (let i = 0; i < 5; i++) {
      const out = `hpcw-bench-controller/job${i}.out`;
      const id = ssh(`cd ~ && sbatch --parsable -p ${i < 3 ? 'debug' : 'compute'} -t 30 -o ${out} --wrap 'while :; do date +%s.%N; sleep 1; done'`).trim().split(';')[0];
      jobs.push({ id, out: `${ssh('printf %s "$HOME"')}/${out}` });
    }
    for (;;) {
      const states = execFileSync('squeue', ['-h', '-o', '%T', '-j', jobs.map((j) => j.id).join(',')], { env: slurmEnv(info), encoding: 'utf8' }).trim().split('\n');
      if (states.length === 5 && states.every((s) => s === 'RUNNING')) break;
      await sleep(500);
    }
    console.log(`controller RPCs from ${info.sshUser} over ${WINDOW_S} s windows (sdiag), 5 running jobs, refresh interval ${INTERVAL_MS / 1000} s`);
    const a = await window(info, () => ours(info, jobs, 2, true));
    const a0 = await window(info, () => ours(info, jobs, 0, true));
    const b = await window(info, () => ours(info, jobs, 0, false));
    const c = await window(info, () => watchSqueue(info));
    const perRefreshB = b.rpcs.user / Math.max(1, b.value.refreshes);
    const perRefreshA = a.rpcs.user / Math.max(1, a.value.refreshes);
    const perRefreshA0 = a0.rpcs.user / Math.max(1, a0.value.refreshes);
    const perFollowed = (a.rpcs.user - a0.rpcs.user) / 2;
    const perMinute = (n: number) => ((n * 60) / WINDOW_S).toFixed(1);
    console.log('window                              | RPCs | refreshes | RPCs/refresh | RPCs/min');
    console.log(`A ours, focused, 2 followed          | ${a.rpcs.user} | ${a.value.refreshes} | ${perRefreshA.toFixed(2)} | ${perMinute(a.rpcs.user)}   (${a.value.bytes} bytes streamed)`);
    console.log(`A0 ours, focused, none followed     | ${a0.rpcs.user} | ${a0.value.refreshes} | ${perRefreshA0.toFixed(2)} | ${perMinute(a0.rpcs.user)}`);
    console.log(`B ours, not focused, none followed   | ${b.rpcs.user} | ${b.value.refreshes} | ${perRefreshB.toFixed(2)} | ${perMinute(b.rpcs.user)}`);
    console.log(`C watch -n 2 squeue                  | ${c.rpcs.user} | ~${c.value} | ${(c.rpcs.user / Math.max(1, c.value)).toFixed(2)} | ${perMinute(c.rpcs.user)}`);
    console.log(`RPCs per followed job over the window ((A − A0) / 2; the same number of refreshes: ${a.value.refreshes} vs ${a0.value.refreshes}): ${perFollowed.toFixed(1)}`);
    console.log(`watch -n 2 squeue / ours (focused): ${(c.rpcs.user / Math.max(1, a.rpcs.user)).toFixed(1)}×; / ours (not focused): ${(c.rpcs.user / Math.max(1, b.rpcs.user)).toFixed(1)}×`);
    console.log(`window A by message type (all users, slurmd included), per refresh over ${a.value.refreshes}:`);
    for (const [type, count] of [...a.rpcs.byType].sort((x, y) => y[1] - x[1]).slice(0, 10)) console.log(`  ${type} ${count} (${(count / Math.max(1, a.value.refreshes)).toFixed(1)})`);
  } finally {
    if (jobs.length > 0) execFileSync('scancel', jobs.map((j) => j.id), { env: slurmEnv(info) });
    try {
      ssh('rm -rf ~/hpcw-bench-controller');
    } catch {
      // best effort
    }
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
