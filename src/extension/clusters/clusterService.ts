/**
 * The ClusterService: one connection and one monitor per configured cluster, the refresh loop
 * (interval from `hpcWorkbench.refreshInterval`, backing off while a cluster fails), snapshots
 * pushed to the language server, and events for finished jobs. Views read from here; they never
 * run commands themselves.
 */
import * as vscode from 'vscode';
import type { ClusterConfig } from '../../core/cluster/config';
import type { ClusterSnapshot } from '../../core/cluster/snapshot';
import type { ClusterState } from '../../core/slurm/clusterState';
import { ClusterMonitor, type MonitorStatus } from '../../core/slurm/monitor';
import type { ClusterService, FinishedJob, LanguageService } from '../services';
import { readClusterSettings, refreshIntervalMs, showAllUsers } from './configuration';
import { ClusterConnectionImpl } from './connection';

const LAST_CLUSTER_KEY = 'hpcWorkbench.lastCluster';

export interface ClusterEntry {
  config: ClusterConfig;
  connection: ClusterConnectionImpl;
  monitor: ClusterMonitor;
  /** Disconnected by the user: no refresh until connected again. */
  userDisconnected: boolean;
  started: boolean;
  dispose(): void;
}

export class ClusterServiceImpl implements ClusterService, vscode.Disposable {
  private entries = new Map<string, ClusterEntry>();
  private problems: string[] = [];
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly snapshotEmitter = new vscode.EventEmitter<{ cluster: string; snapshot: ClusterSnapshot }>();
  private readonly finishEmitter = new vscode.EventEmitter<FinishedJob>();
  private readonly disposables: vscode.Disposable[] = [];
  private shownProblems = '';

  /** Fired whenever anything shown in the views may have changed. */
  readonly onDidChange = this.changeEmitter.event;
  readonly onDidChangeSnapshot = this.snapshotEmitter.event;
  readonly onDidFinishJob = this.finishEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly language: LanguageService,
  ) {
    this.reload();
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('hpcWorkbench.clusters')) this.reload();
        if (e.affectsConfiguration('hpcWorkbench.jobs.showAllUsers')) this.refresh();
        if (e.affectsConfiguration('hpcWorkbench.refreshInterval')) this.refresh();
      }),
    );
  }

  get clusters(): readonly ClusterConfig[] {
    return [...this.entries.values()].map((e) => e.config);
  }

  /** Messages about malformed entries of the setting. */
  get configurationProblems(): readonly string[] {
    return this.problems;
  }

  entry(name: string): ClusterEntry | undefined {
    return this.entries.get(name);
  }

  allEntries(): ClusterEntry[] {
    return [...this.entries.values()];
  }

  /** The cluster the status bar follows: the last one picked, else the first. */
  get activeCluster(): string | undefined {
    const last = this.context.globalState.get<string>(LAST_CLUSTER_KEY);
    if (last && this.entries.has(last)) return last;
    return this.entries.keys().next().value;
  }

  private reload(): void {
    const settings = readClusterSettings();
    this.problems = settings.problems;
    const next = new Map<string, ClusterEntry>();
    for (const config of settings.clusters) {
      const old = this.entries.get(config.name);
      if (old && JSON.stringify(old.config) === JSON.stringify(config)) {
        next.set(config.name, old);
        this.entries.delete(config.name);
      } else {
        next.set(config.name, this.createEntry(config));
      }
    }
    for (const gone of this.entries.values()) gone.dispose();
    this.entries = next;
    const key = this.problems.join('\n');
    if (key !== this.shownProblems) {
      this.shownProblems = key;
      if (this.problems.length > 0) {
        void vscode.window.showErrorMessage(`HPC Workbench: ${this.problems.join(' ')}`, 'Open Settings').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
        });
      }
    }
    // Restart the monitors of clusters that were being watched.
    for (const e of this.entries.values()) if (e.started && !e.userDisconnected) e.monitor.start();
    this.changeEmitter.fire();
  }

  private createEntry(config: ClusterConfig): ClusterEntry {
    const connection = new ClusterConnectionImpl(config, this.context);
    const monitor = new ClusterMonitor(
      async () => {
        await connection.ready();
        return connection;
      },
      { cluster: config.name, allUsers: showAllUsers, intervalMs: refreshIntervalMs },
    );
    const offStatus = monitor.onStatus((status: MonitorStatus) => {
      if (status.kind === 'ok') {
        this.language.setClusterSnapshot(this.snapshotForLanguage(config.name, status.state));
        this.snapshotEmitter.fire({ cluster: config.name, snapshot: status.state.snapshot });
      }
      this.changeEmitter.fire();
    });
    const offFinished = monitor.onFinishedJob((f) => this.finishEmitter.fire({ ...f }));
    const stateSub = connection.onDidChangeState(() => this.changeEmitter.fire());
    const entry: ClusterEntry = {
      config,
      connection,
      monitor,
      userDisconnected: false,
      started: false,
      dispose: () => {
        monitor.stop();
        offStatus();
        offFinished();
        stateSub.dispose();
        connection.dispose();
      },
    };
    return entry;
  }

  /** The language server gets the active cluster's snapshot. */
  private snapshotForLanguage(cluster: string, state: ClusterState): ClusterSnapshot | undefined {
    const active = this.activeCluster;
    if (active && active !== cluster) return this.entries.get(active)?.monitor.state?.snapshot;
    return state.snapshot;
  }

  /** Starts watching a cluster (called when a view first shows it). */
  ensureStarted(name: string): void {
    const e = this.entries.get(name);
    if (!e || e.started || e.userDisconnected) return;
    e.started = true;
    e.monitor.start();
  }

  async pickCluster(placeHolder?: string): Promise<ClusterConfig | undefined> {
    const list = this.clusters;
    if (list.length === 0) {
      const add = await vscode.window.showInformationMessage('No cluster is configured yet.', 'Add Cluster');
      if (add) await vscode.commands.executeCommand('hpcWorkbench.addCluster');
      return this.clusters.length === 1 ? this.clusters[0] : undefined;
    }
    if (list.length === 1) return list[0];
    const last = this.activeCluster;
    const items = [...list]
      .sort((a, b) => (a.name === last ? -1 : b.name === last ? 1 : 0))
      .map((c) => ({ label: c.name, description: c.transport === 'local' ? 'local' : c.host, config: c }));
    const choice = await vscode.window.showQuickPick(items, { placeHolder: placeHolder ?? 'Choose a cluster' });
    if (!choice) return undefined;
    await this.setActiveCluster(choice.config.name);
    return choice.config;
  }

  async setActiveCluster(name: string): Promise<void> {
    await this.context.globalState.update(LAST_CLUSTER_KEY, name);
    this.changeEmitter.fire();
  }

  async connection(clusterName: string): Promise<ClusterConnectionImpl> {
    const e = this.entries.get(clusterName);
    if (!e) throw new Error(`No cluster named "${clusterName}" is configured (hpcWorkbench.clusters).`);
    if (e.userDisconnected) e.userDisconnected = false;
    await e.connection.ready();
    this.ensureStarted(clusterName);
    return e.connection;
  }

  /** Connects (asking for credentials again after an authentication failure) and refreshes. */
  async connect(clusterName: string): Promise<void> {
    const e = this.entries.get(clusterName);
    if (!e) throw new Error(`No cluster named "${clusterName}" is configured.`);
    e.userDisconnected = false;
    this.changeEmitter.fire();
    await e.connection.connect();
    e.started = true;
    e.monitor.start();
    await e.monitor.refresh().catch(() => undefined);
  }

  disconnect(clusterName: string): void {
    const e = this.entries.get(clusterName);
    if (!e) return;
    e.userDisconnected = true;
    e.monitor.stop();
    e.connection.disconnect();
    this.changeEmitter.fire();
  }

  refresh(clusterName?: string): void {
    void this.refreshNow(clusterName);
  }

  /** Refreshes the given cluster (or every watched one) and resolves when done. */
  async refreshNow(clusterName?: string): Promise<void> {
    const targets = clusterName ? [this.entries.get(clusterName)].filter((e): e is ClusterEntry => !!e) : [...this.entries.values()];
    await Promise.all(
      targets
        .filter((e) => !e.userDisconnected)
        .map(async (e) => {
          if (!e.started) {
            e.started = true;
            e.monitor.start();
          }
          await e.monitor.refresh().catch(() => undefined);
        }),
    );
  }

  /** Set by the explorer: selects a job in the jobs view. */
  revealHandler: ((cluster: string, jobId: string) => Promise<boolean>) | undefined;

  async revealJob(clusterName: string, jobId: string): Promise<void> {
    const known = (): boolean => !!this.entries.get(clusterName)?.monitor.state?.jobs.some((j) => j.jobId === jobId || j.jobIdNumeric === jobId);
    if (!known()) await this.refreshNow(clusterName);
    await this.revealHandler?.(clusterName, jobId);
  }

  dispose(): void {
    for (const e of this.entries.values()) e.dispose();
    this.entries.clear();
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
    this.snapshotEmitter.dispose();
    this.finishEmitter.dispose();
  }
}
