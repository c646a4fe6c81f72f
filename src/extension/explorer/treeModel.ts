/**
 * What both views are made of: the element base, message lines and cluster items (clustersTree.ts
 * and jobsTree.ts build the rest), rebuilt from the cluster service's views on every change.
 * Each element knows its parent (for reveal) and renders itself as a TreeItem.
 */
import * as vscode from 'vscode';
import { formatSummary } from '../../core/slurm/clusterState';
import type { ClusterView } from '../../cluster';
import type { ClusterService } from '../services';

export interface ExplorerElement {
  readonly key: string;
  readonly parent?: ExplorerElement;
  children: ExplorerElement[];
  item(): vscode.TreeItem;
  /** Completes the item when VS Code is about to show its tooltip (what is costly to read). */
  resolve?(item: vscode.TreeItem, service: ClusterService): Promise<vscode.TreeItem>;
}

export abstract class Base implements ExplorerElement {
  children: ExplorerElement[] = [];
  constructor(
    readonly key: string,
    readonly parent?: ExplorerElement,
  ) {}
  abstract item(): vscode.TreeItem;
  protected make(label: string, collapsible: boolean, expanded = false): vscode.TreeItem {
    const t = new vscode.TreeItem(
      label,
      collapsible ? (expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None,
    );
    t.id = this.key;
    return t;
  }
}

export const icon = (id: string, color?: string): vscode.ThemeIcon => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

/** A message line: errors with a retry action, "loading", configuration problems. */
export class MessageElement extends Base {
  constructor(
    key: string,
    parent: ExplorerElement | undefined,
    readonly message: string,
    readonly kind: 'error' | 'info' | 'loading',
    readonly retryCluster?: string,
    readonly detail?: string,
  ) {
    super(key, parent);
  }
  item(): vscode.TreeItem {
    const t = this.make(this.message, false);
    t.iconPath = this.kind === 'error' ? icon('error', 'errorForeground') : this.kind === 'loading' ? icon('loading~spin') : icon('info');
    t.contextValue = this.kind === 'error' ? 'message.error' : 'message';
    t.tooltip = this.detail ?? this.message;
    if (this.kind === 'error' && this.retryCluster !== undefined) {
      t.description = 'click to retry';
      t.command = { command: 'hpcWorkbench.refresh', title: 'Retry', arguments: [this.retryCluster] };
    }
    return t;
  }
}

function connectionText(entry: ClusterView): { text: string; context: string; icon: vscode.ThemeIcon } {
  const status = entry.status;
  if (entry.userDisconnected) return { text: 'disconnected', context: 'cluster.disconnected', icon: icon('debug-disconnect') };
  const conn = entry.connection;
  if (!entry.isLocal) {
    if (conn === 'connecting') return { text: 'connecting…', context: 'cluster.connecting', icon: icon('loading~spin') };
    if (conn === 'reconnecting') return { text: 'connection lost, reconnecting…', context: 'cluster.error', icon: icon('warning', 'charts.yellow') };
    if (conn === 'failed') return { text: 'connection failed', context: 'cluster.error', icon: icon('error', 'errorForeground') };
    if (conn === 'idle' && !entry.started) return { text: 'not connected', context: 'cluster.disconnected', icon: icon('server') };
  }
  if (status.kind === 'error') return { text: 'error', context: 'cluster.error', icon: icon('error', 'errorForeground') };
  if (status.kind === 'ok' || entry.state) return { text: entry.isLocal ? 'local' : 'connected', context: 'cluster.connected', icon: icon('server', 'charts.green') };
  return { text: 'loading…', context: 'cluster.connecting', icon: icon('loading~spin') };
}

export class ClusterElement extends Base {
  constructor(
    readonly entry: ClusterView,
    readonly view: 'clusters' | 'jobs',
    readonly jobSummary?: string,
  ) {
    super(`${view}/${entry.config.name}`);
  }
  get cluster(): string {
    return this.entry.config.name;
  }
  item(): vscode.TreeItem {
    const c = connectionText(this.entry);
    const t = this.make(this.entry.config.name, true, true);
    const state = this.entry.state;
    const summary = this.view === 'clusters' ? (state ? formatSummary(state.summary) : '') : (this.jobSummary ?? '');
    t.description = [summary, c.text].filter((s) => s !== '').join(' · ');
    t.iconPath = c.icon;
    t.contextValue = c.context;
    const where = this.entry.config.transport === 'local' ? 'local processes' : `ssh ${this.entry.config.user ? `${this.entry.config.user}@` : ''}${this.entry.config.host}`;
    const tip = new vscode.MarkdownString(`**${this.entry.config.name}** (${where})\n\n`);
    if (state) {
      tip.appendMarkdown(`${formatSummary(state.summary)}\n\nSlurm ${state.snapshot.slurmVersion ?? '?'} · user ${state.user} · updated ${new Date(state.takenAt).toLocaleTimeString()}`);
    }
    const st = this.entry.status;
    if (st.kind === 'error') tip.appendMarkdown(`\n\n$(error) ${st.message}`);
    tip.supportThemeIcons = true;
    t.tooltip = tip;
    return t;
  }
}

/** Error / loading / disconnected lines under a cluster; undefined when there is nothing to say. */
export function statusChildren(c: ClusterElement, entry: ClusterView): ExplorerElement[] | undefined {
  if (entry.userDisconnected) {
    return [new MessageElement(`${c.key}/disconnected`, c, 'Disconnected — use Connect to watch this cluster again', 'info')];
  }
  const st = entry.status;
  if (st.kind === 'error') {
    const retry = Math.round(st.retryInMs / 1000);
    return [new MessageElement(`${c.key}/error`, c, st.message, 'error', entry.config.name, `${st.message}\n\nRetrying by itself in ${retry} s; click to retry now.`)];
  }
  if (!entry.state) {
    if (entry.connection === 'failed' && entry.connectionError) {
      return [new MessageElement(`${c.key}/error`, c, entry.connectionError, 'error', entry.config.name)];
    }
    return [new MessageElement(`${c.key}/loading`, c, 'Loading…', 'loading')];
  }
  return undefined;
}

// ---- jobs view ------------------------------------------------------------------------------
