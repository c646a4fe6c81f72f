/** The Jobs view: my jobs (or everyone's) grouped by state, arrays grouped, the history from accounting. */
import * as vscode from 'vscode';
import type { ClusterState } from '../../core/slurm/clusterState';
import type { SqueueJob } from '../../core/slurm/squeue';
import { isHeldJob } from '../../core/slurm/jobStates';
import { groupArrays, type AccountedJob, type AccountedJobDetail } from '../../core/slurm/sacct';
import { formatEfficiency, jobEfficiency } from '../../core/slurm/efficiency';
import type { LiveStep } from '../../core/slurm/sstat';
import { formatDuration } from '../../core/slurm/units';
import type { ClusterService, JobRef } from '../services';
import type { ClusterView } from '../../cluster';
import { Base, ClusterElement, icon, MessageElement, statusChildren, type ExplorerElement } from './treeModel';

function jobContext(job: SqueueJob): string {
  if (isHeldJob(job)) return 'job.held';
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
    ]
      .filter((s) => s !== '')
      .join('\n');
    return t;
  }
  /** A running job's tooltip, once hovered, gains its live use (sstat): read then, not with every refresh. */
  async resolve(item: vscode.TreeItem, service: ClusterService): Promise<vscode.TreeItem> {
    if (this.job.state !== 'RUNNING') return item;
    try {
      const use = await service.cluster(this.cluster).liveUse([this.jobId]);
      const lines = (use.byJob.get(this.jobId) ?? []).map(liveUseLine);
      if (use.note) lines.push(use.note);
      if (lines.length > 0) item.tooltip = `${typeof item.tooltip === 'string' ? item.tooltip : ''}\n${lines.join('\n')}`;
    } catch {
      // Not connected, sstat failed: the tooltip without live use.
    }
    return item;
  }
}

function liveUseLine(s: LiveStep): string {
  return `Live (sstat) step ${s.stepId}: ${s.tasks ?? '?'} task(s), average CPU ${s.aveCpuSeconds === null ? '?' : formatDuration(s.aveCpuSeconds)}, MaxRSS ${s.maxRssMiB === null ? '?' : `${s.maxRssMiB}M`}`;
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

/** Builds the jobs view: cluster → state groups → (arrays →) jobs, plus "History". */
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
          a.children = members.map((m) => new JobElement(a, name, m, showUser));
          g.children.push(a);
        } else {
          g.children.push(new JobElement(g, name, j, showUser));
        }
      }
      c.children.push(g);
    }
    if (state.jobs.length === 0) c.children.push(new MessageElement(`jobs/${name}/none`, c, state.allUsers ? 'No jobs in the queue' : 'No jobs of mine in the queue', 'info'));
    if (entry.history) c.children.push(historyGroup(c, entry, state.allUsers));
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
