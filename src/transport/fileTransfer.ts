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
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SFTPWrapper, Stats, InputAttributes } from 'ssh2';
import { asCancelledError, isCancelled, throwIfCancelled } from '../core/errors';
import { tempNameFor } from '../core/sync/tempName';
import type { CommandRunner } from '../core/transport';

export interface RemoteEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
  size: number;
  /** Whole seconds. */
  mtime: number;
  mode: number;
}

export interface UploadOptions {
  /** Modification time to set, whole seconds. */
  mtime: number;
  /** Permission bits to set. */
  mode: number;
  signal?: AbortSignal;
  /** Called as bytes are acknowledged by the remote side. */
  onBytes?(bytes: number): void;
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
  /** SHA-256 of files below `root` (relative paths); files it cannot hash are left out. */
  hashFiles?(root: string, relativePaths: readonly string[]): Promise<Map<string, string>>;
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

function describe(error: unknown, operation: string, target: string): Error {
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
  if (/No response from server|Not connected|ECONNRESET|channel|closed|ended/i.test(message) && typeof err?.code !== 'number') {
    return new TransferError(`The connection to the cluster was lost while trying to ${operation} ${target}: ${message}`, 'connection', target);
  }
  return new TransferError(`Cannot ${operation} ${target}: ${message}`, 'failure', target);
}

function entryFromStats(name: string, attrs: Stats): RemoteEntry {
  return {
    name,
    isDirectory: attrs.isDirectory(),
    isFile: attrs.isFile(),
    size: attrs.size,
    mtime: attrs.mtime,
    mode: attrs.mode & 0o7777,
  };
}

const CHUNK = 64 * 1024;
const IN_FLIGHT = 16;
/** Files up to this size are read into memory in one go. */
const SMALL_FILE = 1024 * 1024;

/** File operations over one SFTP session (shared SSH connection). */
export class SftpFileTransfer implements FileTransfer {
  readonly kind = 'sftp' as const;

  /**
   * @param sftp the session (`ClusterConnection.sftp()` / `SshTransport.sftp()`)
   * @param runner runs commands on the same host (used for `sha256sum`); optional
   */
  /** Set when the session ended; every later call fails at once. */
  private closed: TransferError | undefined;
  /** Rejecters of calls in flight: ssh2 does not always answer them when the connection drops. */
  private readonly inflight = new Set<(error: Error) => void>();

  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly runner?: CommandRunner,
  ) {
    const onClose = () => {
      this.closed ??= new TransferError('The connection to the cluster was lost (the SFTP session closed).', 'connection');
      for (const reject of [...this.inflight]) reject(this.closed);
      this.inflight.clear();
    };
    sftp.once('close', onClose);
    sftp.once('end', onClose);
  }

  /** False once the session has closed (get a new one from the connection). */
  get isOpen(): boolean {
    return this.closed === undefined;
  }

  private call<T>(operation: string, target: string, start: (callback: (error: Error | undefined | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closed) return reject(this.closed);
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        this.inflight.delete(fail);
        reject(error);
      };
      this.inflight.add(fail);
      try {
        start((error, value) => {
          if (settled) return;
          if (error) return fail(describe(error, operation, target));
          settled = true;
          this.inflight.delete(fail);
          resolve(value as T);
        });
      } catch (error) {
        fail(describe(error, operation, target));
      }
    });
  }

  /** SFTP resolves relative paths against the login folder; `~/x` means the same. */
  private static local(target: string): string {
    if (target === '~') return '.';
    return target.startsWith('~/') ? target.slice(2) : target;
  }

  async readdir(dir: string): Promise<RemoteEntry[] | undefined> {
    const target = SftpFileTransfer.local(dir);
    try {
      const list = await this.call<{ filename: string; attrs: Stats }[]>('list', dir, (cb) => this.sftp.readdir(target, cb));
      return list.filter((item) => item.filename !== '.' && item.filename !== '..').map((item) => entryFromStats(item.filename, item.attrs));
    } catch (error) {
      if (error instanceof TransferError && error.code === 'no-such-file') return undefined;
      throw error;
    }
  }

  async stat(target: string): Promise<RemoteEntry | undefined> {
    try {
      const attrs = await this.call<Stats>('read', target, (cb) => this.sftp.stat(SftpFileTransfer.local(target), cb));
      return entryFromStats(path.posix.basename(target), attrs);
    } catch (error) {
      if (error instanceof TransferError && error.code === 'no-such-file') return undefined;
      throw error;
    }
  }

  async mkdir(dir: string): Promise<void> {
    try {
      await this.call<void>('create folder', dir, (cb) => this.sftp.mkdir(SftpFileTransfer.local(dir), cb));
    } catch (error) {
      // OpenSSH answers FAILURE when the folder exists.
      const existing = await this.stat(dir).catch(() => undefined);
      if (existing?.isDirectory) return;
      throw error;
    }
  }

  async mkdirp(dir: string): Promise<void> {
    const existing = await this.stat(dir);
    if (existing?.isDirectory) return;
    if (existing) throw new TransferError(`Cannot create folder ${dir}: a file is in the way.`, 'failure', dir);
    const parent = path.posix.dirname(dir);
    if (parent !== dir && parent !== '.' && parent !== '/' && parent !== '~') await this.mkdirp(parent);
    await this.mkdir(dir);
  }

  async uploadFile(localPath: string, remotePath: string, options: UploadOptions): Promise<void> {
    throwIfCancelled(options.signal);
    const finalPath = SftpFileTransfer.local(remotePath);
    const tempPath = temporaryNameFor(finalPath);
    // Small files are read whole (one local read); large ones in chunks as the writes drain.
    const stat = await fs.stat(localPath);
    const whole = stat.size <= SMALL_FILE ? await fs.readFile(localPath) : undefined;
    const source = whole ? undefined : await fs.open(localPath, 'r');
    let handle: Buffer | undefined;
    let renamed = false;
    try {
      const mode = options.mode & 0o7777;
      handle = await this.call<Buffer>('write', remotePath, (cb) => this.sftp.open(tempPath, 'w', { mode }, cb));
      const openHandle = handle;
      // Pipelined: the server handles requests in order, so writes, setstat and close go out
      // without waiting for each other; only the rename waits for the close to succeed.
      const pending = new Set<Promise<void>>();
      let failure: unknown;
      let position = 0;
      for (;;) {
        if (failure) break;
        if (options.signal?.aborted) break;
        let buffer: Buffer;
        let bytesRead: number;
        if (whole) {
          buffer = whole.subarray(position, position + CHUNK);
          bytesRead = buffer.length;
        } else {
          buffer = Buffer.allocUnsafe(CHUNK);
          bytesRead = (await source!.read(buffer, 0, CHUNK, position)).bytesRead;
        }
        if (bytesRead === 0) break;
        const at = position;
        position += bytesRead;
        const write = this.call<void>('write', remotePath, (cb) => this.sftp.write(openHandle, buffer, 0, bytesRead, at, cb)).then(
          () => options.onBytes?.(bytesRead),
          (error: unknown) => {
            failure ??= error;
          },
        );
        pending.add(write);
        void write.finally(() => pending.delete(write));
        if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      }
      const attributes: InputAttributes = { mode, atime: options.mtime, mtime: options.mtime };
      const setstat = this.call<void>('write', remotePath, (cb) => this.sftp.fsetstat(openHandle, attributes, cb));
      const close = this.call<void>('write', remotePath, (cb) => this.sftp.close(openHandle, cb));
      handle = undefined;
      await Promise.all(pending);
      const results = await Promise.allSettled([setstat, close]);
      if (failure) throw failure;
      throwIfCancelled(options.signal);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
      await this.rename(tempPath, finalPath, remotePath);
      renamed = true;
    } catch (error) {
      throw describe(error, 'write', remotePath);
    } finally {
      await source?.close();
      if (handle) await this.call<void>('write', remotePath, (cb) => this.sftp.close(handle!, cb)).catch(() => undefined);
      if (!renamed) await this.call<void>('remove', tempPath, (cb) => this.sftp.unlink(tempPath, cb)).catch(() => undefined);
    }
  }

  private async rename(from: string, to: string, shown: string): Promise<void> {
    const extensions = (this.sftp as unknown as { _extensions?: Record<string, string> })._extensions ?? {};
    if (extensions['posix-rename@openssh.com'] === '1') {
      await this.call<void>('write', shown, (cb) => this.sftp.ext_openssh_rename(from, to, cb));
      return;
    }
    // Plain SFTP rename refuses an existing target: remove it first (a short window without the file).
    try {
      await this.call<void>('write', shown, (cb) => this.sftp.rename(from, to, cb));
    } catch {
      await this.call<void>('write', shown, (cb) => this.sftp.unlink(to, cb)).catch(() => undefined);
      await this.call<void>('write', shown, (cb) => this.sftp.rename(from, to, cb));
    }
  }

  async setAttributes(target: string, attributes: { mtime?: number; mode?: number }): Promise<void> {
    const attrs: InputAttributes = {};
    if (attributes.mode !== undefined) attrs.mode = attributes.mode & 0o7777;
    if (attributes.mtime !== undefined) {
      attrs.atime = attributes.mtime;
      attrs.mtime = attributes.mtime;
    }
    await this.call<void>('change', target, (cb) => this.sftp.setstat(SftpFileTransfer.local(target), attrs, cb));
  }

  async unlink(target: string): Promise<void> {
    await this.call<void>('remove', target, (cb) => this.sftp.unlink(SftpFileTransfer.local(target), cb));
  }

  async rmdir(dir: string): Promise<void> {
    await this.call<void>('remove folder', dir, (cb) => this.sftp.rmdir(SftpFileTransfer.local(dir), cb));
  }

  async read(target: string, offset: number, length: number): Promise<ReadResult> {
    const remote = SftpFileTransfer.local(target);
    const handle = await this.call<Buffer>('read', target, (cb) => this.sftp.open(remote, 'r', cb));
    try {
      const attrs = await this.call<Stats>('read', target, (cb) => this.sftp.fstat(handle, cb));
      const wanted = Math.max(0, Math.min(length, attrs.size - offset));
      const data = Buffer.alloc(wanted);
      let filled = 0;
      while (filled < wanted) {
        const got = await this.call<number>('read', target, (cb) =>
          this.sftp.read(handle, data, filled, wanted - filled, offset + filled, (error, bytesRead) => cb(error, bytesRead)),
        );
        if (!got) break;
        filled += got;
      }
      return { data: data.subarray(0, filled), size: attrs.size };
    } finally {
      await this.call<void>('read', target, (cb) => this.sftp.close(handle, cb)).catch(() => undefined);
    }
  }

  async download(remotePath: string, localPath: string, signal?: AbortSignal): Promise<void> {
    throwIfCancelled(signal);
    const temp = temporaryNameFor(localPath);
    await fs.mkdir(path.dirname(localPath), { recursive: true });
    try {
      await this.call<void>('download', remotePath, (cb) => this.sftp.fastGet(SftpFileTransfer.local(remotePath), temp, {}, cb));
      throwIfCancelled(signal);
      await fs.rename(temp, localPath);
    } finally {
      await fs.rm(temp, { force: true });
    }
  }

  async hashFiles(root: string, relativePaths: readonly string[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    if (!this.runner || relativePaths.length === 0) return hashes;
    for (let start = 0; start < relativePaths.length; start += 200) {
      const batch = relativePaths.slice(start, start + 200);
      const result = await this.runner.exec(['sha256sum', '--', ...batch], { cwd: root });
      for (const [file, hash] of parseSha256sum(result.stdout)) hashes.set(file, hash);
    }
    return hashes;
  }
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

/** The same operations on the local filesystem (transport "local"). */
export class LocalFileTransfer implements FileTransfer {
  readonly kind = 'local' as const;

  private static resolve(target: string): string {
    if (target === '~') return process.env.HOME ?? '/';
    return target.startsWith('~/') ? path.join(process.env.HOME ?? '/', target.slice(2)) : target;
  }

  async readdir(dir: string): Promise<RemoteEntry[] | undefined> {
    const absolute = LocalFileTransfer.resolve(dir);
    let names: string[];
    try {
      names = await fs.readdir(absolute);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw describe(error, 'list', dir);
    }
    const entries = await Promise.all(names.map((name) => this.stat(path.join(absolute, name))));
    return entries.filter((entry): entry is RemoteEntry => entry !== undefined);
  }

  async stat(target: string): Promise<RemoteEntry | undefined> {
    try {
      const stat = await fs.stat(LocalFileTransfer.resolve(target));
      return {
        name: path.basename(target),
        isDirectory: stat.isDirectory(),
        isFile: stat.isFile(),
        size: stat.size,
        mtime: Math.floor(stat.mtimeMs / 1000),
        mode: stat.mode & 0o7777,
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw describe(error, 'read', target);
    }
  }

  async mkdir(dir: string): Promise<void> {
    try {
      await fs.mkdir(LocalFileTransfer.resolve(dir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && (await this.stat(dir))?.isDirectory) return;
      throw describe(error, 'create folder', dir);
    }
  }

  async mkdirp(dir: string): Promise<void> {
    try {
      await fs.mkdir(LocalFileTransfer.resolve(dir), { recursive: true });
    } catch (error) {
      throw describe(error, 'create folder', dir);
    }
  }

  async uploadFile(localPath: string, remotePath: string, options: UploadOptions): Promise<void> {
    throwIfCancelled(options.signal);
    const finalPath = LocalFileTransfer.resolve(remotePath);
    const temp = temporaryNameFor(finalPath);
    try {
      await fs.copyFile(localPath, temp);
      await fs.chmod(temp, options.mode & 0o7777);
      await fs.utimes(temp, options.mtime, options.mtime);
      throwIfCancelled(options.signal);
      await fs.rename(temp, finalPath);
      const { size } = await fs.stat(finalPath);
      options.onBytes?.(size);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw describe(error, 'write', remotePath);
    }
  }

  async setAttributes(target: string, attributes: { mtime?: number; mode?: number }): Promise<void> {
    const absolute = LocalFileTransfer.resolve(target);
    try {
      if (attributes.mode !== undefined) await fs.chmod(absolute, attributes.mode & 0o7777);
      if (attributes.mtime !== undefined) await fs.utimes(absolute, attributes.mtime, attributes.mtime);
    } catch (error) {
      throw describe(error, 'change', target);
    }
  }

  async unlink(target: string): Promise<void> {
    await fs.unlink(LocalFileTransfer.resolve(target)).catch((error: unknown) => {
      throw describe(error, 'remove', target);
    });
  }

  async rmdir(dir: string): Promise<void> {
    await fs.rmdir(LocalFileTransfer.resolve(dir)).catch((error: unknown) => {
      throw describe(error, 'remove folder', dir);
    });
  }

  async read(target: string, offset: number, length: number): Promise<ReadResult> {
    let handle;
    try {
      handle = await fs.open(LocalFileTransfer.resolve(target), 'r');
    } catch (error) {
      throw describe(error, 'read', target);
    }
    try {
      const { size } = await handle.stat();
      const wanted = Math.max(0, Math.min(length, size - offset));
      const data = Buffer.alloc(wanted);
      const { bytesRead } = await handle.read(data, 0, wanted, offset);
      return { data: data.subarray(0, bytesRead), size };
    } finally {
      await handle.close();
    }
  }

  async download(remotePath: string, localPath: string, signal?: AbortSignal): Promise<void> {
    throwIfCancelled(signal);
    await fs.mkdir(path.dirname(localPath), { recursive: true });
    const temp = temporaryNameFor(localPath);
    try {
      await fs.copyFile(LocalFileTransfer.resolve(remotePath), temp);
      await fs.rename(temp, localPath);
    } catch (error) {
      await fs.rm(temp, { force: true });
      throw describe(error, 'download', remotePath);
    }
  }

  async hashFiles(root: string, relativePaths: readonly string[]): Promise<Map<string, string>> {
    const hashes = new Map<string, string>();
    const base = LocalFileTransfer.resolve(root);
    for (const relative of relativePaths) {
      const hash = await sha256OfFile(path.join(base, relative)).catch(() => undefined);
      if (hash) hashes.set(relative, hash);
    }
    return hashes;
  }
}
