/**
 * Show Job Output (live documents, jobOutputDocuments.ts) and Download Job Outputs (the output
 * files, and files of the job's folder matching a glob, into the matching workspace path).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { downloadFile, listRemoteFiles, type Cluster } from '../../cluster';
import { registerCommand } from '../commands';
import type { ClusterService, JobRef } from '../services';
import type { ExtensionState } from '../state';
import { JobOutputDocuments } from './jobOutputDocuments';

interface DownloadArgs extends Partial<JobRef> {
  /** Also download files below the job's folder matching this glob. */
  glob?: string;
  /** false: never ask; a local file that differs is then kept unless `overwrite` is true. */
  confirm?: boolean;
  overwrite?: boolean;
}

function asJobRef(value: unknown): JobRef | undefined {
  const ref = value as Partial<JobRef> | undefined;
  return ref && typeof ref.cluster === 'string' && typeof ref.jobId === 'string' ? { cluster: ref.cluster, jobId: ref.jobId } : undefined;
}

/** The same relative path as in the remote folder of a workspace folder; else `job-outputs/<job>/`. */
async function localPathFor(cluster: Cluster, remote: string, jobId: string): Promise<string> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  for (const folder of folders) {
    const root = await cluster.remoteDir(folder.name);
    if (remote.startsWith(`${root}/`)) return path.join(folder.uri.fsPath, ...remote.slice(root.length + 1).split('/'));
  }
  if (folders.length === 0) throw new Error('open a folder to download into');
  return path.join(folders[0].uri.fsPath, 'job-outputs', jobId, path.posix.basename(remote));
}

export function registerOutputCommands(context: vscode.ExtensionContext, clusters: ClusterService, state: ExtensionState): { showOutput(ref: JobRef): Promise<unknown> } {
  const outputs = new JobOutputDocuments(clusters);
  context.subscriptions.push(outputs);

  /** The job given, else one picked from the jobs submitted from this workspace. */
  async function jobToShow(arg: unknown): Promise<JobRef | undefined> {
    const ref = asJobRef(arg);
    if (ref) return ref;
    const recent = state.submitted().slice(-10).reverse();
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

  async function showOutput(arg: unknown): Promise<{ stdout: string; stderr?: string } | undefined> {
    const ref = await jobToShow(arg);
    if (!ref) return undefined;
    const paths = await clusters.cluster(ref.cluster).outputPaths(ref.jobId);
    if (!paths) {
      void vscode.window.showWarningMessage(
        `Job ${ref.jobId} is no longer known to ${ref.cluster}'s controller, so its output files cannot be found. Use "Download Job Outputs" from the remote folder instead.`,
      );
      return undefined;
    }
    const stdout = await outputs.open(ref.cluster, ref.jobId, paths.stdout);
    let stderr: vscode.Uri | undefined;
    if (paths.stderr !== paths.stdout) stderr = await outputs.open(ref.cluster, ref.jobId, paths.stderr, { preview: true });
    return { stdout: stdout.toString(), stderr: stderr?.toString() };
  }

  async function download(arg: DownloadArgs | undefined): Promise<string[] | undefined> {
    const ref = await jobToShow(arg);
    if (!ref) return undefined;
    const confirm = arg?.confirm !== false;
    const cluster = clusters.cluster(ref.cluster);
    const transfer = await cluster.transfer();
    const paths = await cluster.outputPaths(ref.jobId);
    if (!paths) throw new Error(`job ${ref.jobId} is no longer known to the controller`);
    const remoteFiles = new Set([paths.stdout, paths.stderr]);
    let glob = arg?.glob;
    if (glob === undefined && confirm) {
      glob =
        (await vscode.window.showInputBox({ prompt: `Besides the output files, also download files of job ${ref.jobId}'s folder matching (glob, optional):`, placeHolder: 'e.g. results/**/*.csv' }))?.trim() ||
        undefined;
    }
    if (glob && paths.workDir) {
      const picomatch = (await import('picomatch')).default;
      const matches = picomatch(glob, { dot: true });
      for (const file of await listRemoteFiles(transfer, paths.workDir, 4, 5000)) if (matches(file)) remoteFiles.add(`${paths.workDir}/${file}`);
    }
    const written: string[] = [];
    for (const remote of remoteFiles) {
      const local = await localPathFor(cluster, remote, ref.jobId);
      const outcome = await downloadFile(transfer, remote, local, async () => {
        if (arg?.overwrite === true) return true;
        if (!confirm) return false;
        const answer = await vscode.window.showWarningMessage(`${vscode.workspace.asRelativePath(local)} differs from the copy on ${ref.cluster}. Replace the local file?`, { modal: true }, 'Replace', 'Keep Local');
        return answer === 'Replace';
      });
      if (outcome === 'written') written.push(local);
    }
    void vscode.window.showInformationMessage(written.length > 0 ? `Downloaded ${written.length} file${written.length === 1 ? '' : 's'} of job ${ref.jobId}.` : `Nothing new to download for job ${ref.jobId}.`);
    return written;
  }

  // Both report their failure and resolve to undefined, also when called from code.
  const never = { rethrow: () => false };
  registerCommand(
    context,
    'hpcWorkbench.showJobOutput',
    (call, arg) => {
      call.doing = `Showing the output of job ${asJobRef(arg)?.jobId ?? ''}`.trimEnd();
      return showOutput(arg);
    },
    never,
  );
  registerCommand(
    context,
    'hpcWorkbench.downloadOutputs',
    (call, arg) => {
      call.doing = `Downloading the outputs of job ${asJobRef(arg)?.jobId ?? ''}`.trimEnd();
      return download(arg as DownloadArgs | undefined);
    },
    never,
  );
  return { showOutput: (ref) => showOutput(ref) };
}
