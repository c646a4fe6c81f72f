/**
 * Everything the extension remembers between sessions, in one place: the Memento keys and the
 * SecretStorage namespace. What is stored where:
 * - workspace state: the last cluster used (the status bar follows it; commands offer it first),
 *   the jobs submitted from this workspace (and by which script), the last rank/worker counts;
 * - secret storage: key passphrases the user chose to remember (namespaced `hpcWorkbench.`).
 * Passwords and one-time codes are never stored.
 */
import type * as vscode from 'vscode';

const KEYS = {
  lastCluster: 'hpcWorkbench.lastCluster',
  submitted: 'hpcWorkbench.submission.submitted',
  mpiRanks: 'hpcWorkbench.mpi.lastRanks',
  mpiWorkers: 'hpcWorkbench.mpi.lastWorkers',
} as const;

/** How many submitted jobs are remembered per workspace. */
const SUBMITTED_KEPT = 200;

export interface SubmittedRecord {
  cluster: string;
  jobId: string;
  /** The script's URI (string form). */
  script: string;
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
