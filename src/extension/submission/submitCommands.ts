/**
 * Sync Workspace, Submit Job and Validate on Cluster: the UI (which folder, script and cluster;
 * progress; lint errors before submitting; messages) around the cluster service's `sync`,
 * `submit` and `validate`. Each accepts an argument object so that tests and automation run it
 * without prompts, and returns what it produced.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { requestFingerprint } from '../../core/slurm/efficiency';
import type { StartVerdict, SyncSummary, TestOnlyAnswer } from '../../cluster';
import { lineForError } from '../../core/slurm/sbatchAnswers';
import { registerCommand, type CommandCall } from '../commands';
import type { ClusterService, JobRef, JobsView } from '../services';
import type { ExtensionState } from '../state';
import { describeSync, withSyncProgress } from './syncProgress';
import { asUri, folderFor, localFolder } from './workspace';

/** The will-it-start answer for a script (the lens's, extension/startEstimate/lens.ts). */
export interface StartEstimates {
  verdictFor(document: vscode.TextDocument, cluster: string): Promise<StartVerdict | undefined>;
}

/** What Submit Job returns: the job, and the will-it-start answer shown before sbatch. */
export type SubmitResult = JobRef & { startEstimate?: string };

export interface SubmitArgs {
  uri?: vscode.Uri | string;
  cluster?: string;
  /** false: never ask (lint errors do not stop the submission); default true. */
  confirm?: boolean;
}

interface SyncArgs {
  folder?: vscode.Uri | string;
  cluster?: string;
}

async function scriptFrom(args: unknown): Promise<{ document: vscode.TextDocument; options: SubmitArgs } | undefined> {
  const options: SubmitArgs = args instanceof vscode.Uri ? { uri: args } : ((args as SubmitArgs | undefined) ?? {});
  const uri = asUri(options.uri) ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri) {
    void vscode.window.showErrorMessage('Open a job script (SBATCH file) first.');
    return undefined;
  }
  const document = await vscode.workspace.openTextDocument(uri);
  if (document.isDirty) await document.save();
  return { document, options };
}

/** Waits this long at most for an answer the lens has not cached: the submission goes on without it. */
const ESTIMATE_WAIT_MS = 15_000;

function startVerdict(estimates: StartEstimates, document: vscode.TextDocument, cluster: string): Thenable<StartVerdict | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Will it start? Asking ${cluster}` }, () =>
    Promise.race([
      estimates.verdictFor(document, cluster).catch(() => undefined),
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ESTIMATE_WAIT_MS).unref?.()),
    ]),
  );
}

export function registerSubmitCommands(
  context: vscode.ExtensionContext,
  clusters: ClusterService,
  state: ExtensionState,
  jobsView: JobsView,
  showOutput: (ref: JobRef) => unknown,
  estimates?: StartEstimates,
): void {
  const diagnostics = vscode.languages.createDiagnosticCollection('sbatch-cluster');
  context.subscriptions.push(diagnostics);

  async function sync(call: CommandCall, args: unknown): Promise<SyncSummary | undefined> {
    const given: SyncArgs = args instanceof vscode.Uri ? { folder: args } : ((args as SyncArgs | undefined) ?? {});
    const folder = folderFor(asUri(given.folder));
    if (!folder) {
      void vscode.window.showErrorMessage('Open a folder first: the workspace folder is what gets synced.');
      return undefined;
    }
    const cluster = await clusters.chooseCluster(given.cluster, 'Cluster to sync the workspace to');
    if (!cluster) return undefined;
    call.doing = `Sync to ${cluster.name}`;
    call.cancelled = 'Sync cancelled. Files already uploaded stay; none is left half-written.';
    const summary = await withSyncProgress(`Syncing ${folder.name} to ${cluster.name}`, (control) => cluster.sync(localFolder(folder), control));
    void vscode.window.showInformationMessage(describeSync(summary, cluster.name));
    return summary;
  }

  async function submit(call: CommandCall, args: unknown): Promise<SubmitResult | undefined> {
    const picked = await scriptFrom(args);
    if (!picked) return undefined;
    const { document, options } = picked;
    const name = path.basename(document.uri.fsPath);
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) {
      void vscode.window.showErrorMessage(`${name} is not in the workspace: only files of a workspace folder can be synced and submitted.`);
      return undefined;
    }
    const errors = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length > 0 && options.confirm !== false) {
      const answer = await vscode.window.showWarningMessage(
        `${name} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: line ${errors[0].range.start.line + 1}: ${errors[0].message}). Submit anyway?`,
        { modal: true },
        'Submit Anyway',
      );
      if (answer !== 'Submit Anyway') return undefined;
    }
    const cluster = await clusters.chooseCluster(options.cluster, 'Cluster to submit to');
    if (!cluster) return undefined;
    // Will it start? The lens's answer (cached: no second --test-only); a job that cannot start is confirmed.
    const verdict = estimates ? await startVerdict(estimates, document, cluster.name) : undefined;
    if (verdict && verdict.kind !== 'starts-now' && verdict.kind !== 'expected' && options.confirm !== false) {
      const answer = await vscode.window.showWarningMessage(`${cluster.name}: ${verdict.text}. Submit anyway?`, { modal: true, detail: verdict.detail }, 'Submit Anyway');
      if (answer !== 'Submit Anyway') return undefined;
    }
    call.doing = `Submitting to ${cluster.name}`;
    call.cancelled = 'Submission cancelled.';
    const title = `Submitting ${name} to ${cluster.name}${verdict ? ` — ${verdict.text}` : ''}`;
    const submitted = await withSyncProgress(title, (control, say) =>
      cluster.submit(localFolder(folder), document.uri.fsPath, {
        signal: control.signal,
        onProgress: (p) => {
          control.onProgress(p);
          if (p.phase === 'finishing') say('Running sbatch…');
        },
      }),
    );
    const ref: JobRef = { cluster: cluster.name, jobId: submitted.jobId };
    // The request lines as submitted: right-sizing advice applies to the script while they are unchanged.
    await state.rememberSubmitted({ ...ref, script: document.uri.toString(), request: requestFingerprint(document.getText()), remoteScript: submitted.script });
    void jobsView.revealJob(ref.cluster, ref.jobId).then(undefined, () => undefined);
    const files = submitted.sync.uploaded.length;
    void vscode.window
      .showInformationMessage(`Submitted job ${submitted.jobId} to ${cluster.name} (${files} file${files === 1 ? '' : 's'} synced).`, 'Show Output')
      .then((choice) => (choice === 'Show Output' ? showOutput(ref) : undefined));
    return verdict ? { ...ref, startEstimate: verdict.text } : ref;
  }

  async function validate(call: CommandCall, args: unknown): Promise<(TestOnlyAnswer & { verdict: StartVerdict }) | undefined> {
    const picked = await scriptFrom(args);
    if (!picked) return undefined;
    const { document, options } = picked;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) {
      void vscode.window.showErrorMessage('Only files of a workspace folder can be validated on a cluster (they are synced first).');
      return undefined;
    }
    const cluster = await clusters.chooseCluster(options.cluster, 'Cluster to validate on');
    if (!cluster) return undefined;
    call.doing = `Validation on ${cluster.name}`;
    const answer = await withSyncProgress(`Validating ${path.basename(document.uri.fsPath)} on ${cluster.name}`, (control) =>
      cluster.validate(localFolder(folder), document.uri.fsPath, control),
    );
    const text = document.getText();
    diagnostics.set(
      document.uri,
      [
        ...answer.errors.map((message) => ({ message, severity: vscode.DiagnosticSeverity.Error })),
        // Accepted by Slurm, yet it would never start or would fail at launch.
        ...(answer.ok ? answer.verdict.problems.map((p) => ({ message: p.message, severity: vscode.DiagnosticSeverity.Warning })) : []),
      ].map(({ message, severity }) => {
        const line = lineForError(text, message);
        const diagnostic = new vscode.Diagnostic(document.lineAt(Math.min(line, document.lineCount - 1)).range, `${cluster.name}: ${message}`, severity);
        diagnostic.source = 'sbatch --test-only';
        return diagnostic;
      }),
    );
    const verdict = answer.verdict;
    if (verdict.kind === 'starts-now' || verdict.kind === 'expected') {
      void vscode.window.showInformationMessage(`${cluster.name} would accept it: ${verdict.text}.`);
    } else if (verdict.kind === 'refused') {
      void vscode.window.showErrorMessage(`${cluster.name} would refuse it: ${answer.errors.join('; ')}`);
    } else {
      // Slurm accepts it, but it would never start or fail at launch: say so, never "would accept".
      void vscode.window.showWarningMessage(`${cluster.name}: ${verdict.text}`, { detail: verdict.detail });
    }
    return answer;
  }

  registerCommand(context, 'hpcWorkbench.syncWorkspace', (call, args) => sync(call, args));
  registerCommand(context, 'hpcWorkbench.submitJob', (call, args) => submit(call, args));
  registerCommand(context, 'hpcWorkbench.validateOnCluster', (call, args) => validate(call, args));
}
