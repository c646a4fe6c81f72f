/**
 * Accounting figures:
 * 1. Parse time of 100,000 `sacct -P` rows with steps (a week of a busy site: 1 job line, 2 step
 *    lines), with the efficiency of every job and the array grouping; beside it, JSON.parse of the
 *    same records as `sacct --json` would carry them (without its much larger envelope), as a ratio.
 * 2. How many sacct and sstat commands the cluster service runs per hour with 5 running jobs of
 *    mine at the default interval (15 s): measured on the real `Cluster` against the sandbox with
 *    slurmdbd (local transport, a 1 s interval for ~25 s, scaled to an hour), counting the Slurm
 *    commands in every round trip; beside it the previous design (sacct at every refresh).
 *
 *   node out/bench/accounting.js     (part 2 needs `sandbox.sh up --accounting slurmdbd`; skipped otherwise)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Cluster, type FinishedJobReport } from '../src/cluster';
import { ClusterConnection } from '../src/cluster/connection';
import { jobEfficiency } from '../src/core/slurm/efficiency';
import { groupArrays, parseSacctSteps } from '../src/core/slurm/sacct';
import { FIELD_SEPARATOR } from '../src/core/slurm/squeue';
import { SETTING_DEFAULTS } from '../src/core/settings';

const RUNS = Number(process.env.HPCW_BENCH_RUNS ?? '5') || 5;
const ROWS = 100_000;
const S = FIELD_SEPARATOR;

function sacctText(): { text: string; json: string } {
  const lines: string[] = [];
  const records: unknown[] = [];
  for (let i = 0; lines.length < ROWS; i++) {
    const array = i % 5 === 0;
    const id = array ? `${500_000 + (i - (i % 50))}_${i % 50}` : String(1_000_000 + i);
    const state = i % 11 === 0 ? 'FAILED' : i % 17 === 0 ? 'TIMEOUT' : 'COMPLETED';
    const times = ['2026-11-24T10:00:00', '2026-11-24T10:00:05', '2026-11-24T11:02:03'];
    lines.push([id, String(1_000_000 + i), `user${i % 300}`, state, state === 'FAILED' ? '1:0' : '0:0', 'batch', ...times, '01:02:03', '02:00:00', '03:45.120', '', '', '16000M', '8', '2', 'cn[001-002]', `/home/user${i % 300}/run ${i % 9}`, `job ${i}`].join(S));
    lines.push([`${id}.batch`, `${1_000_000 + i}.batch`, '', state, '0:0', '', ...times, '01:02:03', '', '00:01.500', '10916K', '1', '', '8', '1', 'cn001', '', 'batch'].join(S));
    lines.push([`${id}.0`, `${1_000_000 + i}.0`, '', state, '0:0', '', ...times, '01:02:00', '', '03:43.620', '1843200K', '16', '', '16', '2', 'cn[001-002]', '', 'python'].join(S));
    records.push({
      job_id: 1_000_000 + i, array: array ? { job_id: 500_000, task_id: i % 50 } : {}, user: `user${i % 300}`, state: { current: state }, exit_code: { return_code: 0 },
      partition: 'batch', time: { submission: 1, start: 2, end: 3, elapsed: 3723, limit: 120, total: { seconds: 225, microseconds: 120000 } },
      required: { CPUs: 8, memory: 16000 }, nodes: 'cn[001-002]', working_directory: `/home/user${i % 300}/run ${i % 9}`, name: `job ${i}`,
      steps: [
        { step: { name: 'batch' }, state: 'COMPLETED', time: { elapsed: 3723, total: { seconds: 1, microseconds: 500000 } }, tres: { requested: { max: [{ type: 'mem', count: 11177984 }] } } },
        { step: { name: '0' }, state: 'COMPLETED', time: { elapsed: 3720, total: { seconds: 223, microseconds: 620000 } }, tres: { requested: { max: [{ type: 'mem', count: 1887436800 }] } } },
      ],
    });
  }
  return { text: lines.join('\n') + '\n', json: JSON.stringify({ jobs: records }) };
}

function median(fn: () => unknown): { cpu: number; wall: number } {
  const cpu: number[] = [];
  const wall: number[] = [];
  fn();
  for (let i = 0; i < RUNS; i++) {
    const w = performance.now();
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    cpu.push((d.user + d.system) / 1000);
    wall.push(performance.now() - w);
  }
  cpu.sort((a, b) => a - b);
  wall.sort((a, b) => a - b);
  return { cpu: cpu[Math.floor(RUNS / 2)], wall: wall[Math.floor(RUNS / 2)] };
}

function parseBench(): void {
  const { text, json } = sacctText();
  let jobs = 0;
  const ours = median(() => {
    const parsed = parseSacctSteps(text);
    for (const j of parsed) jobEfficiency(j);
    groupArrays(parsed);
    jobs = parsed.length;
  });
  const peer = median(() => JSON.parse(json));
  console.log(`\n## Parsing ${ROWS.toLocaleString('en')} sacct -P rows (${jobs.toLocaleString('en')} jobs with 2 steps each), median of ${RUNS} runs (Node ${process.version}; load ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs)\n`);
  console.log('| what | ours: parse + efficiency + arrays, CPU ms (wall ms) | JSON.parse of the same records, CPU ms | ratio |');
  console.log('|---|---:|---:|---:|');
  console.log(`| ${(text.length / 1e6).toFixed(1)} MB of text / ${(json.length / 1e6).toFixed(1)} MB of JSON | ${ours.cpu.toFixed(0)} (${ours.wall.toFixed(0)}) | ${peer.cpu.toFixed(0)} | ${(ours.cpu / peer.cpu).toFixed(2)} |`);
}

interface SandboxJson {
  slurmConf: string;
  accounting?: string;
}

async function callsBench(): Promise<void> {
  const dir = process.env.HPCW_SANDBOX_DIR || path.join(__dirname, '..', '..', '.sandbox');
  let info: SandboxJson;
  try {
    info = JSON.parse(fs.readFileSync(path.join(dir, 'sandbox.json'), 'utf8')) as SandboxJson;
  } catch {
    console.log('\n(calls per hour: skipped, the sandbox is not up)');
    return;
  }
  if (info.accounting !== 'slurmdbd') {
    console.log('\n(calls per hour: skipped, the sandbox runs without slurmdbd: sandbox.sh up --accounting slurmdbd)');
    return;
  }
  // Count the Slurm commands of every round trip the cluster service makes.
  const counts = { roundTrips: 0, sacct: 0, sstat: 0 };
  const exec = ClusterConnection.prototype.exec;
  ClusterConnection.prototype.exec = function (this: ClusterConnection, argv, options) {
    const text = argv.join(' ');
    counts.roundTrips++;
    // Round trips that run sacct (its `sacct -c` fallback runs only where slurmdbd is missing) or sstat.
    if (/(^|[\s;'{])sacct /.test(text)) counts.sacct++;
    if (/(^|[\s;'{])sstat /.test(text)) counts.sstat++;
    return exec.call(this, argv, options);
  };
  const intervalMs = 1000;
  let refreshes = 0;
  const cluster = new Cluster(
    { name: 'bench', transport: 'local', slurmConf: info.slurmConf },
    {
      sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
      allUsers: () => false,
      refreshIntervalMs: () => intervalMs,
    },
  );
  const ended: FinishedJobReport[] = [];
  cluster.onDidRefresh(() => refreshes++);
  cluster.onDidFinishJob((j) => ended.push(j));
  const env = { ...process.env, SLURM_CONF: info.slurmConf };
  const { execFileSync } = await import('node:child_process');
  const ids: string[] = [];
  // 5 running jobs of mine (root's, as the local transport runs as root): 1 CPU each, 15 s.
  for (let i = 0; i < 5; i++) ids.push(execFileSync('sbatch', ['--parsable', '-p', 'compute', '-o', '/dev/null', '-J', 'hpcw-bench-acct', '--wrap', 'sleep 15'], { env, encoding: 'utf8' }).trim());
  cluster.watch();
  const start = Date.now();
  // Until all 5 ended (or 90 s), then two more refreshes with nothing running.
  while (ended.length < 5 && Date.now() - start < 90_000) await new Promise((r) => setTimeout(r, 200));
  const r0 = refreshes;
  while (refreshes < r0 + 2 && Date.now() - start < 100_000) await new Promise((r) => setTimeout(r, 200));
  const seconds = (Date.now() - start) / 1000;
  cluster.dispose();
  ClusterConnection.prototype.exec = exec;
  execFileSync('scancel', ['-n', 'hpcw-bench-acct'], { env });

  const withRunning = Math.max(1, refreshes - 2);
  const sstatPerRefresh = counts.sstat / withRunning;
  const defaultInterval = SETTING_DEFAULTS.refreshInterval;
  const perHour = 3600 / defaultInterval;
  const efficiencies = ended.filter((e) => e.efficiency).length;
  console.log(`\n## sacct / sstat calls of the cluster service (real Cluster, local transport, sandbox with slurmdbd)\n`);
  console.log(`Measured: ${seconds.toFixed(0)} s at a ${intervalMs / 1000} s interval, ${refreshes} refreshes, 5 jobs of mine running then ending (${ended.length} end reports, ${efficiencies} with efficiency):`);
  console.log(`${counts.roundTrips} round trips, ${counts.sacct} with sacct (the history on start and per burst of endings; the monitor's own end check adds one when scontrol has already forgotten a job), ${counts.sstat} with sstat (${sstatPerRefresh.toFixed(2)} per refresh: inside the refresh's round trip, while jobs of mine run).\n`);
  console.log(`| per hour at the default interval (${defaultInterval} s, ${perHour} refreshes), 5 jobs running | sacct | sstat | extra round trips |`);
  console.log('|---|---:|---:|---:|');
  console.log(`| before: sacct -X in every refresh (and sacct -c after it on sites without slurmdbd) | ${perHour} (${perHour * 2}) | 0 | 0 |`);
  console.log(`| now: history on start and per burst of endings; sstat rides in the refresh | 1 + ≤2 per burst of endings | ${Math.round(sstatPerRefresh * perHour)} | 0 for sstat; 1 per history fetch |`);
  console.log(`| measured here, per burst of 5 endings | ${counts.sacct - 1} | — | — |`);
}

async function main(): Promise<void> {
  parseBench();
  await callsBench();
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
