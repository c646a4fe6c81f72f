/**
 * Action → view updated: after a cancel or a hold through the cluster service's job-action API
 * (`Cluster.jobAction`, the path of the Jobs view's context menu), the time until the service's
 * state — what the Jobs tree renders on the service's change event (30 ms coalescing and VS Code's
 * drawing not included) — first shows the change (`onDidRefresh`), beside the time until a peer
 * `squeue` poll shows it. Goal (issue 14): ours ≤ 1.2 × squeue
 * + 100 ms.
 *
 * "The change", one definition for both sides, applied to what each reads (state + reason):
 *   cancel (of a RUNNING job): the job is no longer listed as pending, running or completing —
 *     not listed, or listed in a final state (CANCELLED). COMPLETING still counts as listed: the
 *     tree still shows the item. (= `reflected({ gone })` of src/cluster/actionRefresh.ts)
 *   hold (of a job PENDING on BeginTime): the job is listed PENDING with reason JobHeldUser/Admin
 *     (`isHeldJob`: the tree's item turns to the "held" icon).
 * The service reads `squeue --me` (with its other refresh steps, in one round trip); the peer
 * reads `squeue -h -j ID -o '%T|%r'` (which also lists the job once ended, as CANCELLED).
 *
 * The peer: one OpenSSH session opened before the runs (`ssh host 'while read -r id; do squeue
 * …; done'`); each poll writes a job id, the answer ends with a marker, the next poll starts 50 ms
 * after an answer. Its time is when the first answer showing the change arrived here (it includes
 * the ssh round trip, as ours does); its resolution is one poll (round trip + 50 ms).
 * Both clocks start together, just before `jobAction` is called.
 *
 * Per run: a job submitted through the service (`submitText`), then waited for until the service's
 * state lists it RUNNING (cancel) or PENDING (hold) and no refresh is under way; the periodic
 * refresh is the extension's default (15 s, window focused). Runs of cancel and hold interleaved,
 * HPCW_BENCH_RUNS (default 5) of each, each followed by a what-if run on a new job (proposedRun:
 * the action and `squeue --me` in one round trip; HPCW_BENCH_PROPOSED=0 skips it). Printed per run
 * and per action: p50/p95 of both, the ratio, the goal.
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/actions.js      (the sandbox must be up)
 */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ClusterRegistry, type Cluster, type LocalFolder } from '../src/cluster';
import type { ClusterState } from '../src/core/slurm/clusterState';
import { isFinalState, isHeldJob } from '../src/core/slurm/jobStates';
import { jobActionArgv, type JobAction } from '../src/core/slurm/jobActions';
import { batchArgv, parseBatchOutput } from '../src/core/slurm/batch';
import { parseSqueue, squeueArgv } from '../src/core/slurm/squeue';
import { loadSandbox, slurmEnv, sshArgs } from '../test/support/sandbox';
import { ensureAuthorizedKey } from '../test/integration/sync/sandboxSsh';

const RUNS = Number(process.env.HPCW_BENCH_RUNS ?? 5);
/** HPCW_BENCH_PROPOSED=0 skips the what-if runs (proposedRun). */
const PROPOSED = process.env.HPCW_BENCH_PROPOSED !== '0';
const POLL_PAUSE_MS = 50;
const TIMEOUT_MS = 60_000;
const REMOTE_DIR = 'hpcw-bench-actions';
/** HPCW_BENCH_TRACE=1: every command round trip on the service's connection during a run, for the analysis. */
const TRACE = process.env.HPCW_BENCH_TRACE === '1';
let traceT0: number | undefined;
const traced: string[] = [];

/** Diagnostics only: notes the start and end of each exec on the cluster's connection (a private field). */
function traceExecs(cluster: Cluster): void {
  const connection = (cluster as unknown as { connection: { exec: (argv: readonly string[], options?: object) => Promise<unknown> } }).connection;
  const exec = connection.exec.bind(connection);
  const actionRefresh = (cluster as unknown as { actionRefresh: { refresh: () => Promise<unknown>; waiting: { expectation: object }[] } }).actionRefresh;
  const refresh = actionRefresh.refresh.bind(actionRefresh);
  Object.assign(actionRefresh, {
    refresh: () => {
      if (traceT0 !== undefined) traced.push(`[action refresh at ${(performance.now() - traceT0).toFixed(0)} for ${JSON.stringify(actionRefresh.waiting.map((w) => w.expectation))}]`);
      return refresh();
    },
  });
  connection.exec = async (argv, options) => {
    const text = argv.join(' ');
    const what = /scancel|scontrol hold/.test(text) ? 'action' : /squeue/.test(text) ? 'refresh' : text.slice(0, 40);
    const start = traceT0 === undefined ? undefined : performance.now() - traceT0;
    try {
      return await exec(argv, options);
    } finally {
      if (start !== undefined && traceT0 !== undefined) traced.push(`${what} ${start.toFixed(0)}–${(performance.now() - traceT0).toFixed(0)}`);
    }
  };
}

type Measured = 'cancel' | 'hold';

/** Every job the bench submitted (released and cancelled at the end, whatever happened). */
const submittedIds: string[] = [];

/** What one side read of the job: undefined when it is not listed. */
type Seen = { state: string; reason: string } | undefined;

/** The one definition of "the change shows", for both sides. */
function changed(action: Measured, job: Seen): boolean {
  if (action === 'cancel') return !job || isFinalState(job.state);
  return !!job && isHeldJob(job);
}

function seenInState(state: ClusterState, jobId: string): Seen {
  const job = state.jobs.find((j) => j.jobId === jobId || j.jobIdNumeric === jobId);
  return job && { state: job.state, reason: job.reason };
}

/** `squeue -h -j ID -o '%T|%r'` in a loop on one ssh session opened beforehand. */
class SqueuePeer {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private answer: ((text: string) => void) | undefined;
  private closed = false;
  /** Round trips of the polls (ms). */
  readonly roundTrips: number[] = [];

  constructor(args: string[]) {
    // The id is read as a line and checked to be digits before it reaches squeue.
    const loop = `while read -r id; do case "$id" in *[!0-9]*|'') echo bad ;; *) squeue -h -j "$id" -o '%T|%r' 2>&1 ;; esac; echo @@end; done`;
    this.child = spawn('ssh', [...args, loop]);
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      const end = this.buffer.indexOf('@@end\n');
      if (end >= 0) {
        const text = this.buffer.slice(0, end);
        this.buffer = this.buffer.slice(end + 6);
        const resolve = this.answer;
        this.answer = undefined;
        resolve?.(text);
      }
    });
    this.child.on('exit', () => {
      this.closed = true;
      this.answer?.('');
    });
  }

  private ask(jobId: string): Promise<string> {
    if (this.closed) return Promise.reject(new Error('the squeue peer ssh session ended'));
    return new Promise((resolve) => {
      this.answer = resolve;
      this.child.stdin.write(`${jobId}\n`);
    });
  }

  /** What squeue says of the job: undefined when it is not listed (purged, or "Invalid job id"). */
  async read(jobId: string): Promise<Seen | 'no answer'> {
    const sent = performance.now();
    const text = (await this.ask(jobId)).trim();
    this.roundTrips.push(performance.now() - sent);
    const line = text.split('\n').find((l) => l.includes('|'));
    if (!line) {
      // Not listed: nothing printed, or the job purged; any other answer (a timeout) is no reading.
      if (text === '' || /invalid job id/i.test(text)) return undefined;
      return 'no answer';
    }
    const [state, reason] = line.split('|');
    return { state: state.trim(), reason: (reason ?? '').trim() };
  }

  /** Polls from now until the change shows; resolves with the time since t0 (ms) and what it saw. */
  async watch(action: Measured, jobId: string, t0: number): Promise<{ ms: number; polls: number; trace: string }> {
    const trace: string[] = [];
    for (let polls = 1; ; polls++) {
      const seen = await this.read(jobId);
      const at = performance.now() - t0;
      if (seen === 'no answer') {
        await sleep(POLL_PAUSE_MS);
        continue;
      }
      const text = seen ? `${seen.state}${seen.reason && seen.reason !== 'None' ? `/${seen.reason}` : ''}` : 'gone';
      if (trace.length === 0 || !trace[trace.length - 1].startsWith(`${text}@`)) trace.push(`${text}@${at.toFixed(0)}`);
      if (changed(action, seen)) return { ms: at, polls, trace: trace.join(' ') };
      if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`squeue never showed the ${action} of ${jobId}`);
      await sleep(POLL_PAUSE_MS);
    }
  }

  /** Waits for the session (one answered poll), so it is open before the runs. */
  async opened(): Promise<void> {
    await this.read('0');
  }

  close(): void {
    this.child.stdin.end();
  }
}

interface Run {
  action: Measured;
  jobId: string;
  ours: number;
  squeue: number;
  /** The refreshes (any: action-triggered or periodic) that fired before ours showed the change. */
  refreshes: number;
  /** When `jobAction` resolved (it waits for the targeted refresh to show the change). */
  actionResolved: number;
  /** When the first refresh after t0 began (≈ the action's round trip + the coalescing delay, unless a refresh was under way). */
  firstRefreshStart: number;
  polls: number;
  /** What squeue showed, with the time each first appeared. */
  trace: string;
  load: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once a refresh's state satisfies `check` (a state, not a time), refreshing as needed. */
async function untilState(cluster: Cluster, what: string, check: (state: ClusterState) => boolean): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (!(cluster.state && check(cluster.state))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await cluster.refresh();
    if (!(cluster.state && check(cluster.state))) await sleep(300);
  }
}

/** Resolves once no refresh has been under way for three checks in a row, 100 ms apart. */
async function untilIdle(cluster: Cluster): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (let quiet = 0; quiet < 3; ) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the service to be idle');
    await sleep(100);
    quiet = cluster.view().status.kind === 'refreshing' ? 0 : quiet + 1;
  }
}

/** A job submitted through the service, listed RUNNING (cancel) or PENDING (hold) in its state, the service idle. */
async function prepare(cluster: Cluster, folder: LocalFolder, action: Measured): Promise<string> {
  // cancel: a running job (the issue's case: it passes through COMPLETING); hold: a job pending on
  // its begin time (a running job cannot be held).
  const options = action === 'cancel' ? ['-p', 'debug', '-t', '5'] : ['-p', 'debug', '-t', '5', '--begin=now+3600'];
  const submitted = await cluster.submitText(folder, '#!/bin/bash\n#SBATCH -o /dev/null\nsleep 600\n', options);
  const jobId = submitted.jobId;
  submittedIds.push(jobId);
  const want = action === 'cancel' ? 'RUNNING' : 'PENDING';
  await untilState(cluster, `job ${jobId} ${want} in the service's state`, (s) => seenInState(s, jobId)?.state === want);
  // The action on an idle service: no refresh under way (the one after the submission may be queued).
  await untilIdle(cluster);
  return jobId;
}

/**
 * What if (not the service's path): the action, its check and `squeue --me` in one round trip on
 * the service's connection, then `squeue --me` alone at the targeted refresh's spacing (250 ms,
 * 500 ms, 1 s, 2 s) until the change shows: the least a view fed by the cluster's own answers
 * could take. The time until that answer shows the change.
 */
async function proposedRun(cluster: Cluster, peer: SqueuePeer, jobId: string, action: Measured): Promise<{ proposed: number; squeue: number }> {
  const t0 = performance.now();
  const peerDone = peer.watch(action, jobId, t0);
  const steps = [
    { name: 'act', argv: jobActionArgv(action, jobId) },
    { name: 'show', argv: ['scontrol', '-o', 'show', 'job', jobId] },
    { name: 'squeue', argv: squeueArgv({ allUsers: false }) },
  ];
  const first = await cluster.exec(batchArgv(steps));
  const sections = parseBatchOutput(first.stdout);
  if (sections.get('act')?.code !== 0) throw new Error(`${action} ${jobId} failed: ${sections.get('act')?.stderr ?? first.stderr}`);
  let text = sections.get('squeue')?.stdout ?? '';
  for (let round = 1; ; round++) {
    const job = parseSqueue(text).find((j) => j.jobId === jobId);
    if (changed(action, job && { state: job.state, reason: job.reason })) break;
    if (performance.now() - t0 > TIMEOUT_MS) throw new Error(`squeue --me never showed the ${action} of ${jobId}`);
    await sleep(Math.min(2000, 125 * 2 ** round));
    text = (await cluster.exec(squeueArgv({ allUsers: false }))).stdout;
  }
  const proposed = performance.now() - t0;
  return { proposed, squeue: (await peerDone).ms };
}

async function oneRun(cluster: Cluster, folder: LocalFolder, peer: SqueuePeer, action: Measured): Promise<Run> {
  const jobId = await prepare(cluster, folder, action);

  let t0 = 0;
  let ours: number | undefined;
  let refreshes = 0;
  let resolveOurs!: () => void;
  const oursShown = new Promise<void>((resolve) => (resolveOurs = resolve));
  const off = cluster.onDidRefresh((state) => {
    if (ours !== undefined) return;
    refreshes++;
    if (changed(action, seenInState(state, jobId))) {
      ours = performance.now() - t0;
      resolveOurs();
    }
  });
  let firstRefreshStart: number | undefined;
  const offChange = cluster.onDidChange(() => {
    if (firstRefreshStart === undefined && cluster.view().status.kind === 'refreshing') firstRefreshStart = performance.now() - t0;
  });
  const load = loadavg()[0];
  t0 = performance.now();
  if (TRACE) {
    traceT0 = t0;
    traced.length = 0;
  }
  const peerDone = peer.watch(action, jobId, t0);
  const acted = cluster.jobAction(action as JobAction, [jobId]).then((results) => {
    const r = results[0];
    if (!r?.ok) throw new Error(`${action} ${jobId} failed: ${r?.error ?? 'no result'}`);
    return performance.now() - t0;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the service never showed the ${action} of ${jobId}`)), TIMEOUT_MS);
  });
  try {
    const [peerResult, actionResolved] = await Promise.all([peerDone, acted, Promise.race([oursShown, timeout])]);
    return { action, jobId, ours: ours!, squeue: peerResult.ms, refreshes, actionResolved, firstRefreshStart: firstRefreshStart ?? NaN, polls: peerResult.polls, trace: peerResult.trace, load };
  } finally {
    clearTimeout(timer);
    off();
    offChange();
    if (TRACE) console.log(`   execs: ${traced.join(', ')}`);
    traceT0 = undefined;
  }
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const info = loadSandbox();
  ensureAuthorizedKey(info);
  process.env.HOME = info.clientHome;
  const ssh = (command: string) => execFileSync('ssh', [...sshArgs(info), command], { encoding: 'utf8' });
  const registry = new ClusterRegistry(() => ({
    sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
    allUsers: () => false,
    refreshIntervalMs: () => 15_000,
  }));
  registry.reload([{ name: 'bench', host: info.sshAlias, transport: 'ssh', remoteDir: `~/${REMOTE_DIR}` }]);
  const cluster = registry.get('bench') as Cluster;
  const folder: LocalFolder = { root: mkdtempSync(path.join(tmpdir(), 'hpcw-bench-actions-')), name: 'ws' };
  const peer = new SqueuePeer(sshArgs(info));
  const runs: Run[] = [];
  const proposals: { action: Measured; proposed: number; squeue: number; load: number }[] = [];
  if (TRACE) traceExecs(cluster);
  try {
    await cluster.connect();
    await peer.opened();
    // A refresh's round trip alone, for the analysis (the service's refresh reads more than squeue).
    const refreshMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      await cluster.refresh();
      refreshMs.push(performance.now() - t);
    }
    console.log(`action → view updated (service state, what the Jobs tree renders) vs squeue poll over ssh, ${RUNS} runs each, ms`);
    console.log('run | action | job | ours | squeue | ours − squeue | refreshes | 1st refresh began | jobAction resolved | squeue saw (state@ms) | load');
    for (let i = 0; i < RUNS; i++) {
      for (const action of ['cancel', 'hold'] as const) {
        const r = await oneRun(cluster, folder, peer, action);
        runs.push(r);
        console.log(
          `${i + 1} | ${action} | ${r.jobId} | ${r.ours.toFixed(0)} | ${r.squeue.toFixed(0)} | ${(r.ours - r.squeue).toFixed(0)} | ${r.refreshes} | ${r.firstRefreshStart.toFixed(0)} | ${r.actionResolved.toFixed(0)} | ${r.trace} | ${r.load.toFixed(2)}`,
        );
        if (PROPOSED) {
          const jobId = await prepare(cluster, folder, action);
          const load = loadavg()[0];
          const p = await proposedRun(cluster, peer, jobId, action);
          proposals.push({ action, ...p, load });
          console.log(`${i + 1} | ${action} what-if | ${jobId} | ${p.proposed.toFixed(0)} | ${p.squeue.toFixed(0)} | ${(p.proposed - p.squeue).toFixed(0)} | | | | | ${load.toFixed(2)}`);
        }
      }
    }
    console.log(`service refresh round trip alone: p50 ${percentile(refreshMs, 50).toFixed(0)} ms (n=${refreshMs.length}); squeue poll round trip: p50 ${percentile(peer.roundTrips, 50).toFixed(0)} ms, p95 ${percentile(peer.roundTrips, 95).toFixed(0)} ms`);
    console.log('action | ours p50 | ours p95 | squeue p50 | squeue p95 | ratio p50 | ratio p95 | goal ≤ 1.2× + 100 ms (p50, p95) | load');
    const meets = (ours: number, squeue: number) => (ours <= 1.2 * squeue + 100 ? 'met' : 'NOT met');
    const summary = (label: string, rows: { ours: number; squeue: number; load: number }[]) => {
      const o = rows.map((r) => r.ours);
      const s = rows.map((r) => r.squeue);
      const [o50, o95, s50, s95] = [percentile(o, 50), percentile(o, 95), percentile(s, 50), percentile(s, 95)];
      const loads = rows.map((r) => r.load);
      console.log(
        `${label} | ${o50.toFixed(0)} | ${o95.toFixed(0)} | ${s50.toFixed(0)} | ${s95.toFixed(0)} | ${(o50 / s50).toFixed(2)}× | ${(o95 / s95).toFixed(2)}× | ${meets(o50, s50)}, ${meets(o95, s95)} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
      );
    };
    for (const action of ['cancel', 'hold'] as const) {
      summary(action, runs.filter((r) => r.action === action));
      if (PROPOSED) summary(`${action} what-if (action + squeue in one round trip)`, proposals.filter((r) => r.action === action).map((r) => ({ ...r, ours: r.proposed })));
    }
  } finally {
    peer.close();
    registry.dispose();
    // Held jobs released, every job the bench submitted cancelled, the remote folder removed.
    try {
      const ids = submittedIds.filter((id) => /^\d+$/.test(id));
      if (ids.length > 0) {
        execFileSync('sh', ['-c', 'scontrol release "$1" 2>/dev/null; shift; scancel "$@" 2>/dev/null; true', 'sh', ids.join(','), ...ids], { env: slurmEnv(info) });
      }
      ssh(`rm -rf ~/${REMOTE_DIR}`);
    } catch (error) {
      console.error(`cleanup: ${(error as Error).message}`);
    }
    rmSync(folder.root, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
