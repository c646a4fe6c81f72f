/**
 * The shapes the cluster service shares with its callers: the `ClusterOptions` a cluster is made
 * with, `ClusterView`, the read-only picture of a cluster that views render (taken when asked:
 * `Cluster.view()`), and what commands pass to the workspace operations — a `LocalFolder` with
 * its sync settings and the `TransferControl` of one transfer (cancellation, progress).
 */
import type { ClusterConfig } from '../core/cluster/config';
import type { ClusterState } from '../core/slurm/clusterState';
import type { MonitorStatus } from '../core/slurm/monitor';
import type { SyncProgress } from '../transport/sftpSync';
import type { SshCallbacks } from '../transport/ssh';
import type { History } from './accounting';
import type { ConnectionState } from './connection';

export interface ClusterOptions {
  /** Prompts and secrets for SSH. */
  sshCallbacks: () => SshCallbacks;
  /** Read at every refresh. */
  allUsers: () => boolean;
  refreshIntervalMs: () => number;
  /** The history window in days (hpcWorkbench.history.days; default 7). */
  historyDays?: () => number;
}

/** What views render of a cluster: a read-only picture, taken when asked. */
export interface ClusterView {
  readonly config: ClusterConfig;
  readonly isLocal: boolean;
  readonly connection: ConnectionState;
  /** Why the connection failed, when it did. */
  readonly connectionError?: string;
  readonly status: MonitorStatus;
  /** The last state read, kept while a refresh fails. */
  readonly state?: ClusterState;
  /** Disconnected by the user: not refreshed until connected again. */
  readonly userDisconnected: boolean;
  /** Watched: refreshed on the interval. */
  readonly started: boolean;
  /** Finished jobs from accounting (fetched on start, when a job of mine ends, on demand). */
  readonly history?: History;
}

/** A local workspace folder and the sync settings that apply to it. */
export interface LocalFolder {
  /** Absolute path of the folder. */
  root: string;
  /** Its name: the default remote folder is ~/hpc-workbench/<name>. */
  name: string;
  excludeGlobs?: readonly string[];
}

export interface TransferControl {
  signal?: AbortSignal;
  onProgress?(progress: SyncProgress): void;
}
