/**
 * Sync planning: compare the local manifest with the remote one and decide what to do.
 * Pure: no I/O. The executor (src/transport/sftpSync.ts) carries the plan out.
 *
 * Rules:
 * - a file missing remotely, or with another size, is uploaded;
 * - a file with the same size and mtime is skipped (after we upload we set the remote mtime to
 *   the local one, so the next comparison is cheap);
 * - same size, different mtime: the content may be equal (a `git checkout`, a `touch`): when the
 *   executor can hash both sides it compares hashes and only fixes the mtime; otherwise uploads;
 * - executable bits that differ are fixed (chmod) without an upload;
 * - folders missing remotely are created, parents first;
 * - nothing remote is removed unless `deleteRemote` is set (then files and folders that do not
 *   exist locally are removed, deepest first) — remote-only files usually are job outputs.
 */
import { parentDir, type Manifest, type ManifestFile } from './manifest';

export interface SyncPlanOptions {
  /** Remove remote files and folders that do not exist locally (default false). */
  deleteRemote?: boolean;
}

export interface PlannedUpload {
  file: ManifestFile;
  reason: 'new' | 'size' | 'content';
}

export interface PlannedModeChange {
  path: string;
  mode: number;
}

export interface SyncPlan {
  /** Folders to create, parents before children. */
  mkdirs: string[];
  uploads: PlannedUpload[];
  /** Same size, different mtime: hash both sides, upload only if they differ. */
  verify: ManifestFile[];
  /** Same content, only permission bits differ. */
  chmods: PlannedModeChange[];
  /** Remote-only files (removed only with deleteRemote). */
  remoteOnly: string[];
  /** Removals to perform (files first, then folders deepest first); empty unless deleteRemote. */
  deletes: { path: string; isDirectory: boolean }[];
  unchanged: number;
  /** Bytes the uploads will send (verify entries not counted). */
  uploadBytes: number;
}

/** The bits we keep in sync: user/group/other rwx (not setuid & co). */
const MODE_BITS = 0o777;

export function planSync(local: Manifest, remote: Manifest, options: SyncPlanOptions = {}): SyncPlan {
  const plan: SyncPlan = { mkdirs: [], uploads: [], verify: [], chmods: [], remoteOnly: [], deletes: [], unchanged: 0, uploadBytes: 0 };

  const needed = new Set<string>();
  for (const dir of local.dirs) if (!remote.dirs.has(dir)) needed.add(dir);
  // A remote *file* where we need a folder (or the reverse) is an error the executor reports.
  plan.mkdirs = [...needed].sort(compareParentsFirst);

  const sortedFiles = [...local.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sortedFiles) {
    const other = remote.files.get(file.path);
    if (!other) {
      plan.uploads.push({ file, reason: 'new' });
      plan.uploadBytes += file.size;
    } else if (other.size !== file.size) {
      plan.uploads.push({ file, reason: 'size' });
      plan.uploadBytes += file.size;
    } else if (other.mtime !== file.mtime) {
      plan.verify.push(file);
    } else if ((other.mode & MODE_BITS) !== (file.mode & MODE_BITS)) {
      plan.chmods.push({ path: file.path, mode: file.mode & MODE_BITS });
    } else {
      plan.unchanged++;
    }
  }

  for (const path of remote.files.keys()) if (!local.files.has(path)) plan.remoteOnly.push(path);
  plan.remoteOnly.sort();
  if (options.deleteRemote) {
    for (const path of plan.remoteOnly) plan.deletes.push({ path, isDirectory: false });
    const dirs = [...remote.dirs].filter((dir) => !local.dirs.has(dir)).sort(compareParentsFirst).reverse();
    for (const path of dirs) plan.deletes.push({ path, isDirectory: true });
  }
  return plan;
}

/** Sort order that puts every folder after its parent. */
function compareParentsFirst(a: string, b: string): number {
  const depth = (path: string) => path.split('/').length;
  return depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Folders that must exist for these paths (all ancestors), parents first. */
export function ancestorsOf(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let dir = parentDir(path); dir !== ''; dir = parentDir(dir)) dirs.add(dir);
  }
  return [...dirs].sort(compareParentsFirst);
}
