/**
 * A cluster's operations on workspace folders: its file transfer (SFTP on the shared SSH
 * connection, reopened after a reconnection, or local files), sync and upload of a folder to its
 * remote copy, submission (a script file, or a script's text on stdin) and "will it start?"
 * (`sbatch --test-only` judged with the last snapshot's checks). `Cluster` delegates to it.
 */
import { readFile } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { throwIfCancelled } from '../core/errors';
import type { ClusterSnapshot } from '../core/cluster/snapshot';
import type { TestOnlyAnswer } from '../core/slurm/sbatchAnswers';
import type { StartVerdict } from '../core/slurm/startEstimate';
import type { FileTransfer } from '../transport/fileTransfer';
import { LocalFileTransfer } from '../transport/localFileTransfer';
import { SftpFileTransfer } from '../transport/sftpFileTransfer';
import { uploadFiles, type SyncSummary } from '../transport/sftpSync';
import type { ClusterConnection } from './connection';
import type { LocalFolder, TransferControl } from './clusterView';
import { estimateStart, type StartEstimate } from './startEstimate';
import { scriptPathInWorkspace, syncAndSubmit, syncAndSubmitText, syncWorkspace, type RemoteWorkspace, type Submitted } from './submit';

/** What the workspace operations need of their cluster. */
export interface WorkspaceHost {
  readonly connection: ClusterConnection;
  /** Connects if needed and starts watching. */
  ready(): Promise<void>;
  /** The last snapshot read, if any. */
  snapshot(): ClusterSnapshot | undefined;
  /** A job was submitted: refresh at once so views list it. */
  submitted(jobId: string): void;
}

export class WorkspaceOps {
  private readonly localTransfer = new LocalFileTransfer();
  private sftpTransfer: { sftp: SFTPWrapper; transfer: SftpFileTransfer } | undefined;
  /** Each remote root's folders at its last sync (see RemoteWorkspace.syncedFolders). */
  private readonly syncedFolders = new Map<string, readonly string[]>();

  constructor(private readonly host: WorkspaceHost) {}

  async transfer(): Promise<FileTransfer> {
    await this.host.ready();
    const sftp = await this.host.connection.sftp();
    if (!sftp) return this.localTransfer;
    if (this.sftpTransfer?.sftp !== sftp || !this.sftpTransfer.transfer.isOpen) {
      this.sftpTransfer = { sftp, transfer: new SftpFileTransfer(sftp, this.host.connection) };
    }
    return this.sftpTransfer.transfer;
  }

  async remoteDir(folderName: string): Promise<string> {
    await this.host.ready();
    return this.host.connection.remoteDir(folderName);
  }

  private async remoteWorkspace(folder: LocalFolder, control: TransferControl = {}): Promise<RemoteWorkspace> {
    return {
      runner: this.host.connection,
      transfer: await this.transfer(),
      localRoot: folder.root,
      remoteRoot: await this.remoteDir(folder.name),
      excludeGlobs: folder.excludeGlobs,
      syncedFolders: this.syncedFolders,
      signal: control.signal,
      onProgress: control.onProgress,
    };
  }

  async sync(folder: LocalFolder, control?: TransferControl): Promise<SyncSummary> {
    return (await syncWorkspace(await this.remoteWorkspace(folder, control))).summary;
  }

  async upload(folder: LocalFolder, files: readonly string[]): Promise<string[]> {
    return uploadFiles({ ...(await this.remoteWorkspace(folder)), files });
  }

  async submit(folder: LocalFolder, script: string, control?: TransferControl, extraArgs: readonly string[] = []): Promise<Submitted> {
    const submitted = await syncAndSubmit(await this.remoteWorkspace(folder, control), script, extraArgs);
    this.host.submitted(submitted.jobId);
    return submitted;
  }

  async submitText(folder: LocalFolder, scriptText: string, options: readonly string[] = [], control?: TransferControl): Promise<Omit<Submitted, 'script'>> {
    const submitted = await syncAndSubmitText(await this.remoteWorkspace(folder, control), scriptText, options);
    this.host.submitted(submitted.jobId);
    return submitted;
  }

  async validate(folder: LocalFolder, script: string, control?: TransferControl): Promise<TestOnlyAnswer & { verdict: StartVerdict }> {
    scriptPathInWorkspace(folder.root, script);
    const workspace = await this.remoteWorkspace(folder, control);
    await syncWorkspace(workspace);
    throwIfCancelled(control?.signal);
    const text = await readFile(script, 'utf8');
    const estimate = await estimateStart(this.host.connection, { text, remoteRoot: workspace.remoteRoot, localRoot: folder.root, snapshot: this.host.snapshot(), signal: control?.signal });
    return { ...estimate.answer, verdict: estimate.verdict };
  }

  async estimateStart(folder: LocalFolder | undefined, text: string, signal?: AbortSignal): Promise<StartEstimate> {
    await this.host.ready();
    const remoteRoot = folder ? await this.host.connection.remoteDir(folder.name) : '~';
    return estimateStart(this.host.connection, { text, remoteRoot, localRoot: folder?.root, snapshot: this.host.snapshot(), signal });
  }
}
