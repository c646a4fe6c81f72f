/**
 * `hpcWorkbench.sync.onSave`: uploads files saved in the editor, and files changed on disk by
 * other programs (chokidar watching the workspace folders), to the cluster last synced to,
 * debounced, respecting the same exclusions as a full sync.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { watch, type FSWatcher } from 'chokidar';
import { SyncFilter } from '../../core/sync/exclusion';
import { onDidChangeSetting, settings } from '../settings';

export interface OnSaveTarget {
  /** The cluster to upload to, if any is known (last used, or the only one configured). */
  cluster(): string | undefined;
  upload(folder: vscode.WorkspaceFolder, cluster: string, files: string[]): Promise<string[]>;
  excludeGlobs(): string[];
}

const DEBOUNCE_MS = 400;

export class OnSaveUploader implements vscode.Disposable {
  private watchers: FSWatcher[] = [];
  private readonly pending = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private readonly disposables: vscode.Disposable[] = [];
  private enabled = false;
  /** Fired after each upload batch (tests wait on it). */
  private readonly uploaded = new vscode.EventEmitter<{ cluster: string; files: string[] }>();
  readonly onDidUpload = this.uploaded.event;

  constructor(private readonly target: OnSaveTarget) {
    this.disposables.push(
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (this.enabled && document.uri.scheme === 'file') this.queue(document.uri.fsPath);
      }),
      onDidChangeSetting(['sync'], () => this.configure()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.configure()),
    );
    this.configure();
  }

  private configure(): void {
    this.enabled = settings.syncOnSave();
    void Promise.all(this.watchers.map((watcher) => watcher.close()));
    this.watchers = [];
    if (!this.enabled) return;
    const filter = new SyncFilter({ excludeGlobs: this.target.excludeGlobs() });
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      if (folder.uri.scheme !== 'file') continue;
      const root = folder.uri.fsPath;
      const watcher = watch(root, {
        ignoreInitial: true,
        // Never even watch excluded folders (node_modules, .git...): .gitignore is applied on upload.
        ignored: (candidate: string, stats?: { isDirectory(): boolean }) => {
          const relative = path.relative(root, candidate).split(path.sep).join('/');
          if (relative === '' || relative.startsWith('..')) return false;
          return filter.excludes(relative, stats?.isDirectory() ?? false);
        },
        awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 },
      });
      watcher.on('add', (file) => this.queue(file));
      watcher.on('change', (file) => this.queue(file));
      watcher.on('error', () => undefined);
      this.watchers.push(watcher);
    }
  }

  private queue(file: string): void {
    const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file));
    if (!folder) return;
    const key = folder.uri.toString();
    if (!this.pending.has(key)) this.pending.set(key, new Set());
    this.pending.get(key)!.add(file);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.running.then(() => this.flush());
    }, DEBOUNCE_MS);
  }

  private async flush(): Promise<void> {
    const cluster = this.target.cluster();
    const batches = [...this.pending.entries()];
    this.pending.clear();
    if (!cluster) return;
    for (const [key, files] of batches) {
      const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === key);
      if (!folder) continue;
      try {
        const done = await this.target.upload(folder, cluster, [...files]);
        if (done.length > 0) {
          vscode.window.setStatusBarMessage(`$(cloud-upload) Uploaded ${done.length === 1 ? done[0] : `${done.length} files`} to ${cluster}`, 4000);
        }
        this.uploaded.fire({ cluster, files: done });
      } catch (error) {
        void vscode.window.showWarningMessage(`Upload on save to ${cluster} failed: ${(error as Error).message}`);
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    void Promise.all(this.watchers.map((watcher) => watcher.close()));
    this.uploaded.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}
