/**
 * Builds the local manifest: walks the workspace folder, reading `.gitignore` files as it goes
 * (a folder's own `.gitignore` applies to its contents), and skips what the filter excludes
 * without descending into excluded folders. Symbolic links are followed when they point to
 * files inside or outside the tree (their content is what a job would read); links to folders
 * are not followed (no cycles).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { emptyManifest, toSeconds, type Manifest } from './manifest';
import { SyncFilter } from './exclusion';
import { throwIfCancelled } from '../errors';

export interface LocalScanOptions {
  filter: SyncFilter;
  signal?: AbortSignal;
}

export async function scanLocalTree(root: string, options: LocalScanOptions): Promise<Manifest> {
  const manifest = emptyManifest();
  const { filter, signal } = options;

  async function walk(relativeDir: string): Promise<void> {
    throwIfCancelled(signal);
    const absoluteDir = relativeDir === '' ? root : path.join(root, relativeDir);
    const entries = await fs.readdir(absoluteDir, { withFileTypes: true });
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
          const target = await fs.stat(path.join(absoluteDir, entry.name)).catch(() => undefined);
          if (!target || target.isDirectory()) return; // dangling, or a folder link: skipped
          isFile = target.isFile();
          isDirectory = false;
        }
        if (!isDirectory && !isFile) return; // sockets, fifos, devices
        if (filter.excludes(relative, isDirectory)) return;
        if (isDirectory) {
          manifest.dirs.add(relative);
          subdirs.push(relative);
          return;
        }
        const stat = await fs.stat(path.join(absoluteDir, entry.name));
        manifest.files.set(relative, { path: relative, size: stat.size, mtime: toSeconds(stat.mtimeMs), mode: stat.mode & 0o7777 });
      }),
    );
    // Children after the parent's .gitignore was read (it applies to them; siblings do not interact).
    await Promise.all(subdirs.map((subdir) => walk(subdir)));
  }

  await walk('');
  return manifest;
}
