/**
 * The cluster explorer: the Clusters and Jobs views, the status bar item, job and cluster
 * commands, job details documents. Data comes from the cluster service; views never run Slurm
 * commands themselves.
 */
import * as vscode from 'vscode';
import type { ClusterService, JobRef, JobsView } from '../services';
import { registerClusterCommands } from './clusterCommands';
import { registerJobCommands } from './jobCommands';
import { registerJobDetailsDocuments } from './jobDetailsDocument';
import { JobsStatusBar } from './statusBar';
import { buildClustersTree } from './clustersTree';
import { buildJobsTree } from './jobsTree';
import { ExplorerTree } from './trees';

export type { TreeDump } from './trees';

export function registerExplorer(context: vscode.ExtensionContext, service: ClusterService): JobsView {
  const clustersTree = new ExplorerTree(service, (s) => buildClustersTree(s.views(), s.configurationProblems));
  const jobsTree = new ExplorerTree(service, (s) => buildJobsTree(s.views(), s.configurationProblems));
  const clustersView = vscode.window.createTreeView('hpcWorkbench.clusters', { treeDataProvider: clustersTree, showCollapseAll: true });
  const jobsView = vscode.window.createTreeView('hpcWorkbench.jobs', { treeDataProvider: jobsTree, showCollapseAll: true, canSelectMany: true });
  const status = new JobsStatusBar(service);
  context.subscriptions.push(clustersTree, jobsTree, clustersView, jobsView, status);

  const rerender = (): void => {
    clustersTree.rebuild();
    jobsTree.rebuild();
    status.update();
  };
  let pending: ReturnType<typeof setTimeout> | undefined;
  context.subscriptions.push(
    service.onDidChange(() => {
      // Coalesce bursts of state changes (connection + refresh) into one render.
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        rerender();
      }, 30);
    }),
    { dispose: () => pending && clearTimeout(pending) },
  );
  rerender();

  registerJobDetailsDocuments(context, service);
  registerJobCommands(context, service, jobsView);
  registerClusterCommands(context, service, rerender);
  // Internal, for tests: the rendered trees.
  context.subscriptions.push(
    vscode.commands.registerCommand('hpcWorkbench._treeSnapshot', () => {
      rerender();
      return { clusters: clustersTree.dump(), jobs: jobsTree.dump(), statusBar: status.text };
    }),
    // Internal, for tests: a job's tooltip as VS Code shows it on hover (resolved: live use).
    vscode.commands.registerCommand('hpcWorkbench._jobTooltip', async (ref: JobRef) => {
      const el = jobsTree.find((e) => {
        const r = e as Partial<JobRef>;
        return r.cluster === ref.cluster && r.jobId === ref.jobId && e.key.includes('/job/');
      });
      if (!el) return undefined;
      const item = await jobsTree.resolveTreeItem(el.item(), el);
      return typeof item?.tooltip === 'string' ? item.tooltip : undefined;
    }),
  );

  return {
    async revealJob(cluster: string, jobId: string): Promise<void> {
      const c = service.cluster(cluster);
      if (!c.knowsJob(jobId)) await c.refresh();
      rerender();
      const el = jobsTree.find((e) => {
        const r = e as Partial<JobRef> & { job?: { jobIdNumeric?: string } };
        return r.cluster === cluster && r.jobId !== undefined && (r.jobId === jobId || r.job?.jobIdNumeric === jobId) && e.key.includes('/job/');
      });
      if (el) await jobsView.reveal(el, { select: true, focus: false, expand: true });
    },
  };
}
