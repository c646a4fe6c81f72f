/** Sync progress in a cancellable notification, and the one-line summary of a sync. */
import * as vscode from 'vscode';
import type { SyncProgress, SyncSummary, TransferControl } from '../../cluster';

export function formatBytes(bytes: number): string {
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

/**
 * Runs `work` under a cancellable progress notification that shows sync progress; `say` shows a
 * message of the work's own (e.g. "Running sbatch…").
 */
export function withSyncProgress<T>(title: string, work: (control: Required<TransferControl>, say: (message: string) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    let lastFraction = 0;
    const onProgress = (p: SyncProgress): void => {
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
      return await work({ signal: controller.signal, onProgress }, (message) => progress.report({ message }));
    } finally {
      subscription.dispose();
    }
  });
}
