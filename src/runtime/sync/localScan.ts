/**
 * Builds the local manifest: walks the workspace folder, reading `.gitignore` files as it goes
 * (a folder's own `.gitignore` applies to its contents), and skips what the filter excludes
 * without descending into excluded folders. Symbolic links are followed when they point to
 * files inside or outside the tree (their content is what a job would read); links to folders
 * are not followed (no cycles).
 */
import { promises as fs, readdir, stat, type Dirent, type Stats } from 'node:fs';
import * as path from 'node:path';
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

// The callback API: about half the CPU per call of fs.promises here (1,000 stats: 8 ms against
// 18-20 ms), which is most of a sync after one change.
function statOf(target: string): Promise<Stats> {
  return new Promise((resolve, reject) => stat(target, (error, stats) => (error ? reject(error) : resolve(stats))));
}

function entriesOf(dir: string): Promise<Dirent[]> {
  return new Promise((resolve, reject) => readdir(dir, { withFileTypes: true }, (error, entries) => (error ? reject(error) : resolve(entries))));
}

export async function scanLocalTree(root: string, options: LocalScanOptions): Promise<Manifest> {
  const manifest = emptyManifest();
  const { filter, signal, onDir } = options;
  onDir?.('');

  async function walk(relativeDir: string): Promise<void> {
    throwIfCancelled(signal);
    const absoluteDir = relativeDir === '' ? root : path.join(root, relativeDir);
    const entries = await entriesOf(absoluteDir);
    if (filter.useGitignore && entries.some((entry) => entry.name === '.gitignore' && entry.isFile())) {
      filter.addGitignore(relativeDir, await fs.readFile(path.join(absoluteDir, '.gitignore'), 'utf8'));
    }
    const subdirs: string[] = [];
    await Promise.all(
      entries.map(async (entry) => {
        const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
        let isDirectory = entry.isDirectory();
        let isFile = entry.isFile();
        if (entry.isSymbolicLink()) {
          const target = await statOf(path.join(absoluteDir, entry.name)).catch(() => undefined);
          if (!target || target.isDirectory()) return; // dangling, or a folder link: skipped
          isFile = target.isFile();
          isDirectory = false;
        }
        if (!isDirectory && !isFile) return; // sockets, fifos, devices
        if (filter.excludes(relative, isDirectory)) return;
        if (isDirectory) {
          manifest.dirs.add(relative);
          subdirs.push(relative);
          onDir?.(relative);
          return;
        }
        const stats = await statOf(path.join(absoluteDir, entry.name));
        manifest.files.set(relative, { path: relative, size: stats.size, mtime: toSeconds(stats.mtimeMs), mode: stats.mode & 0o7777 });
      }),
    );
    // Children after the parent's .gitignore was read (it applies to them; siblings do not interact).
    await Promise.all(subdirs.map((subdir) => walk(subdir)));
  }

  await walk('');
  return manifest;
}
