/**
 * Builds the local manifest: walks the workspace folder, reading `.gitignore` files as it goes
 * (a folder's own `.gitignore` applies to its contents), and skips what the filter excludes
 * without descending into excluded folders. Symbolic links are followed when they point to
 * files inside or outside the tree (their content is what a job would read); links to folders
 * are not followed (no cycles). A file that is gone between its folder's listing and its stat
 * is simply not there.
 *
 * The file system is read with synchronous calls in slices of at most SLICE_MS, the event loop
 * let in between (so the remote listing's answers and the editor go on meanwhile). Measured on
 * 1,000 files in 100 folders: 7-9 ms a scan, where the same walk through libuv's thread pool
 * (callback or promise API, all of a folder's stats in flight at once) took 8-60 ms, its spread
 * from the pool's threads waiting for a core; the scan is most of a sync after one change.
 */
import { readFileSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { emptyManifest, toSeconds, type Manifest } from '../../core/sync/manifest';
import { SyncFilter } from '../../core/sync/exclusion';
import { throwIfCancelled } from '../../core/errors';

export interface LocalScanOptions {
  filter: SyncFilter;
  signal?: AbortSignal;
  /**
   * Called with each folder that is kept (the root first, as ''), as soon as it is found and
   * before its contents are read: the sync lists the same folder on the cluster meanwhile.
   */
  onDir?(relative: string): void;
}

/** The longest the scan keeps the event loop before letting it in (one stat may overrun it). */
const SLICE_MS = 4;

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The entry's stats (links followed), or undefined when it is gone. */
function statIfPresent(target: string): Stats | undefined {
  return statSync(target, { throwIfNoEntry: false });
}

export async function scanLocalTree(root: string, options: LocalScanOptions): Promise<Manifest> {
  const manifest = emptyManifest();
  const { filter, signal, onDir } = options;
  throwIfCancelled(signal);
  onDir?.('');
  // Parents before children (a folder's .gitignore applies to its contents; siblings do not interact).
  const folders: string[] = [''];
  let sliceEnd = performance.now() + SLICE_MS;
  const breathe = async () => {
    await yieldToEventLoop();
    throwIfCancelled(signal);
    sliceEnd = performance.now() + SLICE_MS;
  };

  for (let next = 0; next < folders.length; next++) {
    const relativeDir = folders[next];
    const absoluteDir = relativeDir === '' ? root : path.join(root, relativeDir);
    const entries: Dirent[] = readdirSync(absoluteDir, { withFileTypes: true });
    if (filter.useGitignore && entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      filter.addGitignore(relativeDir, readFileSync(path.join(absoluteDir, '.gitignore'), 'utf8'));
    }
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      let stats: Stats | undefined;
      if (entry.isSymbolicLink()) {
        stats = statIfPresent(path.join(absoluteDir, entry.name));
        if (!stats || stats.isDirectory()) continue; // dangling, or a folder link: skipped
        isFile = stats.isFile();
        isDirectory = false;
      }
      if (!isDirectory && !isFile) continue; // sockets, fifos, devices
      if (filter.excludes(relative, isDirectory)) continue;
      if (isDirectory) {
        manifest.dirs.add(relative);
        folders.push(relative);
        onDir?.(relative);
        continue;
      }
      stats ??= statIfPresent(path.join(absoluteDir, entry.name));
      if (stats) manifest.files.set(relative, { path: relative, size: stats.size, mtime: toSeconds(stats.mtimeMs), mode: stats.mode & 0o7777 });
      if (performance.now() > sliceEnd) await breathe();
    }
    if (performance.now() > sliceEnd) await breathe();
  }
  return manifest;
}
