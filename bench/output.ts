/**
 * Output latency: a line written on the cluster → delivered by the follower (`Cluster.followOutput`,
 * its stream on the one SSH connection), beside `ssh host tail -F` started at the same time on the
 * same file. A job writes HPCW_BENCH_LINES (default 150) lines, each holding the time it was written
 * (`date +%s%N`, the sandbox shares this machine's clock), one every 0.1 s; each side notes when the
 * whole line arrived. Printed: p50 and p95 of both and the ratios (goal ≤ 1.2× at both).
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/output.js      (the sandbox must be up)
 */
import { execFileSync, spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ClusterRegistry, type Cluster } from '../src/cluster';
import { loadSandbox, slurmEnv, sshArgs } from '../test/support/sandbox';
import { ensureAuthorizedKey } from '../test/integration/sync/sandboxSsh';

const LINES = Number(process.env.HPCW_BENCH_LINES ?? 150);

const nowNs = () => BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));

/** Splits a text stream into whole lines and notes each line's latency (ms) from its timestamp. */
function lineClock(latencies: number[]): (text: string) => void {
  let partial = '';
  return (text) => {
    const at = nowNs();
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^t (\d+)$/.exec(line.trim());
      if (m) latencies.push(Number(at - BigInt(m[1])) / 1e6);
    }
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  process.env.HOME = info.clientHome;
  const ssh = (command: string) => execFileSync('ssh', [...sshArgs(info), command], { encoding: 'utf8' });
  const home = ssh('printf %s "$HOME"');
  const file = `${home}/hpcw-bench-output/lines.out`;
  const registry = new ClusterRegistry(() => ({
    sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
    allUsers: () => false,
    refreshIntervalMs: () => 15_000,
  }));
  registry.reload([{ name: 'bench', host: info.sshAlias, transport: 'ssh', remoteDir: '~/hpcw-bench-output' }]);
  const cluster = registry.get('bench') as Cluster;
  await cluster.ready();
  const row = (name: string, v: number[]) => `${name} | ${v.length} | ${percentile(v, 50).toFixed(1)} | ${percentile(v, 95).toFixed(1)}`;
  console.log(`line written on the cluster → delivered, ms (${LINES} lines, one every 0.1 s)`);
  console.log('file at start | side                 | lines | p50 | p95');
  // A pending job's file does not exist yet when it is opened; a running job's does.
  for (const exists of [false, true]) {
    ssh(`mkdir -p ~/hpcw-bench-output && rm -f ${file}${exists ? ` && touch ${file}` : ''}`);
    // The job waits 3 s before writing, so both followers are in place.
    const jobId = ssh(`cd ~ && sbatch --parsable -p debug -t 5 -o /dev/null --wrap 'sleep 3; for i in $(seq ${LINES}); do echo "t $(date +%s%N)" >> ${file}; sleep 0.1; done'`).trim().split(';')[0];
    const ours: number[] = [];
    const theirs: number[] = [];
    const follower = await cluster.followOutput(jobId, file);
    const ourClock = lineClock(ours);
    follower.onUpdate((u) => ourClock(u.text));
    const tail = spawn('ssh', [...sshArgs(info), `tail -n +1 -F ${file} 2>/dev/null`], { stdio: ['ignore', 'pipe', 'ignore'] });
    tail.stdout.setEncoding('utf8').on('data', lineClock(theirs));
    await follower.done();
    tail.kill('SIGTERM');
    execFileSync('scancel', [jobId], { env: slurmEnv(info) });
    const label = exists ? 'exists ' : 'missing';
    console.log(row(`${label}       | ours (${follower.following})        `, ours));
    console.log(row(`${label}       | ssh host tail -F     `, theirs));
    console.log(`${label}       | ours / tail -F: p50 ${(percentile(ours, 50) / percentile(theirs, 50)).toFixed(2)}×, p95 ${(percentile(ours, 95) / percentile(theirs, 95)).toFixed(2)}×`);
  }
  registry.dispose();
  ssh('rm -rf ~/hpcw-bench-output');
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
