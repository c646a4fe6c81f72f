/**
 * The VS Code side of the cluster service (src/cluster): builds the registry from the
 * `hpcWorkbench.clusters` setting, supplies SSH prompts and SecretStorage, re-emits the
 * registry's events as VS Code events, remembers the last cluster used, asks the user to pick a
 * cluster, and pushes the active cluster's snapshot to the language server. Views and commands
 * get `Cluster` objects and read-only `ClusterView`s from here; nothing reaches past them.
 */
import * as vscode from 'vscode';
import { ClusterRegistry, type Cluster, type ClusterView, type FinishedJobReport } from '../../cluster';
import type { ClusterConfig } from '../../core/cluster/config';
import type { ClusterSnapshot } from '../../core/cluster/snapshot';
import type { LanguageService } from '../services';
import { onDidChangeSetting, settings } from '../settings';
import type { ExtensionState } from '../state';
import { createSshCallbacks } from './sshPrompts';

export class ClusterService implements vscode.Disposable {
  private readonly registry: ClusterRegistry;
  private problems: string[] = [];
  private shownProblems = '';
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly snapshotEmitter = new vscode.EventEmitter<{ cluster: string; snapshot: ClusterSnapshot }>();
  private readonly finishEmitter = new vscode.EventEmitter<FinishedJobReport>();
  private readonly restored = new WeakSet<Cluster>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fired whenever anything shown in the views may have changed. */
  readonly onDidChange = this.changeEmitter.event;
  /** A cluster was refreshed: its new snapshot (partitions, nodes, limits). */
  readonly onDidChangeSnapshot = this.snapshotEmitter.event;
  /** One of my jobs was seen to end (it left squeue; state from scontrol/accounting; efficiency with slurmdbd). */
  readonly onDidFinishJob = this.finishEmitter.event;

  constructor(
    private readonly state: ExtensionState,
    private readonly language: LanguageService,
  ) {
    this.registry = new ClusterRegistry((config) => ({
      sshCallbacks: () => createSshCallbacks(state, config.name),
      allUsers: settings.showAllUsers,
      refreshIntervalMs: settings.refreshIntervalMs,
      historyDays: settings.historyDays,
    }));
    const offs = [
      this.registry.onDidChange(() => this.changeEmitter.fire()),
      this.registry.onDidRefresh(({ cluster, state: clusterState }) => {
        this.language.setClusterSnapshot(this.activeSnapshot(cluster, clusterState.snapshot));
        this.snapshotEmitter.fire({ cluster, snapshot: clusterState.snapshot });
      }),
      this.registry.onDidFinishJob((job) => this.finishEmitter.fire({ ...job })),
      // Keep each fetched history across window reloads.
      this.registry.onDidChange(() => this.restoreHistories()),
    ];
    this.disposables.push(
      { dispose: () => offs.forEach((off) => off()) },
      onDidChangeSetting(['clusters'], () => this.reload()),
      // A lighter touch on the controllers while nobody looks (cluster/refreshPolicy.ts).
      vscode.window.onDidChangeWindowState((windowState) => this.registry.setWindowFocused(windowState.focused)),
      onDidChangeSetting(['jobs.showAllUsers', 'refreshInterval'], () => void this.refresh()),
      onDidChangeSetting(['history.days'], () => void this.refreshHistory()),
    );
    this.registry.setWindowFocused(vscode.window.state.focused);
    this.reload();
  }

  /** Shows each cluster's saved history until its first fetch, and saves every fetch. */
  private restoreHistories(): void {
    for (const cluster of this.registry.list()) {
      if (this.restored.has(cluster)) continue;
      this.restored.add(cluster);
      const saved = this.state.history(cluster.name);
      if (saved) cluster.restoreHistory(saved);
      const off = cluster.onDidChangeHistory((history) => void this.state.saveHistory(cluster.name, history));
      this.disposables.push({ dispose: off });
    }
  }

  /** Fetches the history of one cluster (or every watched one) now. */
  async refreshHistory(name?: string): Promise<void> {
    const targets = name ? [this.registry.get(name)] : this.registry.list().filter((c) => c.view().started);
    await Promise.all(targets.map((c) => c?.refreshHistory().catch(() => undefined)));
  }

  private reload(): void {
    const { clusters, problems } = settings.clusters();
    this.problems = problems;
    this.registry.reload(clusters);
    const key = problems.join('\n');
    if (key !== this.shownProblems) {
      this.shownProblems = key;
      if (problems.length > 0) {
        void vscode.window.showErrorMessage(`HPC Workbench: ${problems.join(' ')}`, 'Open Settings').then((choice) => {
          if (choice) void vscode.commands.executeCommand('workbench.action.openSettingsJson');
        });
      }
    }
  }

  get clusters(): readonly ClusterConfig[] {
    return this.registry.configs;
  }

  /** Messages about malformed entries of the setting. */
  get configurationProblems(): readonly string[] {
    return this.problems;
  }

  /** What the views show of every cluster, in the order of the setting. */
  views(): ClusterView[] {
    return this.registry.list().map((c) => c.view());
  }

  view(name: string): ClusterView | undefined {
    return this.registry.get(name)?.view();
  }

  /** The cluster the status bar follows and the language server lints against: the last one used, else the first. */
  get activeCluster(): string | undefined {
    const last = this.state.lastCluster;
    if (last && this.registry.get(last)) return last;
    return this.registry.list()[0]?.name;
  }

  async setActiveCluster(name: string): Promise<void> {
    await this.state.setLastCluster(name);
    const snapshot = this.registry.get(name)?.state?.snapshot;
    if (snapshot) this.language.setClusterSnapshot(snapshot);
    this.changeEmitter.fire();
  }

  /** The language server gets the active cluster's snapshot. */
  private activeSnapshot(cluster: string, snapshot: ClusterSnapshot): ClusterSnapshot | undefined {
    const active = this.activeCluster;
    if (active && active !== cluster) return this.registry.get(active)?.state?.snapshot;
    return snapshot;
  }

  /** Starts watching a cluster (when a view first shows it). */
  watch(name?: string): void {
    for (const c of name ? [this.registry.get(name)] : this.registry.list()) c?.watch();
  }

  /** The cluster named so; throws a clear error when no such cluster is configured. */
  cluster(name: string): Cluster {
    const cluster = this.registry.get(name);
    if (!cluster) throw new Error(`No cluster named "${name}" is configured (hpcWorkbench.clusters).`);
    return cluster;
  }

  /** Asks the user to pick a cluster (the last one used first; remembered); undefined if cancelled. */
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

  /** The cluster given, else the one the user picks; remembered as the last used. */
  async chooseCluster(given: string | undefined, placeHolder: string): Promise<Cluster | undefined> {
    const name = given ?? (await this.pickCluster(placeHolder))?.name;
    if (!name) return undefined;
    const cluster = this.cluster(name);
    await this.setActiveCluster(name);
    return cluster;
  }

  /** Refreshes one cluster (or every watched one) and resolves when done. */
  async refresh(name?: string): Promise<void> {
    const targets = name ? [this.registry.get(name)] : this.registry.list();
    await Promise.all(targets.map((c) => c?.refresh()));
  }

  dispose(): void {
    this.registry.dispose();
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
    this.snapshotEmitter.dispose();
    this.finishEmitter.dispose();
  }
}
