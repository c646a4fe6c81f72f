/**
 * The seams between the extension's features. `main.ts` creates each feature and hands it
 * the services it needs; features never reach into each other's modules.
 */
import type * as vscode from 'vscode';
import type { ClusterSnapshot } from '../core/cluster/snapshot';
import type { ClusterConfig } from '../core/cluster/config';
import type { CommandRunner } from '../core/transport';
import type { SFTPWrapper } from 'ssh2';

/** Provided by the language feature (src/extension/language). */
export interface LanguageService {
  /** Pushes the connected cluster's snapshot to the language server (undefined clears it). */
  setClusterSnapshot(snapshot: ClusterSnapshot | undefined): void;
}

/** A live connection to one cluster (src/extension/clusters). */
export interface ClusterConnection extends CommandRunner {
  readonly config: ClusterConfig;
  /** An SFTP session multiplexed on the same SSH connection; undefined for transport "local". */
  sftp(): Promise<SFTPWrapper | undefined>;
  /** The remote working directory for a workspace folder, with `~` expanded to an absolute path. */
  remoteDir(workspaceFolderName: string): Promise<string>;
}

/** Provided by the clusters/explorer feature, used by submission. */
export interface ClusterService {
  readonly clusters: readonly ClusterConfig[];
  /** Asks the user to pick a cluster (remembers the last choice); undefined if cancelled. */
  pickCluster(placeHolder?: string): Promise<ClusterConfig | undefined>;
  /** Connects if needed (prompting for passwords / codes) and returns the shared connection. */
  connection(clusterName: string): Promise<ClusterConnection>;
  /** Re-reads the cluster (jobs, partitions, nodes) soon. */
  refresh(clusterName?: string): void;
  /** Selects a job in the jobs view, refreshing first when it is not known yet. */
  revealJob(clusterName: string, jobId: string): Promise<void>;
  readonly onDidChangeSnapshot: vscode.Event<{ cluster: string; snapshot: ClusterSnapshot }>;
  /** Fired when one of my jobs is seen to end (it left squeue; state from scontrol/accounting). */
  readonly onDidFinishJob: vscode.Event<FinishedJob>;
}

/** What tree items of the jobs view carry, and what job commands accept as their argument. */
export interface JobRef {
  cluster: string;
  jobId: string;
}

export interface FinishedJob extends JobRef {
  name: string;
  /** Slurm state, e.g. COMPLETED, FAILED, TIMEOUT, OUT_OF_MEMORY, CANCELLED; UNKNOWN if not known. */
  state: string;
  /** "code:signal" as Slurm prints it, when known. */
  exitCode?: string;
}
