/**
 * Accounting in the editor: right-sizing diagnostics with quick fixes on the scripts that
 * submitted finished jobs, Resubmit Failed Tasks, Refresh Job History. The figures come from the
 * cluster service's history (src/cluster/accounting.ts); the advice and edits from the core
 * (src/core/slurm/efficiency.ts). Advice applies only while the script's request lines are what
 * they were when the job was submitted.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { adviseResources, requestFingerprint, rightSizingDiagnostics } from '../../core/slurm/efficiency';
import { groupArrays, type AccountedJobDetail } from '../../core/slurm/sacct';
import type { SbatchDiagnostic } from '../../core/sbatch/types';
import { registerCommand } from '../commands';
import { isJobRef, type ClusterService } from '../services';
import type { ExtensionState, SubmittedRecord } from '../state';

const SOURCE = 'HPC Workbench (accounting)';

const SEVERITY: Record<SbatchDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  information: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

const toRange = (r: SbatchDiagnostic['range']): vscode.Range => new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);

/** The newest finished job of each remembered script, with its record from the history. */
function latestFinished(clusters: ClusterService, state: ExtensionState): Map<string, { record: SubmittedRecord; job: AccountedJobDetail }> {
  const out = new Map<string, { record: SubmittedRecord; job: AccountedJobDetail }>();
  for (const record of state.submitted()) {
    if (record.request === undefined) continue;
    const history = clusters.view(record.cluster)?.history;
    if (history?.source !== 'slurmdbd') continue;
    const job = history.jobs.find((j) => j.jobId === record.jobId);
    // Records are in submission order: a later finished job of the same script wins.
    if (job) out.set(record.script, { record, job });
  }
  return out;
}

export function registerAccounting(context: vscode.ExtensionContext, clusters: ClusterService, state: ExtensionState): void {
  const collection = vscode.languages.createDiagnosticCollection('hpcWorkbench.rightSizing');
  const fixes = new Map<string, { diagnostic: vscode.Diagnostic; fix: NonNullable<SbatchDiagnostic['fixes']>[number] }[]>();
  context.subscriptions.push(collection);

  const update = (only?: vscode.TextDocument): void => {
    const latest = latestFinished(clusters, state);
    const docs = only ? [only] : vscode.workspace.textDocuments;
    for (const doc of docs) {
      const key = doc.uri.toString();
      const entry = latest.get(key);
      let diags: SbatchDiagnostic[] = [];
      if (entry && requestFingerprint(doc.getText()) === entry.record.request) {
        diags = rightSizingDiagnostics(doc.getText(), adviseResources(entry.job));
      }
      const rendered = diags.map((d) => {
        const v = new vscode.Diagnostic(toRange(d.range), d.message, SEVERITY[d.severity]);
        v.code = d.code;
        v.source = SOURCE;
        return { diagnostic: v, fix: d.fixes?.[0] };
      });
      fixes.set(key, rendered.filter((r): r is { diagnostic: vscode.Diagnostic; fix: NonNullable<typeof r.fix> } => r.fix !== undefined));
      collection.set(doc.uri, rendered.map((r) => r.diagnostic));
    }
  };

  let pending: ReturnType<typeof setTimeout> | undefined;
  context.subscriptions.push(
    clusters.onDidChange(() => {
      if (pending) return;
      pending = setTimeout(() => {
        pending = undefined;
        update();
      }, 100);
    }),
    { dispose: () => pending && clearTimeout(pending) },
    vscode.workspace.onDidOpenTextDocument((doc) => update(doc)),
    vscode.workspace.onDidChangeTextDocument((e) => update(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      collection.delete(doc.uri);
      fixes.delete(doc.uri.toString());
    }),
    vscode.languages.registerCodeActionsProvider(
      [{ language: 'sbatch' }, { language: 'shellscript' }],
      {
        provideCodeActions(doc, range) {
          return (fixes.get(doc.uri.toString()) ?? [])
            .filter((f) => f.diagnostic.range.intersection(range) !== undefined)
            .map((f) => {
              const action = new vscode.CodeAction(f.fix.title, vscode.CodeActionKind.QuickFix);
              action.diagnostics = [f.diagnostic];
              action.isPreferred = f.fix.preferred;
              action.edit = new vscode.WorkspaceEdit();
              for (const e of f.fix.edits) action.edit.replace(doc.uri, toRange(e.range), e.newText);
              return action;
            });
        },
      },
      { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] },
    ),
  );
  update();

  registerCommand(context, 'hpcWorkbench.refreshHistory', async (call, arg) => {
    const cluster = typeof arg === 'object' && arg !== null && typeof (arg as { cluster?: unknown }).cluster === 'string' ? (arg as { cluster: string }).cluster : undefined;
    call.doing = 'Refreshing the job history';
    await clusters.refreshHistory(cluster);
    const views = cluster ? [clusters.view(cluster)] : clusters.views();
    return views.map((v) => ({ cluster: v?.config.name, source: v?.history?.source, jobs: v?.history?.jobs.length ?? 0, note: v?.history?.note }));
  });

  // Argument: the array's tree item or a JobRef {cluster, jobId} (the array job id), else a pick.
  registerCommand(context, 'hpcWorkbench.resubmitFailedTasks', async (call, arg) => {
    let ref = isJobRef(arg) ? { cluster: arg.cluster, jobId: arg.jobId } : undefined;
    if (!ref) {
      const picks: (vscode.QuickPickItem & { cluster: string; jobId: string })[] = [];
      for (const view of clusters.views()) {
        for (const a of groupArrays(view.history?.jobs ?? []).arrays) {
          if (a.failedIndices.length > 0) picks.push({ label: `${a.arrayJobId} ${a.name}`, description: `${view.config.name} · ${a.failedIndices.length} failed`, cluster: view.config.name, jobId: a.arrayJobId });
        }
      }
      if (picks.length === 0) {
        void vscode.window.showInformationMessage('No array in the job history has failed tasks.');
        return undefined;
      }
      ref = await vscode.window.showQuickPick(picks, { title: 'Resubmit the failed tasks of which array?' });
      if (!ref) return undefined;
    }
    const arrayJobId = ref.jobId.split('_')[0];
    const ours = state.submitted().find((r) => r.cluster === ref.cluster && r.jobId === arrayJobId);
    let script = ours?.remoteScript;
    if (!script) {
      script = await vscode.window.showInputBox({
        title: `Resubmit failed tasks of array ${arrayJobId}`,
        prompt: 'The script that submitted the array (relative to the folder it was submitted from, or absolute)',
        ignoreFocusOut: true,
      });
      if (!script) return undefined;
    }
    call.doing = `Resubmitting the failed tasks of array ${arrayJobId}`;
    const result = await clusters.cluster(ref.cluster).resubmitFailedTasks(arrayJobId, { script });
    if (result.jobId) {
      if (ours) await state.rememberSubmitted({ ...ours, jobId: result.jobId });
      void vscode.window.showInformationMessage(`Resubmitted tasks ${result.arraySpec} of array ${arrayJobId} (${path.basename(script)}) as job ${result.jobId}.`);
    } else {
      void vscode.window.showInformationMessage(result.note ?? `Nothing to resubmit for array ${arrayJobId}.`);
    }
    return result;
  });
}
