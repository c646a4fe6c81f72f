/**
 * The cluster explorer: the Clusters and Jobs views, job commands (cancel, hold, release, requeue,
 * details), cluster commands (refresh, add, connect, disconnect, all users), the status bar item.
 * Data comes from the ClusterService; views never run Slurm commands themselves.
 */
import * as vscode from 'vscode';
import { runJobAction, type JobAction, type JobActionResult } from '../../core/slurm/jobActions';
import { actionableJobId } from '../../core/slurm/squeue';
import { parseSacct, sacctArgv } from '../../core/slurm/sacct';
import { batchArgv, parseBatchOutput } from '../../core/slurm/batch';
import type { ClusterService, JobRef, LanguageService } from '../services';
import { ClusterServiceImpl } from '../clusters/clusterService';
import { addCluster, type AddClusterOptions } from '../clusters/addCluster';
import { buildClustersTree, buildJobsTree, ClusterElement, jobCounts, type ExplorerElement } from './treeModel';

class ExplorerTree implements vscode.TreeDataProvider<ExplorerElement> {
  private roots: ExplorerElement[] = [];
  private byKey = new Map<string, ExplorerElement>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly service: ClusterServiceImpl,
    private readonly build: (s: ClusterServiceImpl) => ExplorerElement[],
  ) {
    this.rebuild();
  }

  rebuild(): void {
    this.roots = this.build(this.service);
    this.byKey.clear();
    const walk = (els: ExplorerElement[]): void => {
      for (const e of els) {
        this.byKey.set(e.key, e);
        walk(e.children);
      }
    };
    walk(this.roots);
    this.emitter.fire();
  }

  find(predicate: (e: ExplorerElement) => boolean): ExplorerElement | undefined {
    for (const e of this.byKey.values()) if (predicate(e)) return e;
    return undefined;
  }

  getTreeItem(e: ExplorerElement): vscode.TreeItem {
    return e.item();
  }

  getChildren(e?: ExplorerElement): ExplorerElement[] {
    if (!e) {
      // The views are visible: start watching the clusters.
      for (const c of this.service.allEntries()) this.service.ensureStarted(c.config.name);
      return this.roots;
    }
    return this.byKey.get(e.key)?.children ?? e.children;
  }

  getParent(e: ExplorerElement): ExplorerElement | undefined {
    return e.parent;
  }

  /** Labels and descriptions as rendered, for tests (`hpcWorkbench._treeSnapshot`). */
  dump(): TreeDump[] {
    const render = (e: ExplorerElement): TreeDump => {
      const item = e.item();
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const out: TreeDump = { label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
      const ref = e as Partial<JobRef>;
      if (ref.jobId !== undefined && ref.cluster !== undefined) {
        out.cluster = ref.cluster;
        out.jobId = ref.jobId;
      }
      if (e.children.length > 0) out.children = e.children.map(render);
      return out;
    };
    return this.roots.map(render);
  }
}

export interface TreeDump {
  label: string;
  description: string;
  contextValue: string;
  cluster?: string;
  jobId?: string;
  children?: TreeDump[];
}

interface JobCommandOptions {
  /** Ask before cancelling (default true). */
  confirm?: boolean;
}

function isJobRef(x: unknown): x is JobRef {
  return typeof x === 'object' && x !== null && typeof (x as JobRef).cluster === 'string' && typeof (x as JobRef).jobId === 'string';
}

export function registerExplorer(context: vscode.ExtensionContext, language: LanguageService): ClusterService {
  const service = new ClusterServiceImpl(context, language);
  context.subscriptions.push(service);
  const clustersTree = new ExplorerTree(service, (s) => buildClustersTree(s.allEntries(), s.configurationProblems));
  const jobsTree = new ExplorerTree(service, (s) => buildJobsTree(s.allEntries(), s.configurationProblems));
  const clustersView = vscode.window.createTreeView('hpcWorkbench.clusters', { treeDataProvider: clustersTree, showCollapseAll: true });
  const jobsView = vscode.window.createTreeView('hpcWorkbench.jobs', { treeDataProvider: jobsTree, showCollapseAll: true, canSelectMany: true });
  context.subscriptions.push(clustersView, jobsView);

  const status = vscode.window.createStatusBarItem('hpcWorkbench.jobs', vscode.StatusBarAlignment.Left, 50);
  status.name = 'HPC Workbench jobs';
  status.command = 'hpcWorkbench.jobs.focus';
  context.subscriptions.push(status);
  let statusShown = false;
  const updateStatus = (): void => {
    const name = service.activeCluster;
    const entry = name ? service.entry(name) : undefined;
    if (!entry) {
      status.hide();
      statusShown = false;
      return;
    }
    const state = entry.monitor.state;
    const { running, pending } = jobCounts(state);
    const failing = entry.monitor.status.kind === 'error';
    status.text = `$(server-process) ${name}: ${state ? `${running} running, ${pending} pending` : '…'}${failing ? ' $(warning)' : ''}`;
    status.tooltip = failing && entry.monitor.status.kind === 'error' ? `${name}: ${entry.monitor.status.message}` : `My jobs on ${name} — click to show the Jobs view`;
    status.show();
    statusShown = true;
  };

  let pending: ReturnType<typeof setTimeout> | undefined;
  const rerender = (): void => {
    clustersTree.rebuild();
    jobsTree.rebuild();
    updateStatus();
  };
  context.subscriptions.push(
    service.onDidChange(() => {
      // Coalesce bursts of state changes (connection + refresh) into one render.
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        rerender();
      }, 30);
    }),
  );
  rerender();

  service.revealHandler = async (cluster, jobId) => {
    rerender();
    const el = jobsTree.find((e) => {
      const r = e as Partial<JobRef> & { job?: { jobIdNumeric?: string } };
      return r.cluster === cluster && r.jobId !== undefined && (r.jobId === jobId || r.job?.jobIdNumeric === jobId) && e.key.includes('/job/');
    });
    if (!el) return false;
    await jobsView.reveal(el, { select: true, focus: false, expand: true });
    return true;
  };

  // ---- job details: a read-only virtual document ----
  const details = new (class implements vscode.TextDocumentContentProvider {
    async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      const [cluster, file] = [decodeURIComponent(uri.authority), uri.path.replace(/^\//, '')];
      const jobId = file.replace(/\.txt$/, '');
      const conn = await service.connection(cluster);
      const res = await conn.exec(
        batchArgv([
          { name: 'show', argv: ['scontrol', 'show', 'job', actionableJobId(jobId)] },
          { name: 'sacct', argv: sacctArgv({ completion: false, allUsers: true, jobIds: [jobId] }) },
          { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: true, jobIds: [jobId] }), onlyIfPreviousFailed: true },
        ]),
        { timeoutMs: 30_000 },
      );
      const s = parseBatchOutput(res.stdout);
      const show = s.get('show');
      if (show?.code === 0 && show.stdout.trim() !== '') return `# scontrol show job ${jobId} (cluster ${cluster})\n\n${show.stdout.trim()}\n`;
      const acct = s.get('sacct')?.code === 0 ? s.get('sacct') : s.get('jobcomp');
      const rows = acct?.code === 0 ? parseSacct(acct.stdout).filter((j) => j.jobId === jobId) : [];
      if (rows.length > 0) {
        return `# Job ${jobId} (cluster ${cluster}) — from accounting; slurmctld no longer holds it\n\n${Object.entries(rows[0])
          .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : v ?? ''}`)
          .join('\n')}\n`;
      }
      return `# Job ${jobId} (cluster ${cluster})\n\n${show?.stderr || 'The job is not known to the cluster any more.'}\n`;
    }
  })();
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider('hpcw-job', details));

  // ---- commands ----
  const targets = async (arg: unknown, selected: unknown, verb: string): Promise<JobRef[]> => {
    if (Array.isArray(selected) && selected.length > 0 && selected.every(isJobRef)) return selected.map((r) => ({ cluster: r.cluster, jobId: r.jobId }));
    if (Array.isArray(arg) && arg.every(isJobRef)) return arg.map((r) => ({ cluster: r.cluster, jobId: r.jobId }));
    if (isJobRef(arg)) return [{ cluster: arg.cluster, jobId: arg.jobId }];
    const fromView = (jobsView.selection as unknown[]).filter(isJobRef);
    if (fromView.length > 0 && arg === undefined) return fromView.map((r) => ({ cluster: r.cluster, jobId: r.jobId }));
    // From the palette: pick among my jobs.
    const picks: (vscode.QuickPickItem & JobRef)[] = [];
    for (const e of service.allEntries()) {
      const st = e.monitor.state;
      for (const j of st?.jobs ?? []) {
        if (st && j.user !== st.user) continue;
        picks.push({ label: `${j.jobId} ${j.name}`, description: `${e.config.name} · ${j.state}`, cluster: e.config.name, jobId: j.jobId });
      }
    }
    if (picks.length === 0) {
      void vscode.window.showInformationMessage('No job of yours is in the queue.');
      return [];
    }
    const chosen = await vscode.window.showQuickPick(picks, { canPickMany: true, title: `${verb} which jobs?` });
    return (chosen ?? []).map((c) => ({ cluster: c.cluster, jobId: c.jobId }));
  };

  const act = async (action: JobAction, arg: unknown, selected: unknown, options: JobCommandOptions = {}): Promise<JobActionResult[]> => {
    // (item, selectedItems) from the view; (JobRef|JobRef[], {confirm}) from tests and automation.
    if (!Array.isArray(selected) && typeof selected === 'object' && selected !== null && !isJobRef(selected)) {
      options = selected as JobCommandOptions;
      selected = undefined;
    }
    const verb = action[0].toUpperCase() + action.slice(1);
    const refs = await targets(arg, selected, verb);
    if (refs.length === 0) return [];
    if (action === 'cancel' && options.confirm !== false) {
      const what = refs.length === 1 ? `job ${refs[0].jobId}` : `${refs.length} jobs (${refs.map((r) => r.jobId).join(', ')})`;
      const ok = await vscode.window.showWarningMessage(`Cancel ${what}?`, { modal: true, detail: 'Slurm ends the job at once; its output so far is kept.' }, 'Cancel Job');
      if (ok !== 'Cancel Job') return [];
    }
    const byCluster = new Map<string, string[]>();
    for (const r of refs) byCluster.set(r.cluster, [...(byCluster.get(r.cluster) ?? []), r.jobId]);
    const results: JobActionResult[] = [];
    for (const [cluster, ids] of byCluster) {
      try {
        const conn = await service.connection(cluster);
        results.push(...(await runJobAction(conn, action, ids)));
      } catch (err) {
        results.push(...ids.map((jobId) => ({ jobId, ok: false, error: (err as Error).message })));
      }
      await service.refreshNow(cluster);
    }
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) void vscode.window.showErrorMessage(failed.map((f) => f.error).join(' '));
    else if (options.confirm !== false || action !== 'cancel') {
      vscode.window.setStatusBarMessage(`$(check) ${verb}: ${results.map((r) => r.jobId).join(', ')}`, 4000);
    }
    return results;
  };

  const clusterArg = (arg: unknown): string | undefined => {
    if (typeof arg === 'string') return arg;
    if (arg instanceof ClusterElement) return arg.cluster;
    if (typeof arg === 'object' && arg !== null && typeof (arg as { cluster?: unknown }).cluster === 'string') return (arg as { cluster: string }).cluster;
    return undefined;
  };

  const reg = (id: string, fn: (...args: unknown[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };
  reg('hpcWorkbench.cancelJob', (a, b, c) => act('cancel', a, b, (c as JobCommandOptions) ?? {}));
  reg('hpcWorkbench.holdJob', (a, b, c) => act('hold', a, b, (c as JobCommandOptions) ?? {}));
  reg('hpcWorkbench.releaseJob', (a, b, c) => act('release', a, b, (c as JobCommandOptions) ?? {}));
  reg('hpcWorkbench.requeueJob', (a, b, c) => act('requeue', a, b, (c as JobCommandOptions) ?? {}));
  reg('hpcWorkbench.showJobDetails', async (a, b) => {
    const refs = await targets(a, b, 'Show details of');
    for (const r of refs.slice(0, 5)) {
      const uri = vscode.Uri.from({ scheme: 'hpcw-job', authority: encodeURIComponent(r.cluster), path: `/${r.jobId}.txt` });
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: refs.length === 1 });
    }
    return refs.length;
  });
  reg('hpcWorkbench.refresh', async (arg) => {
    await service.refreshNow(clusterArg(arg));
    rerender();
  });
  reg('hpcWorkbench.addCluster', async (arg) => {
    const config = await addCluster((arg as AddClusterOptions) ?? {});
    if (config) {
      await service.setActiveCluster(config.name);
      service.ensureStarted(config.name);
    }
    return config;
  });
  reg('hpcWorkbench.connectCluster', async (arg) => {
    const name = clusterArg(arg) ?? (await service.pickCluster('Connect to which cluster?'))?.name;
    if (!name) return;
    try {
      await service.connect(name);
    } catch (err) {
      void vscode.window.showErrorMessage(`Could not connect to ${name}: ${(err as Error).message}`);
    }
    rerender();
  });
  reg('hpcWorkbench.disconnectCluster', async (arg) => {
    const name = clusterArg(arg) ?? (await service.pickCluster('Disconnect from which cluster?'))?.name;
    if (!name) return;
    service.disconnect(name);
    rerender();
  });
  reg('hpcWorkbench.toggleAllUsers', async (arg) => {
    const config = vscode.workspace.getConfiguration('hpcWorkbench');
    const value = typeof arg === 'boolean' ? arg : !config.get<boolean>('jobs.showAllUsers', false);
    const inspect = config.inspect<boolean>('jobs.showAllUsers');
    const target = inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('jobs.showAllUsers', value, target);
    await service.refreshNow();
    rerender();
    return value;
  });
  // Internal, for tests: the rendered trees.
  reg('hpcWorkbench._treeSnapshot', () => {
    rerender();
    return { clusters: clustersTree.dump(), jobs: jobsTree.dump(), statusBar: statusShown ? status.text : undefined };
  });

  return service;
}
