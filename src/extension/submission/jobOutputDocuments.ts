/**
 * Job output in read-only editors: a TextDocumentContentProvider for `hpc-job-output:` URIs
 * that follows the file live (`Cluster.followOutput`: bytes streamed on the cluster's connection as
 * they are written, tail only on open, the state from the regular refresh), with the job's state
 * in the first line, until the job has ended. Closing the document stops its stream.
 */
import * as vscode from 'vscode';
import type { FollowUpdate, OutputFollower } from '../../cluster';
import type { ClusterService } from '../services';

export const JOB_OUTPUT_SCHEME = 'hpc-job-output';

/** Characters kept per document; older text is dropped (the file itself stays on the cluster). */
const MAX_TEXT = 4 * 1024 * 1024;

interface Followed {
  cluster: string;
  jobId: string;
  path: string;
  follower?: OutputFollower;
  text: string;
  skippedBytes: number;
  dropped: number;
  state: string;
  exitCode?: string;
  missing: boolean;
  ended: boolean;
  error?: string;
  timer?: NodeJS.Timeout;
  starting: boolean;
  /** Removes the update listener. */
  off?: () => void;
  /** A render is scheduled (bursts of bytes render once per frame). */
  rendering?: NodeJS.Timeout;
}

export function jobOutputUri(cluster: string, jobId: string, remotePath: string): vscode.Uri {
  const name = remotePath.split('/').pop() || 'output';
  return vscode.Uri.from({
    scheme: JOB_OUTPUT_SCHEME,
    path: `/${cluster}/${jobId}/${name}`,
    query: new URLSearchParams({ cluster, job: jobId, path: remotePath }).toString(),
  });
}

export class JobOutputDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly followed = new Map<string, Followed>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly clusters: ClusterService) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(JOB_OUTPUT_SCHEME, this),
      // A poll that finishes while the document is still being opened fires a change VS Code
      // drops: render again once the document is open.
      vscode.workspace.onDidOpenTextDocument((document) => {
        if (document.uri.scheme === JOB_OUTPUT_SCHEME) setTimeout(() => this.changed.fire(document.uri), 0);
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme !== JOB_OUTPUT_SCHEME) return;
        const entry = this.followed.get(document.uri.toString());
        if (entry) this.forget(entry);
        this.followed.delete(document.uri.toString());
      }),
    );
  }

  /** Opens (or focuses) the live view of one output file. */
  async open(cluster: string, jobId: string, remotePath: string, options: { preview?: boolean; viewColumn?: vscode.ViewColumn } = {}): Promise<vscode.Uri> {
    const uri = jobOutputUri(cluster, jobId, remotePath);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { preview: options.preview ?? false, viewColumn: options.viewColumn });
    return uri;
  }

  /** The state of a followed document (tests and the status of a view). */
  status(uri: vscode.Uri): { state: string; ended: boolean; bytes: number } | undefined {
    const entry = this.followed.get(uri.toString());
    return entry && { state: entry.state, ended: entry.ended, bytes: entry.follower ? Buffer.byteLength(entry.text) + entry.skippedBytes + entry.dropped : 0 };
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const key = uri.toString();
    let entry = this.followed.get(key);
    if (!entry) {
      const query = new URLSearchParams(uri.query);
      entry = {
        cluster: query.get('cluster') ?? '',
        jobId: query.get('job') ?? '',
        path: query.get('path') ?? '',
        text: '',
        skippedBytes: 0,
        dropped: 0,
        state: 'connecting',
        missing: false,
        ended: false,
        starting: false,
      };
      this.followed.set(key, entry);
      void this.start(uri, entry);
    }
    return this.render(entry);
  }

  private render(entry: Followed): string {
    const state = entry.ended ? `${entry.state}${entry.exitCode ? ` (exit ${entry.exitCode})` : ''}, ended` : entry.state;
    const lines = [`# Job ${entry.jobId} on ${entry.cluster}: ${state} — ${entry.path}`];
    if (entry.skippedBytes + entry.dropped > 0) lines.push(`# (the first ${entry.skippedBytes + entry.dropped} bytes are not shown)`);
    if (entry.missing) lines.push(entry.ended ? '# (the job ended without creating this file)' : '# (the file does not exist yet)');
    if (entry.error) lines.push(`# ${entry.error}`);
    return `${lines.join('\n')}\n\n${entry.text}`;
  }

  private forget(entry: Followed): void {
    if (entry.timer) clearTimeout(entry.timer);
    if (entry.rendering) clearTimeout(entry.rendering);
    entry.off?.();
    entry.follower?.stop();
  }

  /** Starts following (retried every 5 s while the cluster cannot be reached); updates arrive as events. */
  private async start(uri: vscode.Uri, entry: Followed): Promise<void> {
    if (entry.starting || entry.follower || !this.followed.has(uri.toString())) return;
    entry.starting = true;
    try {
      const follower = await this.clusters.cluster(entry.cluster).followOutput(entry.jobId, entry.path);
      if (!this.followed.has(uri.toString())) {
        follower.stop();
        return;
      }
      entry.follower = follower;
      entry.error = undefined;
      entry.off = follower.onUpdate((update) => this.apply(uri, entry, update));
    } catch (error) {
      entry.error = `Could not follow the output: ${(error as Error).message} (retrying)`;
      entry.timer = setTimeout(() => void this.start(uri, entry), 5000);
    } finally {
      entry.starting = false;
    }
    this.changed.fire(uri);
  }

  private apply(uri: vscode.Uri, entry: Followed, update: FollowUpdate): void {
    entry.error = update.error;
    entry.state = update.state === 'UNKNOWN' && update.ended ? 'ENDED' : update.state;
    entry.exitCode = update.exitCode;
    entry.missing = update.missing;
    entry.ended = update.ended;
    entry.skippedBytes += update.skippedBytes;
    entry.text += update.text;
    if (entry.text.length > MAX_TEXT) {
      const cut = entry.text.length - MAX_TEXT;
      entry.dropped += Buffer.byteLength(entry.text.slice(0, cut));
      entry.text = entry.text.slice(cut);
    }
    if (update.ended) {
      entry.off?.();
      // The last update: make sure an editor that was still opening shows it.
      entry.timer = setTimeout(() => this.changed.fire(uri), 1000);
    }
    // Bytes arrive in bursts: one render per ~16 ms at most.
    entry.rendering ??= setTimeout(() => {
      entry.rendering = undefined;
      this.changed.fire(uri);
    }, 16);
  }

  dispose(): void {
    for (const entry of this.followed.values()) this.forget(entry);
    this.followed.clear();
    this.changed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
