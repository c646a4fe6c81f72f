/**
 * Several remote folders listed in one command instead of one SFTP readdir each: GNU find with
 * `-maxdepth 1` on each folder, every entry as it is (no link followed: what SFTP's readdir
 * reports with lstat), NUL-separated fields so that any name survives. One round trip for a
 * workspace's folders; the SFTP listing stays the fallback where find cannot do this (BusyBox
 * and BSD find have no -printf) or where it reports anything but a missing folder.
 */

/** Per entry: the folder as given, the name, then "type size mtime mode" (find's `\\0`: a NUL). */
const FORMAT = '%H\\0%f\\0%y %s %T@ %m\\0';

/** At most this many bytes of folder paths in one command line (well below ARG_MAX). */
const FOLDER_LISTING_MAX_ARG_BYTES = 64 * 1024;

/** `folders` split into runs of at most `maxBytes` of operands each (one find per run). */
export function folderListingBatches(folders: readonly string[], maxBytes = FOLDER_LISTING_MAX_ARG_BYTES): string[][] {
  const batches: string[][] = [];
  let batch: string[] = [];
  let bytes = 0;
  for (const folder of folders) {
    const size = Buffer.byteLength(findOperand(folder)) + 1;
    if (batch.length > 0 && bytes + size > maxBytes) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(folder);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * A file or folder on the cluster: as a folder's listing gives it (links not followed), or as a
 * stat of one path does (followed).
 */
export interface RemoteEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
  size: number;
  /** Whole seconds. */
  mtime: number;
  /** Permission bits (mode & 0o7777). */
  mode: number;
}

/**
 * The argument a folder is given to find as: relative paths start with `./` so that none is
 * read as an option; `~` and `~/x` are relative to the login's home (the command's folder).
 */
export function findOperand(folder: string): string {
  if (folder === '~') return '.';
  if (folder.startsWith('~/')) return `./${folder.slice(2)}`;
  return folder.startsWith('/') ? folder : `./${folder}`;
}

/** The argv that lists `folders` (-H: a folder given that is a link, like the root, is followed). */
export function folderListingArgv(folders: readonly string[]): string[] {
  return ['find', '-H', ...folders.map(findOperand), '-mindepth', '1', '-maxdepth', '1', '-printf', FORMAT];
}

/**
 * find's answer: each folder's entries (absent: missing, or empty). Undefined when find could not
 * do it (no -printf, unreadable folder...): anything on stderr but "No such file or directory".
 */
export function parseFolderListing(
  folders: readonly string[],
  result: { code: number | null; stdout: string; stderr: string },
): Map<string, RemoteEntry[]> | undefined {
  if (result.code === null) return undefined;
  const complaints = result.stderr.split('\n').filter((line) => line.trim() !== '' && !/: No such file or directory$/.test(line));
  if (complaints.length > 0 || (result.code !== 0 && result.stderr.trim() === '')) return undefined;
  const byOperand = new Map(folders.map((folder) => [findOperand(folder), folder]));
  const out = new Map<string, RemoteEntry[]>();
  const fields = result.stdout.split('\0');
  // Three fields per entry, the last one ending with its own NUL (an empty string at the end).
  if ((fields.length - 1) % 3 !== 0 || fields[fields.length - 1] !== '') return undefined;
  for (let i = 0; i + 2 < fields.length; i += 3) {
    const folder = byOperand.get(fields[i]);
    const meta = /^(\S) (\d+) (\d+)(?:\.\d+)? ([0-7]+)$/.exec(fields[i + 2]);
    if (folder === undefined || !meta || fields[i + 1] === '' || fields[i + 1].includes('/')) return undefined;
    const entry: RemoteEntry = {
      name: fields[i + 1],
      isDirectory: meta[1] === 'd',
      isFile: meta[1] === 'f',
      size: Number(meta[2]),
      mtime: Number(meta[3]),
      mode: parseInt(meta[4], 8) & 0o7777,
    };
    let list = out.get(folder);
    if (!list) out.set(folder, (list = []));
    list.push(entry);
  }
  return out;
}
