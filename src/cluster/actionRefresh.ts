/**
 * Job actions and submissions reflected at once: one targeted refresh right after them (the
 * actions of one burst, within COALESCE_MS, share it), and while it still lists a cancelled job
 * as not yet ended (Slurm shows COMPLETING for a moment, for seconds on a busy node) more, soon
 * after, until the job has left: spaced 250 ms, 500 ms, 1 s, then every 2 s, for FOLLOW_UP_MS at
 * most, each action on its own clock. Only a refresh begun after the action counts for it: one
 * already under way (a follow-up for another action) may have read the queue before. The periodic
 * refresh is not waited for.
 */
import type { ClusterState } from '../core/slurm/clusterState';
import { isFinalState } from '../core/slurm/jobStates';

const COALESCE_MS = 20;
/** How long a cancelled job still listed is refreshed for (then the periodic refresh takes over). */
const FOLLOW_UP_MS = 30_000;

/** What the refresh must show for an action to be reflected. */
export interface Expectation {
  /** The job left the queue (or is listed in a final state): cancel. */
  gone?: readonly string[];
  /** The job is listed: submit. */
  listed?: readonly string[];
}

function listed(state: ClusterState, jobId: string) {
  return state.jobs.find((j) => j.jobId === jobId || j.jobIdNumeric === jobId);
}

export function reflected(state: ClusterState, expectation: Expectation): boolean {
  const gone = (expectation.gone ?? []).every((id) => {
    const job = listed(state, id);
    return !job || isFinalState(job.state);
  });
  return gone && (expectation.listed ?? []).every((id) => listed(state, id) !== undefined);
}

interface Waiter {
  expectation: Expectation;
  resolve: () => void;
  /** Refreshes begun when it was asked for: only a later one can show its action. */
  since: number;
  /** Refreshes it has seen. */
  rounds: number;
  /** Refreshed for until then at most. */
  until: number;
}

export class ActionRefresh {
  private waiting: Waiter[] = [];
  private running: Promise<void> | undefined;
  /** Refreshes begun (a refresh begun before an action may have read the queue before it). */
  private begun = 0;
  /** Refreshes made for actions (tests and the bench). */
  refreshes = 0;

  constructor(private readonly refresh: () => Promise<ClusterState | undefined>) {}

  /** Resolves once a refresh begun after this call shows the expectation (or after the last follow-up; refresh failures show in the status). */
  after(expectation: Expectation = {}): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push({ expectation, resolve, since: this.begun, rounds: 0, until: Date.now() + FOLLOW_UP_MS });
      this.start();
    });
  }

  private start(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // Asked for while the last round was finishing: one more run.
      if (this.waiting.length > 0) this.start();
    });
  }

  private async run(): Promise<void> {
    await delay(COALESCE_MS);
    while (this.waiting.length > 0) {
      this.refreshes++;
      const refresh = ++this.begun;
      const state = await this.refresh().catch(() => undefined);
      const now = Date.now();
      this.waiting = this.waiting.filter((w) => {
        // Asked for while this refresh was under way: it may have read the queue before the action.
        if (w.since >= refresh) return true;
        w.rounds++;
        if (state && now < w.until && !reflected(state, w.expectation)) return true;
        w.resolve();
        return false;
      });
      if (this.waiting.length === 0) break;
      // Soon for an action that has seen no refresh yet; else 250 ms, 500 ms, 1 s, then every 2 s.
      const rounds = Math.min(...this.waiting.map((w) => w.rounds));
      await delay(rounds === 0 ? COALESCE_MS : Math.min(2000, 125 * 2 ** rounds));
    }
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
