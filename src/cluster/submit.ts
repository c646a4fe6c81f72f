/**
 * Sync + `sbatch`, without the editor: the commands in index.ts add the UI around these, and
 * the integration tests call them directly. No vscode import.
 */
import * as path from 'node:path';
import { throwIfCancelled } from '../core/errors';
import type { CommandRunner } from '../core/transport';
import type { FileTransfer } from '../transport/fileTransfer';
import { syncTree, type SyncProgress, type SyncSummary } from '../transport/sftpSync';
import { parseParsableJobId, parseTestOnly, type TestOnlyAnswer } from '../core/slurm/sbatchAnswers';

export interface RemoteWorkspace {
  runner: CommandRunner;
  transfer: FileTransfer;
  /** The local workspace folder. */
  localRoot: string;
  /** Its remote copy (absolute). */
  remoteRoot: string;
  excludeGlobs?: readonly string[];
  /**
   * The folders each remote root's last sync had, kept by the caller between syncs: they are
   * listed in one round trip while the next sync scans (only which folders to read is kept).
   */
  syncedFolders?: Map<string, readonly string[]>;
  signal?: AbortSignal;
  onProgress?(progress: SyncProgress): void;
}

/** The script's path relative to the workspace folder, with `/` separators; throws if outside. */
export function scriptPathInWorkspace(localRoot: string, script: string): string {
  const relative = path.relative(localRoot, script);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new Error(`${script} is not inside the workspace folder ${localRoot}: only files of the synced folder can be submitted.`);
  }
  return relative.split(path.sep).join('/');
}

export async function syncWorkspace(workspace: RemoteWorkspace): Promise<{ summary: SyncSummary }> {
  const { summary, folders } = await syncTree({
    localRoot: workspace.localRoot,
    remoteRoot: workspace.remoteRoot,
    transfer: workspace.transfer,
    excludeGlobs: workspace.excludeGlobs,
    knownFolders: workspace.syncedFolders?.get(workspace.remoteRoot),
    signal: workspace.signal,
    onProgress: workspace.onProgress,
  });
  workspace.syncedFolders?.set(workspace.remoteRoot, folders);
  return { summary };
}

export interface Submitted {
  jobId: string;
  /** Set when sbatch printed `id;cluster` (federations, -M). */
  slurmCluster?: string;
  sync: SyncSummary;
  /** The script path relative to the remote folder. */
  script: string;
}

/** Syncs, then runs `sbatch --parsable <script>` in the remote folder. */
export async function syncAndSubmit(workspace: RemoteWorkspace, script: string, extraArgs: readonly string[] = []): Promise<Submitted> {
  const relative = scriptPathInWorkspace(workspace.localRoot, script);
  const { summary } = await syncWorkspace(workspace);
  throwIfCancelled(workspace.signal);
  const result = await workspace.runner.exec(['sbatch', '--parsable', ...extraArgs, relative], { cwd: workspace.remoteRoot, timeoutMs: 60_000 });
  const parsed = result.code === 0 ? parseParsableJobId(result.stdout) : undefined;
  if (!parsed) {
    const why = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
    throw new Error(`sbatch refused ${relative}: ${why.replace(/^sbatch: error: /gm, '')}`);
  }
  return { jobId: parsed.jobId, slurmCluster: parsed.cluster, sync: summary, script: relative };
}

/**
 * Syncs, then runs `sbatch --parsable [options]` in the remote folder with the script on standard
 * input (a notebook's `%%sbatch` cell: the script is text, not a file of the workspace).
 */
export async function syncAndSubmitText(workspace: RemoteWorkspace, scriptText: string, options: readonly string[] = []): Promise<Omit<Submitted, 'script'>> {
  const { summary } = await syncWorkspace(workspace);
  throwIfCancelled(workspace.signal);
  const result = await workspace.runner.exec(['sbatch', '--parsable', ...options], { cwd: workspace.remoteRoot, stdin: scriptText, timeoutMs: 60_000 });
  const parsed = result.code === 0 ? parseParsableJobId(result.stdout) : undefined;
  if (!parsed) {
    const why = result.stderr.trim() || result.stdout.trim() || `exit code ${result.code}`;
    throw new Error(`sbatch refused the script: ${why.replace(/^sbatch: error: /gm, '')}`);
  }
  return { jobId: parsed.jobId, slurmCluster: parsed.cluster, sync: summary };
}

/** Syncs, then runs `sbatch --test-only <script>` in the remote folder. */
export async function syncAndTest(workspace: RemoteWorkspace, script: string): Promise<TestOnlyAnswer> {
  const relative = scriptPathInWorkspace(workspace.localRoot, script);
  await syncWorkspace(workspace);
  const result = await workspace.runner.exec(['sbatch', '--test-only', relative], { cwd: workspace.remoteRoot, timeoutMs: 60_000 });
  return parseTestOnly(`${result.stderr}\n${result.stdout}`, result.code);
}
