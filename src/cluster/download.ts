/**
 * Downloading a job's files: its output files and, optionally, files of its folder matching a
 * glob. Each file is written to a temporary name beside its destination and renamed only when
 * complete (and only when it is new or the caller agrees to replace a differing local copy).
 */
import { promises as fs } from 'node:fs';
import type { FileTransfer } from '../transport/fileTransfer';

/** Relative paths of files below `root` (breadth-first, bounded). */
export async function listRemoteFiles(transfer: FileTransfer, root: string, maxDepth: number, maxFiles: number): Promise<string[]> {
  const files: string[] = [];
  let level = [''];
  for (let depth = 0; depth < maxDepth && level.length > 0 && files.length < maxFiles; depth++) {
    const next: string[] = [];
    for (const dir of level) {
      const entries = (await transfer.readdir(dir ? `${root}/${dir}` : root)) ?? [];
      for (const entry of entries) {
        const relative = dir ? `${dir}/${entry.name}` : entry.name;
        if (entry.isDirectory) next.push(relative);
        else if (entry.isFile) files.push(relative);
      }
    }
    level = next;
  }
  return files.slice(0, maxFiles);
}

export type DownloadOutcome = 'written' | 'unchanged' | 'kept-local' | 'missing';

/**
 * Downloads one remote file to `local`. When a different local copy exists, `replace()` decides;
 * the local file is never left half-written.
 */
export async function downloadFile(transfer: FileTransfer, remote: string, local: string, replace: () => Promise<boolean>): Promise<DownloadOutcome> {
  if (!(await transfer.stat(remote))) return 'missing';
  const temp = `${local}.hpcw-download`;
  await transfer.download(remote, temp);
  const [incoming, existing] = await Promise.all([fs.readFile(temp), fs.readFile(local).catch(() => undefined)]);
  if (existing && existing.equals(incoming)) {
    await fs.rm(temp, { force: true });
    return 'unchanged';
  }
  if (existing && !(await replace())) {
    await fs.rm(temp, { force: true });
    return 'kept-local';
  }
  await fs.rename(temp, local);
  return 'written';
}
