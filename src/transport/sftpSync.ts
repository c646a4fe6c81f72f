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
 * remote output trees cost nothing. The folders the previous sync of this root had are listed at
 * once, in one `find` (the transfer's `listFolders`), while the local scan runs; any other folder
 * the scan finds is listed over SFTP as soon as it is found, in parallel on the one SFTP session
 * (RemoteTreeLister). The contents are read fresh either way: only which folders to read is
 * remembered.
 *
 * Small files go in bulk where the transfer can (one tar stream, then a rename per file; see
 * fileTransfer.ts), large ones one by one over SFTP at the same time (SFTP's pipelined writes
 * are faster than a stream through a remote process for big files).
 */
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { SyncFilter, type SyncFilterOptions } from '../core/sync/exclusion';
import { isTempName } from '../core/sync/tempName';
import { emptyManifest, joinRemote, normaliseRelative, toSeconds, type Manifest, type ManifestFile } from '../core/sync/manifest';
import { ancestorsOf, planSync, type SyncPlan } from '../core/sync/plan';
import { scanLocalTree } from '../runtime/sync/localScan';
import { CancelledError, throwIfCancelled } from '../core/errors';
import { TransferError, isStagingName, sha256OfFile, type BulkFile, type FileTransfer, type RemoteEntry } from './fileTransfer';

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
  /**
   * The folders (relative, '' the root) the previous sync of this root had (`syncTree`'s
   * `folders`): listed together in one round trip while the scan runs, where the transfer can.
   */
  knownFolders?: readonly string[];
  /** Remove remote files that do not exist locally (default false). */
  deleteRemote?: boolean;
  /** Files uploaded at the same time (default 16). */
  concurrency?: number;
  /**
   * Bulk upload (one tar stream) when at least this many small files are due (default 16);
   * fewer go one by one, which is as fast for a handful. Infinity turns the bulk path off.
   */
  bulkMinFiles?: number;
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
  /** Stale temporary files and staging folders (from an interrupted sync) removed. */
  removedTemporaries: number;
  /** Files that went in bulk (one tar stream) rather than one by one. */
  bulkFiles: number;
  durationMs: number;
}

export interface RemoteListing {
  manifest: Manifest;
  /** Relative paths of our temporary upload files found remotely. */
  temporaries: string[];
  /** Relative paths of bulk-upload staging folders left by an interrupted sync. */
  stagings: string[];
  /** Remote paths that are files where we have folders, or the reverse. */
  conflicts: string[];
}

/** Folders created at once (tiny requests: the more in flight, the fewer round trips). */
const MKDIRS_IN_FLIGHT = 64;

/** Folder listings in flight at once (each holds a handle on the SFTP server until it is read). */
const LISTINGS_IN_FLIGHT = 32;

/**
 * Lists the remote tree below `remoteRoot` while the local scan runs: each folder the scan keeps
 * is listed on the cluster as soon as the scan finds it, so the two cost about the slower of
 * them rather than their sum. The result is what listing after the scan gives: only folders the
 * local side has are read (large remote output trees cost nothing), and a folder counts only if
 * its parent's listing shows it as a folder (a file or a link there is a conflict, not a folder).
 *
 * Folders named in `knownFolders` (the previous sync's) are listed together at once in one
 * round trip where the transfer has `listFolders`; the scan's other folders go one by one over
 * SFTP, and so do the known ones if that one command fails.
 */
export class RemoteTreeLister {
  private readonly root: Promise<boolean>;
  private readonly listings = new Map<string, Promise<RemoteEntry[] | undefined>>();
  private readonly queue: (() => void)[] = [];
  private running = 0;
  private abandoned = false;
  /** The folders being listed together, and their answer (undefined: list them over SFTP). */
  private together: { dirs: Set<string>; listed: Promise<Map<string, RemoteEntry[]> | undefined> } | undefined;

  constructor(
    private readonly transfer: FileTransfer,
    private readonly remoteRoot: string,
    private readonly signal?: AbortSignal,
    knownFolders: readonly string[] = [],
  ) {
    this.root = transfer.stat(remoteRoot).then((entry) => entry?.isDirectory === true);
    this.root.catch(() => undefined); // awaited by rootIsFolder / finish
    if (transfer.listFolders && knownFolders.length > 0) {
      const dirs = new Set(['', ...knownFolders]);
      const listed = transfer.listFolders([...dirs].map((dir) => joinRemote(remoteRoot, dir)), signal).catch(() => undefined);
      this.together = { dirs, listed };
    }
  }

  /** Whether the remote root is a folder already (false: missing, or something else). */
  rootIsFolder(): Promise<boolean> {
    return this.root;
  }

  /** Lists this local folder's counterpart (soon: at most LISTINGS_IN_FLIGHT at a time). */
  add(relativeDir: string): void {
    if (this.listings.has(relativeDir) || this.abandoned || this.together?.dirs.has(relativeDir)) return;
    const listing = this.root.then((isFolder) => (isFolder ? this.limited(() => this.transfer.readdir(joinRemote(this.remoteRoot, relativeDir))) : undefined));
    listing.catch(() => undefined); // a folder whose parent says it is none: its error does not count
    this.listings.set(relativeDir, listing);
  }

  /** Starts no more listings (the scan failed): queued ones are refused, those in flight end on their own. */
  abandon(): void {
    this.abandoned = true;
    for (const run of this.queue.splice(0)) run();
  }

  private limited<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        this.running++;
        const settle = () => {
          this.running--;
          this.queue.shift()?.();
        };
        if (this.abandoned || this.signal?.aborted) {
          settle();
          return reject(new CancelledError());
        }
        task().then(
          (value) => {
            settle();
            resolve(value);
          },
          (error: unknown) => {
            settle();
            reject(error);
          },
        );
      };
      if (this.running < LISTINGS_IN_FLIGHT) run();
      else this.queue.push(run);
    });
  }

  /** The remote manifest for the scanned `local` tree (lists any folder not added yet). */
  async finish(local: Manifest): Promise<RemoteListing> {
    throwIfCancelled(this.signal);
    if (this.together) {
      const { dirs, listed } = this.together;
      const answer = await listed;
      throwIfCancelled(this.signal);
      this.together = undefined;
      // A folder the answer does not name is missing or empty there; one the scan no longer
      // has is left out; without an answer, `add` below lists them over SFTP.
      if (answer && (await this.root)) {
        for (const dir of dirs) if (dir === '' || local.dirs.has(dir)) this.listings.set(dir, Promise.resolve(answer.get(joinRemote(this.remoteRoot, dir)) ?? []));
      }
    }
    this.add('');
    for (const dir of local.dirs) this.add(dir);
    const listing: RemoteListing = { manifest: emptyManifest(), temporaries: [], stagings: [], conflicts: [] };
    // Parents first: a folder is read only when its parent's listing has it as a folder.
    const wanted = new Set<string>(['']);
    const depth = (dir: string) => (dir === '' ? 0 : dir.split('/').length);
    const order = [...this.listings.keys()].sort((a, b) => depth(a) - depth(b));
    for (const relativeDir of order) {
      if (!wanted.has(relativeDir)) continue;
      throwIfCancelled(this.signal);
      const entries = await this.listings.get(relativeDir)!;
      if (!entries) continue;
      for (const entry of entries) {
        const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
        if (entry.isFile && isTempName(entry.name)) {
          listing.temporaries.push(relative);
        } else if (entry.isDirectory && isStagingName(entry.name)) {
          listing.stagings.push(relative);
        } else if (entry.isDirectory) {
          listing.manifest.dirs.add(relative);
          if (local.files.has(relative)) listing.conflicts.push(relative);
          if (local.dirs.has(relative)) wanted.add(relative);
        } else if (entry.isFile) {
          listing.manifest.files.set(relative, { path: relative, size: entry.size, mtime: entry.mtime, mode: entry.mode });
          if (local.dirs.has(relative)) listing.conflicts.push(relative);
        }
      }
    }
    return listing;
  }
}

/** Lists the remote tree below `remoteRoot`, descending only into folders the local side has. */
export function listRemoteTree(transfer: FileTransfer, remoteRoot: string, local: Manifest, signal?: AbortSignal): Promise<RemoteListing> {
  return new RemoteTreeLister(transfer, remoteRoot, signal).finish(local);
}

/** Files up to this size may go in bulk; larger ones are faster over SFTP one by one. */
const BULK_MAX_FILE = 1024 * 1024;
/** A bulk batch holds at most this many files and bytes (the archive is built in memory). */
const BULK_BATCH_FILES = 4000;
const BULK_BATCH_BYTES = 64 * 1024 * 1024;

function* batches(files: readonly ManifestFile[]): Generator<ManifestFile[]> {
  let batch: ManifestFile[] = [];
  let bytes = 0;
  for (const file of files) {
    if (batch.length > 0 && (batch.length >= BULK_BATCH_FILES || bytes + file.size > BULK_BATCH_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += file.size;
  }
  if (batch.length > 0) yield batch;
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
export async function syncTree(options: SyncOptions): Promise<{ summary: SyncSummary; plan: SyncPlan; folders: string[] }> {
  const started = Date.now();
  const { transfer, remoteRoot, localRoot, signal } = options;
  const concurrency = Math.max(1, options.concurrency ?? 16);
  const progress: SyncProgress = { phase: 'scanning', filesDone: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
  const report = () => options.onProgress?.({ ...progress });
  report();

  const filter = new SyncFilter(options);
  // The remote listing runs alongside the scan, folder by folder as the scan finds them.
  const lister = new RemoteTreeLister(transfer, remoteRoot, signal, options.knownFolders);
  let local: Manifest;
  try {
    local = await scanLocalTree(localRoot, { filter, signal, onDir: (dir) => lister.add(dir) });
  } catch (error) {
    lister.abandon();
    throw error;
  }
  progress.phase = 'listing';
  report();

  if (!(await lister.rootIsFolder())) await transfer.mkdirp(remoteRoot);
  const listing = await lister.finish(local);
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
    bulkFiles: 0,
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

  // Folders, one depth level at a time (parents first), in parallel within a level. The bulk
  // archive is read, sent and unpacked meanwhile; its files move into place once they exist.
  const byDepth = new Map<number, string[]>();
  for (const dir of plan.mkdirs) {
    const depth = dir.split('/').length;
    byDepth.set(depth, [...(byDepth.get(depth) ?? []), dir]);
  }
  const dirsReady = (async () => {
    for (const depth of [...byDepth.keys()].sort((a, b) => a - b)) {
      await runPool(byDepth.get(depth)!, Math.max(concurrency, MKDIRS_IN_FLIGHT), signal, async (dir) => {
        await transfer.mkdir(joinRemote(remoteRoot, dir));
        summary.createdDirs++;
      });
    }
  })();
  dirsReady.catch(() => undefined); // awaited below

  let lastReport = 0;
  const done = (relative: string, size: number) => {
    progress.filesDone++;
    summary.uploaded.push(relative);
    summary.bytes += size;
    report();
  };
  const uploadOne = async (file: ManifestFile): Promise<void> => {
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
    done(file.path, file.size);
  };

  // Small files in bulk batches (one after the other), large ones one by one meanwhile.
  const small = transfer.uploadBulk ? uploads.filter((file) => file.size <= BULK_MAX_FILE) : [];
  const bulk = small.length >= (options.bulkMinFiles ?? 16) ? small : [];
  const inBulk = new Set(bulk);
  const single = uploads.filter((file) => !inBulk.has(file));
  const leftOver: ManifestFile[] = [];
  // The archive goes first, alone on the SFTP session (the server answers requests in order):
  // its unpacking and renames then run while the large files stream, rather than after them.
  let archiveSent!: () => void;
  const sent = new Promise<void>((resolve) => (archiveSent = resolve));
  const bulkPart = async (): Promise<void> => {
    for (const batch of batches(bulk)) {
      throwIfCancelled(signal);
      const byRemote = new Map<string, ManifestFile>();
      const files: BulkFile[] = batch.map((file) => {
        const remotePath = joinRemote(remoteRoot, file.path);
        byRemote.set(remotePath, file);
        return { localPath: path.join(localRoot, file.path), remotePath, mtime: file.mtime, mode: file.mode };
      });
      const result = await transfer.uploadBulk!(remoteRoot, files, {
        signal,
        placeAfter: dirsReady,
        onSent: archiveSent,
        onFile: (placed, bytes) => {
          progress.bytesDone += bytes;
          summary.bulkFiles++;
          done(byRemote.get(placed.remotePath)!.path, bytes);
        },
      });
      if (!result) leftOver.push(...batch);
      else leftOver.push(...result.left.map((file) => byRemote.get(file.remotePath)!));
    }
  };
  // Large files first so that the pool does not end waiting on one big transfer.
  single.sort((a, b) => b.size - a.size);
  const bulkDone = bulkPart().finally(archiveSent);
  const singleDone = dirsReady.then(() => (bulk.length > 0 ? sent : undefined)).then(() => runPool(single, concurrency, signal, uploadOne));
  const outcomes = await Promise.allSettled([bulkDone, singleDone]);
  await dirsReady; // its error first: the others only followed from it
  for (const outcome of outcomes) if (outcome.status === 'rejected') throw outcome.reason;
  // What the bulk path could not place (no tar on the cluster, a refused rename): one by one.
  await runPool(leftOver, concurrency, signal, uploadOne);

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
  for (const staging of listing.stagings) {
    if (!transfer.removeStaging) break;
    await transfer.removeStaging(joinRemote(remoteRoot, staging)).catch(() => undefined);
    summary.removedTemporaries++;
  }

  summary.uploaded.sort();
  summary.durationMs = Date.now() - started;
  return { summary, plan, folders: [...local.dirs] };
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
