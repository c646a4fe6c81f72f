/**
 * The elements of the two views, built from the cluster service's state on every change.
 * Each element knows its parent (for reveal) and renders itself as a TreeItem.
 */
import * as vscode from 'vscode';
import { formatSummary, type ClusterState, type PartitionUsage } from '../../core/slurm/clusterState';
import type { ScontrolNode } from '../../core/slurm/scontrol';
import type { SqueueJob } from '../../core/slurm/squeue';
import { groupArrays, type AccountedJob, type AccountedJobDetail } from '../../core/slurm/sacct';
import { formatEfficiency, jobEfficiency } from '../../core/slurm/efficiency';
import type { LiveStep } from '../../core/slurm/sstat';
import { formatDuration } from '../../core/slurm/units';
import type { JobRef } from '../services';
import type { ClusterView } from '../../cluster';

export interface ExplorerElement {
  readonly key: string;
  readonly parent?: ExplorerElement;
  children: ExplorerElement[];
  item(): vscode.TreeItem;
}

abstract class Base implements ExplorerElement {
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

const icon = (id: string, color?: string): vscode.ThemeIcon => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

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

function pct(a: number, b: number): string {
  return b === 0 ? '0%' : `${Math.round((a / b) * 100)}%`;
}

export class PartitionElement extends Base {
  constructor(
    parent: ClusterElement,
    readonly partition: PartitionUsage,
  ) {
    super(`${parent.key}/p/${partition.name}`, parent);
  }
  item(): vscode.TreeItem {
    const p = this.partition;
    const t = this.make(p.isDefault ? `${p.name} (default)` : p.name, p.nodeNames.length > 0);
    const parts = [
      p.state,
      p.maxTimeMinutes === null ? 'no time limit' : `max ${formatDuration(p.maxTimeMinutes * 60)}`,
      `nodes ${p.nodes.idle} idle / ${p.nodes.allocated} alloc / ${p.nodes.other} other`,
      `CPUs ${p.cpus.allocated}/${p.cpus.total}`,
    ];
    if (p.gpus.total > 0) parts.push(`GPUs ${p.gpus.allocated}/${p.gpus.total}`);
    t.description = parts.join(' · ');
    const up = p.state === 'up';
    t.iconPath = icon('layers', up ? undefined : 'charts.red');
    t.contextValue = up ? 'partition' : 'partition.unavailable';
    t.tooltip = `${p.name}: ${t.description}\n${pct(p.cpus.allocated, p.cpus.total)} of CPUs allocated\nNodes: ${p.nodeNames.join(', ')}`;
    return t;
  }
}

const NODE_ICON: Record<string, [string, string | undefined]> = {
  idle: ['circle-large-outline', 'charts.green'],
  mixed: ['circle-large-filled', 'charts.yellow'],
  allocated: ['circle-filled', 'charts.blue'],
  completing: ['sync', 'charts.blue'],
  down: ['error', 'charts.red'],
  drained: ['debug-pause', 'charts.orange'],
  draining: ['debug-pause', 'charts.yellow'],
  reserved: ['lock', 'charts.purple'],
  planned: ['calendar', undefined],
  future: ['clock', undefined],
  unknown: ['question', 'charts.red'],
};

export class NodeElement extends Base {
  constructor(
    parent: PartitionElement,
    readonly node: ScontrolNode,
  ) {
    super(`${parent.key}/n/${node.name}`, parent);
  }
  item(): vscode.TreeItem {
    const n = this.node;
    const t = this.make(n.name, false);
    let state = n.state.base as string;
    if (n.state.notResponding) state += ' (not responding)';
    if (n.state.poweredDown) state += ' (powered down)';
    const parts = [state, `CPUs ${n.cpusAllocated}/${n.cpus}`, `${(n.realMemoryMiB / 1024).toFixed(n.realMemoryMiB < 10240 ? 1 : 0)} GiB`];
    if (n.gres.length > 0) parts.push(n.gres.map((g) => `${g.name}${g.type ? `:${g.type}` : ''}:${g.count}`).join(','));
    if (n.gpusTotal > 0) parts.push(`GPUs ${n.gpusAllocated}/${n.gpusTotal}`);
    if (n.cpuLoad !== null) parts.push(`load ${n.cpuLoad.toFixed(2)}`);
    if (n.reason) parts.push(n.reason);
    t.description = parts.join(' · ');
    const [id, color] = NODE_ICON[n.state.base] ?? NODE_ICON.unknown;
    t.iconPath = icon(n.state.notResponding && n.state.base !== 'down' ? 'warning' : id, color);
    t.contextValue = `node.${n.state.base}`;
    t.tooltip = `${n.name} — ${n.state.raw}\nCPUs ${n.cpusAllocated}/${n.cpus}, memory ${n.allocatedMemoryMiB}/${n.realMemoryMiB} MiB\nFeatures: ${n.features.join(', ') || 'none'}\nPartitions: ${n.partitions.join(', ')}${n.reason ? `\nReason: ${n.reason}` : ''}`;
    return t;
  }
}

/** Builds the clusters view. */
export function buildClustersTree(entries: ClusterView[], problems: readonly string[]): ExplorerElement[] {
  const roots: ExplorerElement[] = [];
  problems.forEach((p, i) => roots.push(new MessageElement(`clusters/problem/${i}`, undefined, p, 'error')));
  for (const entry of entries) {
    const c = new ClusterElement(entry, 'clusters');
    c.children = statusChildren(c, entry) ?? [];
    const state = entry.state;
    if (state && !entry.userDisconnected) {
      const byName = new Map(state.nodes.map((n) => [n.name, n]));
      for (const p of state.partitions) {
        const pe = new PartitionElement(c, p);
        pe.children = p.nodeNames.map((name) => byName.get(name)).filter((n): n is ScontrolNode => !!n).map((n) => new NodeElement(pe, n));
        c.children.push(pe);
      }
    }
    roots.push(c);
  }
  return roots;
}

/** Error / loading / disconnected lines under a cluster; undefined when there is nothing to say. */
function statusChildren(c: ClusterElement, entry: ClusterView): ExplorerElement[] | undefined {
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

function jobContext(job: SqueueJob): string {
  if (job.state === 'PENDING' && /JobHeld(User|Admin)/.test(job.reason)) return 'job.held';
  switch (job.state) {
    case 'RUNNING':
      return 'job.running';
    case 'PENDING':
      return 'job.pending';
    case 'COMPLETING':
      return 'job.completing';
    case 'SUSPENDED':
      return 'job.suspended';
    default:
      return 'job.other';
  }
}

const JOB_ICON: Record<string, [string, string | undefined]> = {
  'job.running': ['play-circle', 'charts.green'],
  'job.pending': ['watch', 'charts.yellow'],
  'job.held': ['debug-pause', 'charts.orange'],
  'job.completing': ['sync', 'charts.blue'],
  'job.suspended': ['debug-pause', 'charts.purple'],
  'job.other': ['circle-outline', undefined],
};

export class JobElement extends Base implements JobRef {
  readonly cluster: string;
  readonly jobId: string;
  constructor(
    parent: ExplorerElement,
    cluster: string,
    readonly job: SqueueJob,
    readonly showUser: boolean,
    /** sstat of this running job (from the refresh). */
    readonly live?: LiveStep[],
  ) {
    super(`jobs/${cluster}/job/${job.jobId}`, parent);
    this.cluster = cluster;
    this.jobId = job.jobId;
  }
  item(): vscode.TreeItem {
    const j = this.job;
    const t = this.make(`${j.jobId} ${j.name}`, false);
    const parts: string[] = [];
    if (this.showUser) parts.push(j.user);
    if (j.state === 'PENDING') {
      parts.push(j.reason);
      parts.push(`limit ${formatDuration(j.timeLimitSeconds)}`);
    } else {
      parts.push(`${formatDuration(j.elapsedSeconds)} / ${formatDuration(j.timeLimitSeconds)}`);
      if (j.nodeListText) parts.push(j.nodeListText);
      if (j.state !== 'RUNNING') parts.unshift(j.state);
    }
    parts.push(j.partition);
    t.description = parts.join(' · ');
    const ctx = jobContext(j);
    t.contextValue = ctx;
    const [id, color] = JOB_ICON[ctx];
    t.iconPath = icon(id, color);
    t.tooltip = [
      `Job ${j.jobId} "${j.name}" — ${j.state}${j.reason && j.reason !== 'None' ? ` (${j.reason})` : ''}`,
      `User ${j.user} · partition ${j.partition}${j.account ? ` · account ${j.account}` : ''}`,
      `Elapsed ${formatDuration(j.elapsedSeconds)} of ${formatDuration(j.timeLimitSeconds)} · ${j.nodes} node(s), ${j.cpus} CPU(s)`,
      j.nodeListText ? `Nodes ${j.nodeListText}` : '',
      j.workDir ? `Directory ${j.workDir}` : '',
      ...(this.live ?? []).map(
        (s) => `Live (sstat) step ${s.stepId}: ${s.tasks ?? '?'} task(s), average CPU ${s.aveCpuSeconds === null ? '?' : formatDuration(s.aveCpuSeconds)}, MaxRSS ${s.maxRssMiB === null ? '?' : `${s.maxRssMiB}M`}`,
      ),
    ]
      .filter((s) => s !== '')
      .join('\n');
    return t;
  }
}

export class FinishedJobElement extends Base implements JobRef {
  readonly cluster: string;
  readonly jobId: string;
  constructor(
    parent: ExplorerElement,
    cluster: string,
    readonly job: AccountedJob | AccountedJobDetail,
    readonly showUser: boolean,
  ) {
    super(`jobs/${cluster}/recent/${job.jobId}`, parent);
    this.cluster = cluster;
    this.jobId = job.jobId;
  }
  item(): vscode.TreeItem {
    const j = this.job;
    const t = this.make(`${j.jobId} ${j.name}`, false);
    const parts = [j.state, `exit ${j.exitCode}`];
    if (this.showUser) parts.unshift(j.user);
    if (j.elapsedSeconds !== null) parts.push(formatDuration(j.elapsedSeconds));
    const eff = 'steps' in j && j.steps.length > 0 ? formatEfficiency(jobEfficiency(j)) : '';
    if (eff) parts.push(eff);
    if (j.end) parts.push(`ended ${j.end.replace('T', ' ')}`);
    t.description = parts.join(' · ');
    t.contextValue = 'job.finished';
    const ok = j.state === 'COMPLETED';
    t.iconPath = icon(ok ? 'pass' : 'error', ok ? 'charts.green' : 'charts.red');
    t.tooltip = [
      `Job ${j.jobId} "${j.name}" — ${j.state}, exit ${j.exitCode}`,
      j.start ? `Started ${j.start.replace('T', ' ')}${j.end ? `, ended ${j.end.replace('T', ' ')}` : ''}` : '',
      eff ? `Efficiency: ${eff}` : '',
      'steps' in j ? j.steps.map((s) => `step ${s.stepId}: ${s.state} exit ${s.exitCode}, ${s.elapsedSeconds === null ? '?' : formatDuration(s.elapsedSeconds)}, MaxRSS ${s.maxRssMiB === null ? '-' : `${s.maxRssMiB}M`}`).join('\n') : '',
    ]
      .filter((x) => x !== '')
      .join('\n');
    return t;
  }
}

export class GroupElement extends Base {
  constructor(
    key: string,
    parent: ExplorerElement,
    readonly label: string,
    readonly iconId: string,
    readonly contextValue: string,
    readonly expanded: boolean,
    readonly description?: string,
  ) {
    super(key, parent);
  }
  item(): vscode.TreeItem {
    const t = this.make(this.label, true, this.expanded);
    t.description = this.description ?? String(this.children.length);
    t.iconPath = icon(this.iconId);
    t.contextValue = this.contextValue;
    return t;
  }
}

/** An array job: its pending aggregate and its tasks under one parent; carries the array's JobRef. */
export class ArrayElement extends GroupElement implements JobRef {
  constructor(
    key: string,
    parent: ExplorerElement,
    readonly cluster: string,
    readonly jobId: string,
    label: string,
    contextValue: string,
    description?: string,
  ) {
    super(key, parent, label, 'list-tree', contextValue, false, description);
  }
}

const GROUP_ORDER: [string, string, string][] = [
  ['RUNNING', 'Running', 'play-circle'],
  ['PENDING', 'Pending', 'watch'],
  ['COMPLETING', 'Completing', 'sync'],
  ['SUSPENDED', 'Suspended', 'debug-pause'],
];

export function jobCounts(state: ClusterState | undefined): { running: number; pending: number } {
  let running = 0;
  let pending = 0;
  for (const j of state?.jobs ?? []) {
    if (state && j.user !== state.user && state.user !== '') continue;
    if (j.state === 'RUNNING') running++;
    else if (j.state === 'PENDING') pending++;
  }
  return { running, pending };
}

/** Builds the jobs view: cluster → state groups → (arrays →) jobs, plus "Recent". */
export function buildJobsTree(entries: ClusterView[], problems: readonly string[]): ExplorerElement[] {
  const roots: ExplorerElement[] = [];
  problems.forEach((p, i) => roots.push(new MessageElement(`jobs/problem/${i}`, undefined, p, 'error')));
  for (const entry of entries) {
    const state = entry.state;
    const counts = jobCounts(state);
    const summary = state ? `${counts.running} running, ${counts.pending} pending${state.allUsers ? ' (mine) · all users' : ''}` : '';
    const c = new ClusterElement(entry, 'jobs', summary);
    c.children = statusChildren(c, entry) ?? [];
    roots.push(c);
    if (!state || entry.userDisconnected) {
      // A history saved before a window reload shows before the cluster answers.
      if (entry.history) c.children.push(historyGroup(c, entry, false));
      continue;
    }
    const name = entry.config.name;
    const showUser = state.allUsers;
    const groups = new Map<string, SqueueJob[]>();
    for (const j of state.jobs) {
      const key = GROUP_ORDER.some(([s]) => s === j.state) ? j.state : 'OTHER';
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(j);
    }
    for (const [st, label, iconId] of [...GROUP_ORDER, ['OTHER', 'Other', 'circle-outline'] as [string, string, string]]) {
      const jobs = groups.get(st);
      if (!jobs || jobs.length === 0) continue;
      const g = new GroupElement(`jobs/${name}/group/${st}`, c, label, iconId, `jobGroup.${st.toLowerCase()}`, st === 'RUNNING' || st === 'PENDING');
      // Arrays: tasks of one array job in this group go under one parent.
      const byArray = new Map<string, SqueueJob[]>();
      for (const j of jobs) if (j.arrayJobId) byArray.set(j.arrayJobId, [...(byArray.get(j.arrayJobId) ?? []), j]);
      const placed = new Set<string>();
      for (const j of jobs) {
        if (j.arrayJobId && (byArray.get(j.arrayJobId)?.length ?? 0) > 1) {
          if (placed.has(j.arrayJobId)) continue;
          placed.add(j.arrayJobId);
          const members = byArray.get(j.arrayJobId) ?? [];
          const a = new ArrayElement(`jobs/${name}/group/${st}/array/${j.arrayJobId}`, g, name, j.arrayJobId, `${j.arrayJobId} ${j.name} [array]`, `jobArray.${st.toLowerCase()}`);
          a.children = members.map((m) => new JobElement(a, name, m, showUser, state.live?.[m.jobId]));
          g.children.push(a);
        } else {
          g.children.push(new JobElement(g, name, j, showUser, state.live?.[j.jobId]));
        }
      }
      c.children.push(g);
    }
    if (state.jobs.length === 0) c.children.push(new MessageElement(`jobs/${name}/none`, c, state.allUsers ? 'No jobs in the queue' : 'No jobs of mine in the queue', 'info'));
    if (entry.history) c.children.push(historyGroup(c, entry, state.allUsers));
    else if (state.accounting !== 'none') {
      const recent = [...state.recent].sort((a, b) => (b.end ?? '').localeCompare(a.end ?? '')).slice(0, 200);
      const g = new GroupElement(`jobs/${name}/group/recent`, c, 'Recent (24 h)', 'history', 'jobGroup.recent', false, `${recent.length} · ${state.accounting === 'slurmdbd' ? 'sacct' : 'job completion log'}`);
      g.children = recent.map((j) => new FinishedJobElement(g, name, j, showUser));
      c.children.push(g);
    }
  }
  return roots;
}

/** At most this many history items (jobs and arrays) per cluster. */
const HISTORY_ITEMS = 200;

/**
 * "History": finished jobs from accounting, newest first; array tasks under their array, whose
 * item counts them by state and offers Resubmit Failed Tasks when some failed.
 */
function historyGroup(c: ExplorerElement, entry: ClusterView, showUser: boolean): GroupElement {
  const history = entry.history as NonNullable<ClusterView['history']>;
  const name = entry.config.name;
  const source = history.source === 'slurmdbd' ? 'sacct' : history.source === 'jobcomp' ? 'job completion log' : 'no accounting';
  const { plain, arrays } = groupArrays(history.jobs);
  const g = new GroupElement(`jobs/${name}/group/history`, c, 'History', 'history', 'jobGroup.history', false, `${history.jobs.length} · ${source}`);
  const items: { end: string; el: ExplorerElement }[] = [];
  for (const j of plain) items.push({ end: j.end ?? '', el: new FinishedJobElement(g, name, j, showUser) });
  for (const a of arrays) {
    const counts = Object.entries(a.byState)
      .map(([st, n]) => `${n} ${st}`)
      .join(', ');
    const failed = a.failedIndices.length > 0;
    const el = new ArrayElement(`jobs/${name}/group/history/array/${a.arrayJobId}`, g, name, a.arrayJobId, `${a.arrayJobId} ${a.name} [array]`, failed ? 'jobArray.finishedFailed' : 'jobArray.finished', counts);
    el.children = [...a.tasks].sort((x, y) => (x.arrayTaskId ?? 0) - (y.arrayTaskId ?? 0)).map((t) => new FinishedJobElement(el, name, t, showUser));
    items.push({ end: a.tasks.reduce((m, t) => ((t.end ?? '') > m ? (t.end ?? '') : m), ''), el });
  }
  items.sort((x, y) => y.end.localeCompare(x.end));
  if (history.note) g.children.push(new MessageElement(`jobs/${name}/group/history/note`, g, history.note, 'info'));
  g.children.push(...items.slice(0, HISTORY_ITEMS).map((i) => i.el));
  return g;
}
