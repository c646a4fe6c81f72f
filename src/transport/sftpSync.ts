/**
 * Carries out a sync: scan the local folder, list the remote one, plan (src/core/sync/plan.ts),
 * then create folders, upload in parallel (atomically, see fileTransfer.ts), fix modes, and
 * remove our stale temporary files.
 *
 * Remote state comes from one listing of the remote tree per sync, not from a manifest file
 * we would write after each sync: jobs change the remote folder between syncs (outputs,
 * edited inputs, a `git pull` on the login node), so a stored manifest could claim a file is
 * up to date when it is not, and we would have to stat every file anyway to catch that.
 * The listing only descends into folders that exist locally and are not excluded, so large
 * remote output trees cost nothing; folder listings run in parallel on the one SFTP session.
 */
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { SyncFilter, type SyncFilterOptions } from '../core/sync/exclusion';
import { isTempName } from '../core/sync/tempName';
import { emptyManifest, joinRemote, normaliseRelative, toSeconds, type Manifest, type ManifestFile } from '../core/sync/manifest';
import { ancestorsOf, planSync, type SyncPlan } from '../core/sync/plan';
import { scanLocalTree } from '../core/sync/localScan';
import { CancelledError, throwIfCancelled } from '../core/errors';
import { TransferError, sha256OfFile, type FileTransfer } from './fileTransfer';

export interface SyncProgress {
  phase: 'scanning' | 'listing' | 'uploading' | 'finishing';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface SyncOptions extends SyncFilterOptions {
  localRoot: string;
  remoteRoot: string;
  transfer: FileTransfer;
  /** Remove remote files that do not exist locally (default false). */
  deleteRemote?: boolean;
  /** Files uploaded at the same time (default 16). */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?(progress: SyncProgress): void;
}

export interface SyncSummary {
  /** Files uploaded. */
  uploaded: string[];
  bytes: number;
  unchanged: number;
  /** Same content found by hashing; only the mtime was fixed. */
  sameContent: number;
  modeChanges: number;
  createdDirs: number;
  deleted: number;
  /** Stale temporary files (from an interrupted sync) removed. */
  removedTemporaries: number;
  durationMs: number;
}

export interface RemoteListing {
  manifest: Manifest;
  /** Relative paths of our temporary upload files found remotely. */
  temporaries: string[];
  /** Remote paths that are files where we have folders, or the reverse. */
  conflicts: string[];
}

/** Lists the remote tree below `remoteRoot`, descending only into folders the local side has. */
export async function listRemoteTree(transfer: FileTransfer, remoteRoot: string, local: Manifest, signal?: AbortSignal): Promise<RemoteListing> {
  const listing: RemoteListing = { manifest: emptyManifest(), temporaries: [], conflicts: [] };
  async function walk(relativeDir: string): Promise<void> {
    throwIfCancelled(signal);
    const entries = await transfer.readdir(joinRemote(remoteRoot, relativeDir));
    if (!entries) return;
    const subdirs: string[] = [];
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isFile && isTempName(entry.name)) {
        listing.temporaries.push(relative);
      } else if (entry.isDirectory) {
        listing.manifest.dirs.add(relative);
        if (local.files.has(relative)) listing.conflicts.push(relative);
        if (local.dirs.has(relative)) subdirs.push(relative);
      } else if (entry.isFile) {
        listing.manifest.files.set(relative, { path: relative, size: entry.size, mtime: entry.mtime, mode: entry.mode });
        if (local.dirs.has(relative)) listing.conflicts.push(relative);
      }
    }
    await Promise.all(subdirs.map((dir) => walk(dir)));
  }
  await walk('');
  return listing;
}

/** Runs `tasks` with at most `limit` at a time; stops starting new ones after the first failure. */
async function runPool<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  async function worker(): Promise<void> {
    while (failure === undefined && next < items.length) {
      if (signal?.aborted) {
        failure ??= new CancelledError();
        return;
      }
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, () => worker()));
  if (failure !== undefined) throw failure;
}

/**
 * Synchronises `localRoot` to `remoteRoot`. Throws a TransferError with a clear message on failure,
 * a CancelledError when `signal` fires (no file is left half-written).
 */
export async function syncTree(options: SyncOptions): Promise<{ summary: SyncSummary; plan: SyncPlan }> {
  const started = Date.now();
  const { transfer, remoteRoot, localRoot, signal } = options;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const progress: SyncProgress = { phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const filter = new SyncFilter(options);
  const local = await scanLocalTree(localRoot, { filter, signal });
  progress.phase = 'listing';
  report();

  await transfer.mkdirp(remoteRoot);
  const listing = await listRemoteTree(transfer, remoteRoot, local, signal);
  if (listing.conflicts.length > 0) {
    const first = listing.conflicts[0];
    throw new TransferError(
      `Cannot sync: ${joinRemote(remoteRoot, first)} is a ${local.dirs.has(first) ? 'file' : 'folder'} on the cluster but a ${local.dirs.has(first) ? 'folder' : 'file'} locally.`,
      'failure',
      first,
    );
  }
  const plan = planSync(local, listing.manifest, { deleteRemote: options.deleteRemote });
  const summary: SyncSummary = {
    uploaded: [],
    bytes: 0,
    unchanged: plan.unchanged,
    sameContent: 0,
    modeChanges: 0,
    createdDirs: 0,
    deleted: 0,
    removedTemporaries: 0,
    durationMs: 0,
  };

  // Same size, other mtime: compare content hashes when both sides can hash; else upload.
  const uploads: ManifestFile[] = plan.uploads.map((upload) => upload.file);
  if (plan.verify.length > 0) {
    const remoteHashes = transfer.hashFiles ? await transfer.hashFiles(remoteRoot, plan.verify.map((file) => file.path)).catch(() => new Map<string, string>()) : new Map<string, string>();
    for (const file of plan.verify) {
      const remoteHash = remoteHashes.get(file.path);
      const localHash = remoteHash ? await sha256OfFile(path.join(localRoot, file.path)).catch(() => undefined) : undefined;
      if (remoteHash && localHash === remoteHash) {
        await transfer.setAttributes(joinRemote(remoteRoot, file.path), { mtime: file.mtime, mode: file.mode });
        summary.sameContent++;
      } else {
        uploads.push(file);
      }
    }
  }

  progress.phase = 'uploading';
  progress.filesTotal = uploads.length;
  progress.bytesTotal = uploads.reduce((sum, file) => sum + file.size, 0);
  report();

  // Folders, one depth level at a time (parents first), in parallel within a level.
  const byDepth = new Map<number, string[]>();
  for (const dir of plan.mkdirs) {
    const depth = dir.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), dir]);
  }
  for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
    await runPool(byDepth.get(depth)!, concurrency, signal, async (dir) => {
      await transfer.mkdir(joinRemote(remoteRoot, dir));
      summary.createdDirs++;
    });
  }

  // Large files first so that the pool does not end waiting on one big transfer.
  uploads.sort((a, b) => b.size - a.size);
  let lastReport = 0;
  await runPool(uploads, concurrency, signal, async (file) => {
    await transfer.uploadFile(path.join(localRoot, file.path), joinRemote(remoteRoot, file.path), {
      mtime: file.mtime,
      mode: file.mode,
      signal,
      onBytes: (bytes) => {
        progress.bytesDone += bytes;
        const now = Date.now();
        if (now - lastReport > 100) {
          lastReport = now;
          report();
        }
      },
    });
    progress.filesDone++;
    summary.uploaded.push(file.path);
    summary.bytes += file.size;
    report();
  });

  progress.phase = 'finishing';
  report();
  await runPool(plan.chmods, concurrency, signal, async (change) => {
    await transfer.setAttributes(joinRemote(remoteRoot, change.path), { mode: change.mode });
    summary.modeChanges++;
  });
  for (const removal of plan.deletes) {
    throwIfCancelled(signal);
    const target = joinRemote(remoteRoot, removal.path);
    if (removal.isDirectory) await transfer.rmdir(target);
    else await transfer.unlink(target);
    summary.deleted++;
  }
  await runPool(listing.temporaries, concurrency, signal, async (temporary) => {
    await transfer.unlink(joinRemote(remoteRoot, temporary)).catch(() => undefined);
    summary.removedTemporaries++;
  });

  summary.uploaded.sort();
  summary.durationMs = Date.now() - started;
  return { summary, plan };
}

export interface UploadFilesOptions extends SyncFilterOptions {
  localRoot: string;
  remoteRoot: string;
  transfer: FileTransfer;
  /** Paths relative to localRoot (or absolute paths inside it). */
  files: readonly string[];
  concurrency?: number;
  signal?: AbortSignal;
}

/**
 * Uploads a few named files (saved in the editor, changed on disk) without listing the tree:
 * excluded paths (defaults, globs, `.gitignore` files along the path) are skipped, missing
 * folders created. Returns the relative paths uploaded.
 */
export async function uploadFiles(options: UploadFilesOptions): Promise<string[]> {
  const { transfer, localRoot, remoteRoot } = options;
  const filter = new SyncFilter(options);
  const loadedGitignores = new Set<string>();
  const wanted: ManifestFile[] = [];
  for (const given of options.files) {
    const relative = normaliseRelative(path.isAbsolute(given) ? path.relative(localRoot, given) : given);
    if (relative === '') continue;
    if (await isExcluded(filter, localRoot, relative, loadedGitignores)) continue;
    const stat = await fs.stat(path.join(localRoot, relative)).catch(() => undefined);
    if (!stat?.isFile()) continue;
    wanted.push({ path: relative, size: stat.size, mtime: toSeconds(stat.mtimeMs), mode: stat.mode & 0o7777 });
  }
  if (wanted.length === 0) return [];
  await transfer.mkdirp(remoteRoot);
  for (const dir of ancestorsOf(wanted.map((file) => file.path))) {
    const existing = await transfer.stat(joinRemote(remoteRoot, dir));
    if (!existing?.isDirectory) await transfer.mkdir(joinRemote(remoteRoot, dir));
  }
  const uploaded: string[] = [];
  await runPool(wanted, Math.max(1, options.concurrency ?? 8), options.signal, async (file) => {
    await transfer.uploadFile(path.join(localRoot, file.path), joinRemote(remoteRoot, file.path), { mtime: file.mtime, mode: file.mode, signal: options.signal });
    uploaded.push(file.path);
  });
  return uploaded.sort();
}

/** Whether a single path is excluded, reading the `.gitignore` files of its ancestors. */
export async function isExcluded(filter: SyncFilter, localRoot: string, relative: string, loaded = new Set<string>()): Promise<boolean> {
  const segments = relative.split('/');
  for (let depth = 0; depth < segments.length; depth++) {
    const dir = segments.slice(0, depth).join('/');
    if (depth > 0 && filter.excludes(dir, true)) return true;
    if (filter.useGitignore && !loaded.has(dir)) {
      loaded.add(dir);
      const text = await fs.readFile(path.join(localRoot, dir, '.gitignore'), 'utf8').catch(() => undefined);
      if (text !== undefined) filter.addGitignore(dir, text);
    }
  }
  return filter.excludes(relative, false);
}
