/**
 * Remote submission in the editor: Sync Workspace, Submit Job, Validate on Cluster, Show Job
 * Output, Download Job Outputs, upload on save, and a notification when my jobs end.
 * The work itself happens in submitFlow.ts / outputFollower.ts / src/transport (no vscode there);
 * this file is the UI around it. Every command accepts optional arguments so that tests can run
 * it without prompts, and returns what it produced.
 */
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { SFTPWrapper } from 'ssh2';
import type { ClusterConnection, ClusterService, FinishedJob, JobRef } from '../services';
import { LocalFileTransfer, SftpFileTransfer, type FileTransfer } from '../../transport/fileTransfer';
import { uploadFiles, type SyncProgress, type SyncSummary } from '../../transport/sftpSync';
import { syncAndSubmit, syncAndTest, syncWorkspace, type RemoteWorkspace } from '../../cluster/submit';
import { describeJobEnd, lineForError, type TestOnlyAnswer } from '../../core/slurm/sbatchAnswers';
import { isCancelled } from '../../core/errors';
import { outputPathsOf, readJob } from '../../cluster/outputFollower';
import { JobOutputDocuments } from './jobOutputDocuments';
import { OnSaveUploader } from './onSaveUpload';

const LAST_CLUSTER_KEY = 'hpcWorkbench.submission.lastCluster';
const SUBMITTED_KEY = 'hpcWorkbench.submission.submitted';

interface SubmitArgs {
  uri?: vscode.Uri | string;
  cluster?: string;
  /** false: never ask (lint errors do not stop the submission); default true. */
  confirm?: boolean;
}

interface SyncArgs {
  folder?: vscode.Uri | string;
  cluster?: string;
}

interface DownloadArgs extends Partial<JobRef> {
  /** Also download files below the job's folder matching this glob. */
  glob?: string;
  /** false: never ask; a local file that differs is then kept unless `overwrite` is true. */
  confirm?: boolean;
  overwrite?: boolean;
}

interface SubmittedRecord {
  cluster: string;
  jobId: string;
  script: string;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function describeSync(summary: SyncSummary, cluster: string): string {
  const seconds = (summary.durationMs / 1000).toFixed(1);
  const parts = [`${summary.uploaded.length} file${summary.uploaded.length === 1 ? '' : 's'} uploaded (${formatBytes(summary.bytes)})`, `${summary.unchanged + summary.sameContent} unchanged`];
  if (summary.deleted) parts.push(`${summary.deleted} removed`);
  return `Synced to ${cluster}: ${parts.join(', ')} in ${seconds} s.`;
}

function asUri(value: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.includes('://') ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  return value;
}

function asJobRef(value: unknown): JobRef | undefined {
  const ref = value as Partial<JobRef> | undefined;
  return ref && typeof ref.cluster === 'string' && typeof ref.jobId === 'string' ? { cluster: ref.cluster, jobId: ref.jobId } : undefined;
}

class Submission implements vscode.Disposable {
  private readonly transfers = new WeakMap<SFTPWrapper, SftpFileTransfer>();
  private readonly localTransfer = new LocalFileTransfer();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('sbatch-cluster');
  readonly outputs: JobOutputDocuments;
  readonly onSave: OnSaveUploader;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly clusters: ClusterService,
  ) {
    this.outputs = new JobOutputDocuments(clusters, (connection) => this.transferFor(connection));
    this.onSave = new OnSaveUploader({
      cluster: () => this.defaultCluster(),
      upload: async (folder, cluster, files) => {
        const workspace = await this.remoteWorkspace(folder, cluster);
        return uploadFiles({ ...workspace, files });
      },
      excludeGlobs: () => this.excludeGlobs(),
    });
    this.disposables.push(this.diagnostics, this.outputs, this.onSave, clusters.onDidFinishJob((job) => this.jobFinished(job)));
  }

  private excludeGlobs(): string[] {
    return vscode.workspace.getConfiguration('hpcWorkbench').get<string[]>('sync.exclude', []);
  }

  private defaultCluster(): string | undefined {
    const last = this.context.workspaceState.get<string>(LAST_CLUSTER_KEY);
    const names = this.clusters.clusters.map((c) => c.name);
    if (last && names.includes(last)) return last;
    return names.length === 1 ? names[0] : undefined;
  }

  private async chooseCluster(given: string | undefined, placeHolder: string): Promise<string | undefined> {
    const name = given ?? (await this.clusters.pickCluster(placeHolder))?.name;
    if (name) await this.context.workspaceState.update(LAST_CLUSTER_KEY, name);
    return name;
  }

  async transferFor(connection: ClusterConnection): Promise<FileTransfer> {
    const sftp = await connection.sftp();
    if (!sftp) return this.localTransfer;
    let transfer = this.transfers.get(sftp);
    if (!transfer || !transfer.isOpen) {
      transfer = new SftpFileTransfer(sftp, connection);
      this.transfers.set(sftp, transfer);
    }
    return transfer;
  }

  private async remoteWorkspace(folder: vscode.WorkspaceFolder, cluster: string, signal?: AbortSignal, onProgress?: (p: SyncProgress) => void): Promise<RemoteWorkspace & { connection: ClusterConnection }> {
    const connection = await this.clusters.connection(cluster);
    return {
      connection,
      runner: connection,
      transfer: await this.transferFor(connection),
      localRoot: folder.uri.fsPath,
      remoteRoot: await connection.remoteDir(folder.name),
      excludeGlobs: this.excludeGlobs(),
      signal,
      onProgress,
    };
  }

  /** Runs `work` under a cancellable progress notification that shows sync progress. */
  private withSyncProgress<T>(title: string, work: (signal: AbortSignal, onProgress: (p: SyncProgress) => void, say: (message: string) => void) => Promise<T>): Thenable<T> {
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      let lastFraction = 0;
      const onProgress = (p: SyncProgress) => {
        if (p.phase === 'scanning' || p.phase === 'listing') {
          progress.report({ message: p.phase === 'scanning' ? 'Scanning the workspace…' : 'Comparing with the cluster…' });
          return;
        }
        const fraction = p.bytesTotal > 0 ? p.bytesDone / p.bytesTotal : p.filesTotal > 0 ? p.filesDone / p.filesTotal : 1;
        const increment = Math.max(0, fraction - lastFraction) * 100;
        lastFraction = Math.max(lastFraction, fraction);
        progress.report({ increment, message: `${p.filesDone}/${p.filesTotal} files, ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` });
      };
      try {
        return await work(controller.signal, onProgress, (message) => progress.report({ message }));
      } finally {
        subscription.dispose();
      }
    });
  }

  private folderFor(uri: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
    if (uri) return vscode.workspace.getWorkspaceFolder(uri);
    const folders = vscode.workspace.workspaceFolders ?? [];
    const active = vscode.window.activeTextEditor?.document.uri;
    return (active && vscode.workspace.getWorkspaceFolder(active)) ?? folders[0];
  }

  // --- commands -------------------------------------------------------------------------

  async syncCommand(args?: SyncArgs | vscode.Uri): Promise<SyncSummary | undefined> {
    const given = args instanceof vscode.Uri ? { folder: args } : (args ?? {});
    const folder = this.folderFor(asUri(given.folder));
    if (!folder) {
      void vscode.window.showErrorMessage('Open a folder first: the workspace folder is what gets synced.');
      return undefined;
    }
    const cluster = await this.chooseCluster(given.cluster, 'Cluster to sync the workspace to');
    if (!cluster) return undefined;
    try {
      const { summary } = await this.withSyncProgress(`Syncing ${folder.name} to ${cluster}`, async (signal, onProgress) =>
        syncWorkspace(await this.remoteWorkspace(folder, cluster, signal, onProgress)),
      );
      void vscode.window.showInformationMessage(describeSync(summary, cluster));
      return summary;
    } catch (error) {
      if (isCancelled(error)) void vscode.window.showWarningMessage('Sync cancelled. Files already uploaded stay; none is left half-written.');
      else void vscode.window.showErrorMessage(`Sync to ${cluster} failed: ${(error as Error).message}`);
      if (args && !(args instanceof vscode.Uri)) throw error;
      return undefined;
    }
  }

  private async scriptFrom(args: SubmitArgs | vscode.Uri | undefined): Promise<{ document: vscode.TextDocument; options: SubmitArgs } | undefined> {
    const options: SubmitArgs = args instanceof vscode.Uri ? { uri: args } : (args ?? {});
    const uri = asUri(options.uri) ?? vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showErrorMessage('Open a job script (SBATCH file) first.');
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.isDirty) await document.save();
    return { document, options };
  }

  async submitCommand(args?: SubmitArgs | vscode.Uri): Promise<JobRef | undefined> {
    const picked = await this.scriptFrom(args);
    if (!picked) return undefined;
    const { document, options } = picked;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) {
      void vscode.window.showErrorMessage(`${path.basename(document.uri.fsPath)} is not in the workspace: only files of a workspace folder can be synced and submitted.`);
      return undefined;
    }
    const errors = vscode.languages.getDiagnostics(document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    if (errors.length > 0 && options.confirm !== false) {
      const answer = await vscode.window.showWarningMessage(
        `${path.basename(document.uri.fsPath)} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: line ${errors[0].range.start.line + 1}: ${errors[0].message}). Submit anyway?`,
        { modal: true },
        'Submit Anyway',
      );
      if (answer !== 'Submit Anyway') return undefined;
    }
    const cluster = await this.chooseCluster(options.cluster, 'Cluster to submit to');
    if (!cluster) return undefined;
    try {
      const submitted = await this.withSyncProgress(`Submitting ${path.basename(document.uri.fsPath)} to ${cluster}`, async (signal, onProgress, say) => {
        const workspace = await this.remoteWorkspace(folder, cluster, signal, (p) => {
          onProgress(p);
          if (p.phase === 'finishing') say('Running sbatch…');
        });
        return syncAndSubmit(workspace, document.uri.fsPath);
      });
      const ref: JobRef = { cluster, jobId: submitted.jobId };
      await this.remember({ cluster, jobId: submitted.jobId, script: document.uri.toString() });
      this.clusters.refresh(cluster);
      void this.clusters.revealJob(cluster, submitted.jobId).then(undefined, () => undefined);
      void vscode.window
        .showInformationMessage(`Submitted job ${submitted.jobId} to ${cluster} (${submitted.sync.uploaded.length} file${submitted.sync.uploaded.length === 1 ? '' : 's'} synced).`, 'Show Output')
        .then((choice) => (choice === 'Show Output' ? this.showOutputCommand(ref) : undefined));
      return ref;
    } catch (error) {
      if (isCancelled(error)) void vscode.window.showWarningMessage('Submission cancelled.');
      else void vscode.window.showErrorMessage(`Submitting to ${cluster} failed: ${(error as Error).message}`);
      if (args && !(args instanceof vscode.Uri)) throw error;
      return undefined;
    }
  }

  async validateCommand(args?: SubmitArgs | vscode.Uri): Promise<TestOnlyAnswer | undefined> {
    const picked = await this.scriptFrom(args);
    if (!picked) return undefined;
    const { document, options } = picked;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!folder) {
      void vscode.window.showErrorMessage('Only files of a workspace folder can be validated on a cluster (they are synced first).');
      return undefined;
    }
    const cluster = await this.chooseCluster(options.cluster, 'Cluster to validate on');
    if (!cluster) return undefined;
    try {
      const answer = await this.withSyncProgress(`Validating ${path.basename(document.uri.fsPath)} on ${cluster}`, async (signal, onProgress) =>
        syncAndTest(await this.remoteWorkspace(folder, cluster, signal, onProgress), document.uri.fsPath),
      );
      const text = document.getText();
      this.diagnostics.set(
        document.uri,
        answer.errors.map((message) => {
          const line = lineForError(text, message);
          const diagnostic = new vscode.Diagnostic(document.lineAt(Math.min(line, document.lineCount - 1)).range, `${cluster}: ${message}`, vscode.DiagnosticSeverity.Error);
          diagnostic.source = 'sbatch --test-only';
          return diagnostic;
        }),
      );
      if (answer.ok) {
        void vscode.window.showInformationMessage(`${cluster} would accept it: start ${answer.startTime ?? 'unknown'}${answer.nodes ? ` on ${answer.nodes}` : ''}${answer.partition ? ` in partition ${answer.partition}` : ''}.`);
      } else {
        void vscode.window.showErrorMessage(`${cluster} would refuse it: ${answer.errors.join('; ')}`);
      }
      return answer;
    } catch (error) {
      if (!isCancelled(error)) void vscode.window.showErrorMessage(`Validation on ${cluster} failed: ${(error as Error).message}`);
      if (args && !(args instanceof vscode.Uri)) throw error;
      return undefined;
    }
  }

  private async jobToShow(arg: unknown): Promise<JobRef | undefined> {
    const ref = asJobRef(arg);
    if (ref) return ref;
    const recent = this.submitted().slice(-10).reverse();
    if (recent.length === 0) {
      void vscode.window.showInformationMessage('Pick a job in the Jobs view (right-click → Show Job Output).');
      return undefined;
    }
    const choice = await vscode.window.showQuickPick(
      recent.map((r) => ({ label: `Job ${r.jobId}`, description: `${r.cluster} · ${path.basename(vscode.Uri.parse(r.script).fsPath)}`, ref: { cluster: r.cluster, jobId: r.jobId } })),
      { placeHolder: 'Job whose output to show' },
    );
    return choice?.ref;
  }

  async showOutputCommand(arg?: unknown): Promise<{ stdout: string; stderr?: string } | undefined> {
    const ref = await this.jobToShow(arg);
    if (!ref) return undefined;
    try {
      const connection = await this.clusters.connection(ref.cluster);
      const job = await readJob(connection, ref.jobId);
      if (!job) {
        void vscode.window.showWarningMessage(`Job ${ref.jobId} is no longer known to ${ref.cluster}'s controller, so its output files cannot be found. Use "Download Job Outputs" from the remote folder instead.`);
        return undefined;
      }
      const paths = outputPathsOf(job);
      const stdout = await this.outputs.open(ref.cluster, ref.jobId, paths.stdout);
      let stderr: vscode.Uri | undefined;
      if (paths.stderr !== paths.stdout) stderr = await this.outputs.open(ref.cluster, ref.jobId, paths.stderr, { preview: true });
      return { stdout: stdout.toString(), stderr: stderr?.toString() };
    } catch (error) {
      void vscode.window.showErrorMessage(`Cannot show the output of job ${ref.jobId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  async downloadCommand(arg?: DownloadArgs): Promise<string[] | undefined> {
    const ref = await this.jobToShow(arg);
    if (!ref) return undefined;
    const confirm = arg?.confirm !== false;
    try {
      const connection = await this.clusters.connection(ref.cluster);
      const transfer = await this.transferFor(connection);
      const job = await readJob(connection, ref.jobId);
      if (!job) throw new Error(`job ${ref.jobId} is no longer known to the controller`);
      const paths = outputPathsOf(job);
      const remoteFiles = new Set([paths.stdout, paths.stderr]);
      let glob = arg?.glob;
      if (glob === undefined && confirm) {
        glob = (await vscode.window.showInputBox({ prompt: `Besides the output files, also download files of job ${ref.jobId}'s folder matching (glob, optional):`, placeHolder: 'e.g. results/**/*.csv' }))?.trim() || undefined;
      }
      if (glob && job.workDir) {
        const picomatch = (await import('picomatch')).default;
        const matches = picomatch(glob, { dot: true });
        for (const file of await listRemoteFiles(transfer, job.workDir, 4, 5000)) if (matches(file)) remoteFiles.add(`${job.workDir}/${file}`);
      }
      const written: string[] = [];
      for (const remote of remoteFiles) {
        if (!(await transfer.stat(remote))) continue;
        const local = await this.localPathFor(ref.cluster, remote, ref.jobId);
        const temp = `${local}.hpcw-download`;
        await transfer.download(remote, temp);
        const [incoming, existing] = await Promise.all([fs.readFile(temp), fs.readFile(local).catch(() => undefined)]);
        if (existing && !existing.equals(incoming)) {
          let overwrite = arg?.overwrite === true;
          if (!overwrite && confirm) {
            const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(local)} differs from the copy on ${ref.cluster}. Replace the local file?`, { modal: true }, 'Replace', 'Keep Local');
            overwrite = answer === 'Replace';
          }
          if (!overwrite) {
            await fs.rm(temp, { force: true });
            continue;
          }
        }
        if (existing && existing.equals(incoming)) {
          await fs.rm(temp, { force: true });
          continue;
        }
        await fs.rename(temp, local);
        written.push(local);
      }
      void vscode.window.showInformationMessage(written.length > 0 ? `Downloaded ${written.length} file${written.length === 1 ? '' : 's'} of job ${ref.jobId}.` : `Nothing new to download for job ${ref.jobId}.`);
      return written;
    } catch (error) {
      void vscode.window.showErrorMessage(`Downloading the outputs of job ${ref.jobId} failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The same relative path as in the remote folder of a workspace folder; else `job-outputs/<job>/`. */
  private async localPathFor(cluster: string, remote: string, jobId: string): Promise<string> {
    const connection = await this.clusters.connection(cluster);
    const folders = vscode.workspace.workspaceFolders ?? [];
    for (const folder of folders) {
      const root = await connection.remoteDir(folder.name);
      if (remote.startsWith(`${root}/`)) return path.join(folder.uri.fsPath, ...remote.slice(root.length + 1).split('/'));
    }
    if (folders.length === 0) throw new Error('open a folder to download into');
    return path.join(folders[0].uri.fsPath, 'job-outputs', jobId, path.posix.basename(remote));
  }

  // --- jobs we submitted, and their end ---------------------------------------------------

  private submitted(): SubmittedRecord[] {
    return this.context.workspaceState.get<SubmittedRecord[]>(SUBMITTED_KEY, []);
  }

  private async remember(record: SubmittedRecord): Promise<void> {
    await this.context.workspaceState.update(SUBMITTED_KEY, [...this.submitted(), record].slice(-200));
  }

  private jobFinished(job: FinishedJob): void {
    const { text, severity } = describeJobEnd(job);
    const ours = this.submitted().find((r) => r.cluster === job.cluster && r.jobId === job.jobId);
    const actions = ours ? ['Show Output', 'Resubmit'] : ['Show Output'];
    const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`${text} (${job.cluster})`, ...actions).then((choice) => {
      if (choice === 'Show Output') void this.showOutputCommand({ cluster: job.cluster, jobId: job.jobId });
      if (choice === 'Resubmit' && ours) void this.submitCommand(vscode.Uri.parse(ours.script));
    });
  }

  dispose(): void {
    for (const disposable of this.disposables) disposable.dispose();
  }
}

/** Relative paths of files below `root` (breadth-first, bounded). */
async function listRemoteFiles(transfer: FileTransfer, root: string, maxDepth: number, maxFiles: number): Promise<string[]> {
  const files: string[] = [];
  let level = [''];
  for (let depth = 0; depth < maxDepth && level.length > 0 && files.length < maxFiles; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = (await transfer.readdir(dir ? `${root}/${dir}` : root)) ?? [];
      for (const entry of entries) {
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory) next.push(relative);
        else if (entry.isFile) files.push(relative);
      }
    }
    level = next;
  }
  return files.slice(0, maxFiles);
}

export function registerSubmission(context: vscode.ExtensionContext, clusters: ClusterService): void {
  const submission = new Submission(context, clusters);
  context.subscriptions.push(
    submission,
    vscode.commands.registerCommand('hpcWorkbench.syncWorkspace', (args?: SyncArgs | vscode.Uri) => submission.syncCommand(args)),
    vscode.commands.registerCommand('hpcWorkbench.submitJob', (args?: SubmitArgs | vscode.Uri) => submission.submitCommand(args)),
    vscode.commands.registerCommand('hpcWorkbench.validateOnCluster', (args?: SubmitArgs | vscode.Uri) => submission.validateCommand(args)),
    vscode.commands.registerCommand('hpcWorkbench.showJobOutput', (arg?: unknown) => submission.showOutputCommand(arg)),
    vscode.commands.registerCommand('hpcWorkbench.downloadOutputs', (arg?: DownloadArgs) => submission.downloadCommand(arg)),
  );
}
