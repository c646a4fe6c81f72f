/**
 * Watches one cluster: refreshes its state in one round trip, on an interval that backs off
 * (doubling up to 5 minutes) while the cluster fails and returns to normal by itself once it
 * answers again, and notices when one of my jobs leaves the queue (its final state from
 * `scontrol show job` while slurmctld still remembers it, else accounting, else UNKNOWN).
 * No VS Code here: the extension and the tests use the same class.
 */
import { CoalescedRun } from '../coalescedRun';
import type { CommandRunner } from '../transport';
import { batchArgv, parseBatchOutput, type BatchSection, type BatchStep } from './batch';
import { isReportedFinalState } from './jobStates';
import { buildClusterState, ClusterQueryError, refreshSteps, withLimits, type ClusterState } from './clusterState';
import { parseSacct, sacctArgv } from './sacct';
import { parseScontrolJobs } from './scontrol';
import { parseSqueue, squeueArgv, type SqueueJob } from './squeue';

export interface FinishedJobInfo {
  cluster: string;
  jobId: string;
  name: string;
  state: string;
  exitCode?: string;
}

export type MonitorStatus =
  | { kind: 'idle' }
  | { kind: 'refreshing'; previous?: ClusterState }
  | { kind: 'ok'; state: ClusterState }
  | { kind: 'error'; message: string; state?: ClusterState; retryInMs: number };

export interface ClusterMonitorOptions {
  cluster: string;
  /** Read at every refresh. */
  allUsers: () => boolean;
  /** Normal interval between refreshes. */
  intervalMs: () => number;
  /** Read at every refresh: also read where running jobs' CPUs are (while a cluster map is open). */
  placement?: () => boolean;
  /** Longest interval while failing (default 5 minutes). */
  maxBackoffMs?: number;
  timeoutMs?: number;
  /**
   * The limits (`scontrol show partition`: partitions' limits and state; the scheduler's
   * SelectTypeParameters) are read again once their last reading is this old (default 5
   * minutes), after a failure, when a node names a partition not known yet, and on
   * `refresh({ limits: true })`; in between the last reading is reused.
   */
  limitsMaxAgeMs?: number;
}

/** How old the limits read by an earlier refresh may be (see `limitsMaxAgeMs`). */
export const LIMITS_MAX_AGE_MS = 5 * 60_000;

type Listener<T> = (value: T) => void;

export class ClusterMonitor {
  private current: MonitorStatus = { kind: 'idle' };
  private lastState: ClusterState | undefined;
  private readonly statusListeners = new Set<Listener<MonitorStatus>>();
  private readonly finishListeners = new Set<Listener<FinishedJobInfo>>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly refreshes = new CoalescedRun(() => this.doRefresh());
  private failures = 0;
  private running = false;
  /** When the next refresh is due, and when the last one ended (for reschedule). */
  private dueAt = 0;
  private lastDoneAt = 0;
  /** My jobs seen in the last successful refresh, by id. */
  private myJobs = new Map<string, SqueueJob>();
  private myJobsKnown = false;
  /** When the jobs of `lastState` were read (the start of their round trip). */
  private jobsReadAt = 0;
  /** The last limit sections read, and when; undefined: read them at the next refresh. */
  private limits: { sections: Map<string, BatchSection>; at: number; unknown: Set<string> } | undefined;

  constructor(
    private readonly runner: () => Promise<CommandRunner>,
    private readonly options: ClusterMonitorOptions,
  ) {}

  get status(): MonitorStatus {
    return this.current;
  }

  get state(): ClusterState | undefined {
    return this.lastState;
  }

  onStatus(listener: Listener<MonitorStatus>): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  onFinishedJob(listener: Listener<FinishedJobInfo>): () => void {
    this.finishListeners.add(listener);
    return () => this.finishListeners.delete(listener);
  }

  /** Starts refreshing on the interval (first refresh at once). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /**
   * Refreshes now. A refresh under way may have started before what the caller wants to see (e.g.
   * its own scancel): callers arriving meanwhile share one more refresh after it. `limits`: read
   * the limits too, however recent their last reading (a refresh the user asked for).
   */
  refresh(options: { limits?: boolean } = {}): Promise<ClusterState> {
    if (options.limits) this.limits = undefined;
    return this.refreshes.run();
  }

  /**
   * The squeue a refresh runs now, for another round trip (an action's) to carry, and what to do
   * with its answer: `read` shows it at once (see `applyQueue`).
   */
  queueListing(): { argv: string[]; read: (section: BatchSection) => void } {
    const allUsers = this.options.allUsers();
    const readAt = Date.now();
    return { argv: squeueArgv({ allUsers }), read: (section) => this.applyQueue(section, readAt, allUsers) };
  }

  /**
   * Shows at once a queue listed outside the refresh (`queueListing`, run in a round trip begun
   * at `readAt`): the last state with its jobs replaced; nodes and partitions wait for the
   * next refresh. Ignored before the first refresh, when older than the jobs shown, or when it
   * lists other users than the state does.
   */
  private applyQueue(section: BatchSection, readAt: number, allUsers: boolean): void {
    const last = this.lastState;
    if (!last || section.code !== 0 || allUsers !== last.allUsers || readAt <= this.jobsReadAt) return;
    this.jobsReadAt = readAt;
    const state: ClusterState = { ...last, jobs: parseSqueue(section.stdout), takenAt: new Date().toISOString() };
    this.lastState = state;
    const finished = this.noteMyJobs(state);
    this.setStatus({ kind: 'ok', state });
    if (finished.length > 0) void this.runner().then((r) => this.resolveFinished(r, finished), () => undefined);
  }

  /** The delay before the next refresh after `failures` failures in a row. */
  static backoffMs(intervalMs: number, failures: number, maxMs: number): number {
    if (failures <= 0) return intervalMs;
    return Math.min(maxMs, intervalMs * 2 ** failures);
  }

  /**
   * The interval may have shrunk (the window focused again, output followed): the next refresh
   * comes no later than one interval after the last one (at once if that is past).
   */
  reschedule(): void {
    if (!this.running || !this.timer || this.failures > 0) return;
    const next = Math.max(Date.now(), this.lastDoneAt + this.options.intervalMs());
    if (next < this.dueAt) this.schedule(next - Date.now());
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.dueAt = Date.now() + delayMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refresh().catch(() => undefined);
    }, delayMs);
    this.timer.unref?.();
  }

  private setStatus(status: MonitorStatus): void {
    this.current = status;
    for (const l of this.statusListeners) l(status);
  }

  private async doRefresh(): Promise<ClusterState> {
    this.setStatus({ kind: 'refreshing', previous: this.lastState });
    const allUsers = this.options.allUsers();
    try {
      const runner = await this.runner();
      const placement = this.options.placement?.() ?? false;
      const cached = this.limits;
      const readLimits = !cached || Date.now() - cached.at >= (this.options.limitsMaxAgeMs ?? LIMITS_MAX_AGE_MS);
      const steps = refreshSteps({ allUsers, placement, limits: readLimits });
      const startedAt = Date.now();
      const res = await runner.exec(batchArgv(steps), { timeoutMs: this.options.timeoutMs ?? 60_000 });
      const answered = parseBatchOutput(res.stdout);
      if (answered.size === 0) {
        throw new ClusterQueryError(res.stderr.trim().split('\n')[0] || `The cluster did not answer (exit status ${res.code}).`);
      }
      const sections = readLimits ? answered : withLimits(answered, cached?.sections);
      let state = buildClusterState(this.options.cluster, sections, { allUsers });
      // A queue applied while this refresh ran (an action's) is newer than the one read here.
      if (this.lastState && this.jobsReadAt > startedAt && this.lastState.allUsers === allUsers) state = { ...state, jobs: this.lastState.jobs };
      else this.jobsReadAt = startedAt;
      // Nodes may name partitions scontrol does not show (hidden ones): only a name new since the
      // partitions were read makes them stale.
      const known = new Set(state.snapshot.partitions.map((p) => p.name));
      const unknown = new Set(state.nodes.flatMap((n) => n.partitions.filter((p) => !known.has(p))));
      if (readLimits) {
        this.limits = { sections: withLimits(new Map(), answered), at: startedAt, unknown };
      } else if ([...unknown].some((p) => !cached?.unknown.has(p))) this.limits = undefined;
      this.failures = 0;
      this.lastState = state;
      const finished = this.noteMyJobs(state);
      this.setStatus({ kind: 'ok', state });
      this.lastDoneAt = Date.now();
      this.schedule(this.options.intervalMs());
      if (finished.length > 0) void this.resolveFinished(runner, finished);
      return state;
    } catch (err) {
      this.failures++;
      this.limits = undefined;
      const retryInMs = ClusterMonitor.backoffMs(this.options.intervalMs(), this.failures, this.options.maxBackoffMs ?? 300_000);
      const message = err instanceof Error ? err.message : String(err);
      this.setStatus({ kind: 'error', message, state: this.lastState, retryInMs });
      this.schedule(retryInMs);
      throw err instanceof Error ? err : new Error(message);
    }
  }

  /** Records my jobs; returns those that were there last time and are gone now. */
  private noteMyJobs(state: ClusterState): SqueueJob[] {
    const mine = new Map<string, SqueueJob>();
    for (const j of state.jobs) if (!state.user || j.user === state.user) mine.set(j.jobId, j);
    const gone: SqueueJob[] = [];
    if (this.myJobsKnown) {
      for (const [id, job] of this.myJobs) {
        if (mine.has(id)) continue;
        // A pending array aggregate shrinking into tasks is not an ending.
        if (job.arrayTaskId?.includes('[') || job.arrayTaskId?.includes('-')) continue;
        gone.push(job);
      }
    }
    this.myJobs = mine;
    this.myJobsKnown = true;
    return gone;
  }

  /** Asks scontrol (then accounting) how the jobs that left the queue ended; one round trip each. */
  private async resolveFinished(runner: CommandRunner, jobs: SqueueJob[]): Promise<void> {
    const results = new Map<string, FinishedJobInfo>();
    try {
      const steps: BatchStep[] = jobs.slice(0, 50).map((j, i) => ({ name: `job${i}`, argv: ['scontrol', '-o', 'show', 'job', j.jobId] }));
      const res = await runner.exec(batchArgv(steps), { timeoutMs: this.options.timeoutMs ?? 60_000 });
      const sections = parseBatchOutput(res.stdout);
      jobs.slice(0, 50).forEach((j, i) => {
        const s = sections.get(`job${i}`);
        if (s?.code !== 0) return;
        const rec = parseScontrolJobs(s.stdout)[0];
        if (rec && isReportedFinalState(rec.state)) {
          results.set(j.jobId, { cluster: this.options.cluster, jobId: j.jobId, name: rec.name || j.name, state: rec.state, exitCode: rec.exitCode });
        }
      });
      const missing = jobs.filter((j) => !results.has(j.jobId));
      if (missing.length > 0) {
        const ids = missing.map((j) => j.jobId);
        const acct = await runner.exec(
          batchArgv([
            { name: 'sacct', argv: sacctArgv({ completion: false, allUsers: false, jobIds: ids }) },
            { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: false, jobIds: ids }), onlyIfPreviousFailed: true },
          ]),
          { timeoutMs: this.options.timeoutMs ?? 60_000 },
        );
        const acctSections = parseBatchOutput(acct.stdout);
        const text = acctSections.get('sacct')?.code === 0 ? acctSections.get('sacct')?.stdout : acctSections.get('jobcomp')?.code === 0 ? acctSections.get('jobcomp')?.stdout : '';
        for (const a of parseSacct(text ?? '')) {
          if (ids.includes(a.jobId) && isReportedFinalState(a.state)) {
            results.set(a.jobId, { cluster: this.options.cluster, jobId: a.jobId, name: a.name, state: a.state, exitCode: a.exitCode });
          }
        }
      }
    } catch {
      // Fall through: whatever is not known is reported as UNKNOWN.
    }
    for (const j of jobs) {
      const info = results.get(j.jobId) ?? { cluster: this.options.cluster, jobId: j.jobId, name: j.name, state: 'UNKNOWN' };
      for (const l of this.finishListeners) l(info);
    }
  }
}
