/**
 * Job commands: cancel, hold, release, requeue (each verified by the cluster service, then one
 * refresh), and job details. They act on the jobs given as arguments (a tree item and the
 * selection from the view; a JobRef or JobRef[] and `{confirm}` from code), else on the view's
 * selection, else on jobs picked from a list of mine.
 */
import * as vscode from 'vscode';
import type { JobAction, JobActionResult } from '../../core/slurm/jobActions';
import { registerCommand } from '../commands';
import { isJobRef, type ClusterService, type JobRef } from '../services';
import type { ExplorerElement } from './treeModel';
import { jobDetailsUri } from './jobDetailsDocument';

interface JobCommandOptions {
  /** Ask before cancelling (default true). */
  confirm?: boolean;
}

const refOf = (r: JobRef): JobRef => ({ cluster: r.cluster, jobId: r.jobId });

export function registerJobCommands(context: vscode.ExtensionContext, service: ClusterService, jobsView: vscode.TreeView<ExplorerElement>): void {
  const targets = async (arg: unknown, selected: unknown, verb: string): Promise<JobRef[]> => {
    if (Array.isArray(selected) && selected.length > 0 && selected.every(isJobRef)) return selected.map(refOf);
    if (Array.isArray(arg) && arg.every(isJobRef)) return arg.map(refOf);
    if (isJobRef(arg)) return [refOf(arg)];
    const fromView = (jobsView.selection as unknown[]).filter(isJobRef);
    if (fromView.length > 0 && arg === undefined) return fromView.map(refOf);
    // From the palette: pick among my jobs.
    const picks: (vscode.QuickPickItem & JobRef)[] = [];
    for (const view of service.views()) {
      const st = view.state;
      for (const j of st?.jobs ?? []) {
        if (st && j.user !== st.user) continue;
        picks.push({ label: `${j.jobId} ${j.name}`, description: `${view.config.name} · ${j.state}`, cluster: view.config.name, jobId: j.jobId });
      }
    }
    if (picks.length === 0) {
      void vscode.window.showInformationMessage('No job of yours is in the queue.');
      return [];
    }
    const chosen = await vscode.window.showQuickPick(picks, { canPickMany: true, title: `${verb} which jobs?` });
    return (chosen ?? []).map(refOf);
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
        results.push(...(await service.cluster(cluster).jobAction(action, ids)));
      } catch (err) {
        results.push(...ids.map((jobId) => ({ jobId, ok: false, error: (err as Error).message })));
      }
    }
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) void vscode.window.showErrorMessage(failed.map((f) => f.error).join(' '));
    else if (options.confirm !== false || action !== 'cancel') {
      vscode.window.setStatusBarMessage(`$(check) ${verb}: ${results.map((r) => r.jobId).join(', ')}`, 4000);
    }
    return results;
  };

  for (const action of ['cancel', 'hold', 'release', 'requeue'] as const) {
    const id = `hpcWorkbench.${action}Job`;
    registerCommand(context, id, (_call, a, b, c) => act(action, a, b, (c as JobCommandOptions) ?? {}));
  }
  registerCommand(context, 'hpcWorkbench.showJobDetails', async (call, a, b) => {
    const refs = await targets(a, b, 'Show details of');
    call.doing = 'Showing job details';
    for (const r of refs.slice(0, 5)) {
      const doc = await vscode.workspace.openTextDocument(jobDetailsUri(r));
      await vscode.window.showTextDocument(doc, { preview: refs.length === 1 });
    }
    return refs.length;
  });
}
