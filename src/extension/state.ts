/**
 * Everything the extension remembers between sessions, in one place: the Memento keys and the
 * SecretStorage namespace. What is stored where:
 * - workspace state: the last cluster used (the status bar follows it; commands offer it first),
 *   the jobs submitted from this workspace (and by which script), the last rank/worker counts,
 *   each cluster's job history as last fetched (so that it survives a window reload);
 * - global state: whether the Getting Started walkthrough was opened once (the first run);
 * - secret storage: key passphrases the user chose to remember (namespaced `hpcWorkbench.`).
 * Passwords and one-time codes are never stored.
 */
import type * as vscode from 'vscode';
import type { History } from '../cluster';

const KEYS = {
  lastCluster: 'hpcWorkbench.lastCluster',
  submitted: 'hpcWorkbench.submission.submitted',
  history: 'hpcWorkbench.accounting.history',
  mpiRanks: 'hpcWorkbench.mpi.lastRanks',
  mpiWorkers: 'hpcWorkbench.multiprocessing.lastWorkers',
  walkthroughOpened: 'hpcWorkbench.walkthroughOpened',
} as const;

/** How many submitted jobs are remembered per workspace. */
const SUBMITTED_KEPT = 200;
/** How many finished jobs of each cluster's history are kept across window reloads. */
const HISTORY_KEPT = 500;

export interface SubmittedRecord {
  cluster: string;
  jobId: string;
  /** The script's URI (string form). */
  script: string;
  /** The script's request lines when it was submitted (requestFingerprint): right-sizing applies while they are unchanged. */
  request?: string;
  /** The script's path relative to the remote folder it ran in (for Resubmit Failed Tasks). */
  remoteScript?: string;
}

export type CountKey = 'mpiRanks' | 'mpiWorkers';

export class ExtensionState {
  constructor(private readonly context: vscode.ExtensionContext) {}

  get lastCluster(): string | undefined {
    return this.context.workspaceState.get<string>(KEYS.lastCluster);
  }

  setLastCluster(name: string): Thenable<void> {
    return this.context.workspaceState.update(KEYS.lastCluster, name);
  }

  submitted(): SubmittedRecord[] {
    return this.context.workspaceState.get<SubmittedRecord[]>(KEYS.submitted, []);
  }

  rememberSubmitted(record: SubmittedRecord): Thenable<void> {
    return this.context.workspaceState.update(KEYS.submitted, [...this.submitted(), record].slice(-SUBMITTED_KEPT));
  }

  /** The history of each cluster as last fetched (the newest HISTORY_KEPT jobs), shown at once after a reload. */
  history(cluster: string): History | undefined {
    return this.context.workspaceState.get<Record<string, History>>(KEYS.history, {})[cluster];
  }

  saveHistory(cluster: string, history: History): Thenable<void> {
    const all = { ...this.context.workspaceState.get<Record<string, History>>(KEYS.history, {}) };
    all[cluster] = { ...history, jobs: history.jobs.slice(-HISTORY_KEPT) };
    return this.context.workspaceState.update(KEYS.history, all);
  }

  /** True once the walkthrough was opened on a first run (on this machine, for every workspace). */
  get walkthroughOpened(): boolean {
    return this.context.globalState.get<boolean>(KEYS.walkthroughOpened, false);
  }

  setWalkthroughOpened(): Thenable<void> {
    return this.context.globalState.update(KEYS.walkthroughOpened, true);
  }

  lastCount(key: CountKey): number | undefined {
    return this.context.workspaceState.get<number>(KEYS[key]);
  }

  setLastCount(key: CountKey, value: number): Thenable<void> {
    return this.context.workspaceState.update(KEYS[key], value);
  }

  /** Secrets of one feature, namespaced so that they never collide with other extensions' or features'. */
  secrets(): { get(name: string): Thenable<string | undefined>; store(name: string, value: string): Thenable<void>; delete(name: string): Thenable<void> } {
    const key = (name: string) => `hpcWorkbench.${name}`;
    return {
      get: (name) => this.context.secrets.get(key(name)),
      store: (name, value) => this.context.secrets.store(key(name), value),
      delete: (name) => this.context.secrets.delete(key(name)),
    };
  }
}
