/**
 * File operations on a cluster's filesystem, as the sync engine, the output follower and the
 * downloader need them. Two implementations:
 * - `SftpFileTransfer`: an ssh2 `SFTPWrapper` on the cluster's shared SSH connection. We use
 *   ssh2's SFTP session directly rather than `ssh2-sftp-client`: that library always creates
 *   and connects its own `Client` (one more TCP connection and login, possibly another
 *   password/OTP prompt) and has no supported way to adopt an existing session; it also offers
 *   neither posix-rename nor pipelined open/write/setstat/close, which atomic uploads need.
 * - `LocalFileTransfer`: the local filesystem, for clusters with transport "local" (VS Code
 *   already runs on the login node).
 *
 * Uploads are atomic: the bytes go to a temporary name in the target folder
 * (`.<name>.hpcw-tmp-<random>`, core/sync/tempName.ts), the mode and mtime are set on it, and
 * only then is it renamed over the final path (posix-rename@openssh.com over SFTP, which replaces
 * an existing file in one step). A job never sees a half-written file; a cut connection leaves at
 * most a temporary file, which the next sync removes. A fired AbortSignal rejects with core's
 * CancelledError.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { asCancelledError, isCancelled } from '../core/errors';
import { tempNameFor, isTempName } from '../core/sync/tempName';
import type { RemoteEntry } from '../core/sync/folderListing';

export type { RemoteEntry };

export interface UploadOptions {
  /** Modification time to set, whole seconds. */
  mtime: number;
  /** Permission bits to set. */
  mode: number;
  signal?: AbortSignal;
  /** Called as bytes are acknowledged by the remote side. */
  onBytes?(bytes: number): void;
}

/** One file of a bulk upload. */
export interface BulkFile {
  localPath: string;
  remotePath: string;
  /** Whole seconds. */
  mtime: number;
  mode: number;
}

export interface BulkUploadOptions {
  signal?: AbortSignal;
  /** Called when a file is in place, with its size. */
  onFile?(file: BulkFile, bytes: number): void;
  /**
   * Settles when the files' folders exist (the caller creates them meanwhile): the archive is
   * sent and unpacked before, the files are moved into place after. A rejection ends the upload.
   */
  placeAfter?: Promise<void>;
  /** Called once the archive is on the cluster (before it is unpacked), or the path gave up. */
  onSent?(): void;
}

export interface BulkUploadResult {
  /** Files now at their final paths. */
  placed: BulkFile[];
  /** Files the bulk path could not place (e.g. a rename across filesystems): upload them one by one. */
  left: BulkFile[];
}

export interface ReadResult {
  data: Buffer;
  /** The file's size when it was read. */
  size: number;
}

export interface FileTransfer {
  readonly kind: 'sftp' | 'local';
  /** Entries of a folder (without `.` and `..`); undefined when the folder does not exist. */
  readdir(dir: string): Promise<RemoteEntry[] | undefined>;
  /** undefined when nothing exists at `target`. */
  stat(target: string): Promise<RemoteEntry | undefined>;
  /** Creates one folder; succeeds when it already exists as a folder. */
  mkdir(dir: string): Promise<void>;
  /** Creates a folder and its missing parents. */
  mkdirp(dir: string): Promise<void>;
  /** Atomic upload (temporary name + rename), with mode and mtime preserved. */
  uploadFile(localPath: string, remotePath: string, options: UploadOptions): Promise<void>;
  setAttributes(target: string, attributes: { mtime?: number; mode?: number }): Promise<void>;
  unlink(target: string): Promise<void>;
  rmdir(dir: string): Promise<void>;
  /** Reads at most `length` bytes from `offset`. */
  read(target: string, offset: number, length: number): Promise<ReadResult>;
  /** Downloads to a temporary local file and renames it over `localPath`. */
  download(remotePath: string, localPath: string, signal?: AbortSignal): Promise<void>;
  /**
   * Lists several folders in one round trip (each folder's entries; absent: missing or empty).
   * Undefined when this transfer cannot do it here (or `signal` fired): list them one by one
   * with `readdir` then.
   */
  listFolders?(folders: readonly string[], signal?: AbortSignal): Promise<Map<string, RemoteEntry[]> | undefined>;
  /** SHA-256 of files below `root` (relative paths); files it cannot hash are left out. */
  hashFiles?(root: string, relativePaths: readonly string[]): Promise<Map<string, string>>;
  /**
   * Uploads many small files at once through a private staging folder created inside
   * `stagingParent` (on the same filesystem as the targets), each renamed into place.
   * Resolves undefined when this transfer cannot (no tar on the cluster): use `uploadFile`.
   */
  uploadBulk?(stagingParent: string, files: readonly BulkFile[], options?: BulkUploadOptions): Promise<BulkUploadResult | undefined>;
  /** Removes a staging folder left by an interrupted bulk upload (a name `isStagingName` accepts). */
  removeStaging?(dir: string): Promise<void>;
}

const STAGING = 'stage';

/** The name of a fresh bulk-upload staging folder (a temporary name: skipped and cleaned by syncs). */
export function stagingFolderName(): string {
  return tempNameFor(STAGING);
}

/** An error with a message for people; `code` says what kind. A cancellation is a CancelledError instead. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly code: 'permission' | 'no-such-file' | 'no-space' | 'failure' | 'connection',
    readonly path?: string,
  ) {
    super(message);
    this.name = 'TransferError';
  }
}

/** Whether a folder name is one of our bulk-upload staging folders (`stagingFolderName`). */
export function isStagingName(name: string): boolean {
  return name.startsWith(`.${STAGING}.`) && isTempName(name);
}

/** Where to write `finalPath` before renaming it there: a temporary name (core/sync/tempName) in the same folder. */
export function temporaryNameFor(finalPath: string): string {
  const dir = path.posix.dirname(finalPath);
  const temp = tempNameFor(path.posix.basename(finalPath));
  return dir === '.' && !finalPath.startsWith('./') ? temp : `${dir}/${temp}`;
}

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const SFTP_NO_SUCH_FILE = 2;
const SFTP_PERMISSION_DENIED = 3;
const SFTP_FAILURE = 4;

/** The error to show for a failed file operation (a cancellation stays a CancelledError). */
export function describe(error: unknown, operation: string, target: string): Error {
  if (error instanceof TransferError) return error;
  const err = error as { code?: unknown; message?: string; name?: string };
  if (isCancelled(error)) return asCancelledError(error) as Error;
  const message = err?.message ?? String(error);
  if (err?.code === SFTP_PERMISSION_DENIED || err?.code === 'EACCES' || err?.code === 'EPERM' || err?.code === 'EROFS') {
    return new TransferError(`Cannot ${operation} ${target} on the cluster: permission denied (is the folder read-only?).`, 'permission', target);
  }
  if (err?.code === SFTP_NO_SUCH_FILE || err?.code === 'ENOENT') {
    return new TransferError(`Cannot ${operation} ${target}: no such file or folder.`, 'no-such-file', target);
  }
  if (err?.code === 'ENOSPC' || err?.code === 'EDQUOT') {
    return new TransferError(`Cannot ${operation} ${target}: no space left on the device or quota exceeded.`, 'no-space', target);
  }
  if (err?.code === SFTP_FAILURE && operation === 'write') {
    return new TransferError(`Cannot write ${target} on the cluster: the write failed (disk full or quota exceeded?).`, 'no-space', target);
  }
  if (/No response from server|Not connected|ECONNRESET|channel|closed|ended|lost/i.test(message) && typeof err?.code !== 'number') {
    return new TransferError(`The connection to the cluster was lost while trying to ${operation} ${target}: ${message}`, 'connection', target);
  }
  return new TransferError(`Cannot ${operation} ${target}: ${message}`, 'failure', target);
}

/** Parses `sha256sum` output; names it had to escape (backslash lines) are left out. */
export function parseSha256sum(output: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.*)$/.exec(line);
    if (match) hashes.set(match[2], match[1]);
  }
  return hashes;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
