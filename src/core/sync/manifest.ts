/**
 * A manifest is what we know about one side of a sync: every file and folder below the root,
 * by relative POSIX path, with size, modification time (whole seconds, as SFTP carries it) and
 * permission bits.
 */

export interface ManifestFile {
  /** Relative POSIX path, no leading `./` or `/`. */
  path: string;
  size: number;
  /** Modification time in whole seconds since the epoch. */
  mtime: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
}

export interface Manifest {
  files: Map<string, ManifestFile>;
  /** Relative paths of folders (not including the root ''). */
  dirs: Set<string>;
}

export function emptyManifest(): Manifest {
  return { files: new Map(), dirs: new Set() };
}

/** Whole seconds from a millisecond timestamp (what SFTP and `utimes` in seconds keep). */
export function toSeconds(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000);
}

/** The parent folder of a relative path ('' for top-level entries). */
export function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** Joins a root and a relative POSIX path. */
export function joinRemote(root: string, relative: string): string {
  if (relative === '') return root;
  return root.endsWith('/') ? `${root}${relative}` : `${root}/${relative}`;
}

/** Normalises a relative path given by a user or an OS API (backslashes, `./`, duplicate `/`). */
export function normaliseRelative(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw new Error(`Path leaves the synced folder: ${path}`);
  return parts.join('/');
}
