/**
 * Job output in read-only editors: a TextDocumentContentProvider for `hpc-job-output:` URIs
 * that follows the file live (OutputFollower: incremental reads from the last offset, tail only
 * on open), with the job's state in the first line, until the job has ended.
 */
import * as vscode from 'vscode';
import type { OutputFollower } from '../../cluster';
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
  polling: boolean;
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
        if (entry?.timer) clearTimeout(entry.timer);
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
        polling: false,
      };
      this.followed.set(key, entry);
      void this.poll(uri, entry);
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

  private async poll(uri: vscode.Uri, entry: Followed): Promise<void> {
    if (entry.polling || entry.ended || !this.followed.has(uri.toString())) return;
    entry.polling = true;
    let delay = 1000;
    try {
      if (!entry.follower) {
        entry.follower = await this.clusters.cluster(entry.cluster).followOutput(entry.jobId, entry.path);
      }
      const update = await entry.follower.poll();
      entry.error = undefined;
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
      if (update.state === 'PENDING') delay = 3000;
    } catch (error) {
      entry.error = `Could not read the output: ${(error as Error).message} (retrying)`;
      delay = 5000;
    } finally {
      entry.polling = false;
    }
    this.changed.fire(uri);
    if (!entry.ended && this.followed.has(uri.toString())) {
      entry.timer = setTimeout(() => void this.poll(uri, entry), delay);
    } else if (entry.ended) {
      // The last update: make sure an editor that was still opening shows it.
      entry.timer = setTimeout(() => this.changed.fire(uri), 1000);
    }
  }

  dispose(): void {
    for (const entry of this.followed.values()) if (entry.timer) clearTimeout(entry.timer);
    this.followed.clear();
    this.changed.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
