/**
 * File operations over one SFTP session on the cluster's shared SSH connection (see
 * fileTransfer.ts for why not ssh2-sftp-client, and how uploads stay atomic), and bulk uploads of
 * many small files: one tar archive into a private staging folder, then a rename of each file.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SFTPWrapper, Stats, InputAttributes } from 'ssh2';
import { isCancelled, throwIfCancelled } from '../core/errors';
import type { CommandRunner } from '../core/transport';
import { joinRemote } from '../core/sync/manifest';
import { tarArchive, type TarEntry } from '../core/sync/tar';
import {
  describe,
  isStagingName,
  parseSha256sum,
  stagingFolderName,
  temporaryNameFor,
  TransferError,
  type BulkFile,
  type BulkUploadOptions,
  type BulkUploadResult,
  type FileTransfer,
  type ReadResult,
  type RemoteEntry,
  type UploadOptions,
} from './fileTransfer';

/** The archive's name inside the staging folder (its entries are named 0, 1, 2...). */
const BULK_ARCHIVE = 'bundle.tar';

/**
 * Run with the staging folder's name as $1, in the folder that holds it: tar unpacks the
 * archive there, keeping modes (-p) and mtimes. Nothing user-controlled is in this text; the
 * name comes as an argument.
 */
const BULK_EXTRACT = `cd -- "$1" && tar -x -p --no-same-owner -f ${BULK_ARCHIVE} && rm -f ${BULK_ARCHIVE}`;

/** Whether each connection's host has tar: asked once per runner (one connection). */
const tarOnHost = new WeakMap<CommandRunner, Promise<boolean>>();

function hasTar(runner: CommandRunner, signal?: AbortSignal): Promise<boolean> {
  let known = tarOnHost.get(runner);
  if (!known) {
    known = runner.exec(['sh', '-c', 'command -v tar'], { signal }).then(
      (result) => result.code === 0,
      (error: unknown) => {
        tarOnHost.delete(runner); // not an answer: ask again next time
        throw describe(error, 'write', 'the cluster');
      },
    );
    tarOnHost.set(runner, known);
  }
  return known;
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

  async uploadBulk(stagingParent: string, files: readonly BulkFile[], options: BulkUploadOptions = {}): Promise<BulkUploadResult | undefined> {
    const runner = this.runner;
    if (!runner || files.length === 0) return undefined;
    if (this.closed) throw this.closed;
    const { signal } = options;
    throwIfCancelled(signal);
    if (!(await hasTar(runner, signal))) return undefined;
    // Small files only (the caller's choice): read them whole, a few at a time.
    const entries: TarEntry[] = new Array<TarEntry>(files.length);
    for (let start = 0; start < files.length; start += 64) {
      await Promise.all(
        files.slice(start, start + 64).map(async (file, k) => {
          const i = start + k;
          const data = await fs.readFile(file.localPath).catch((error: unknown) => {
            throw new TransferError(`Cannot read ${file.localPath}: ${(error as Error).message}`, 'failure', file.localPath);
          });
          entries[i] = { name: String(i), data, mode: file.mode, mtime: file.mtime };
        }),
      );
    }
    throwIfCancelled(signal);
    const stage = stagingFolderName();
    const stageShown = joinRemote(stagingParent, stage);
    const stagePath = joinRemote(SftpFileTransfer.local(stagingParent), stage);
    let created = false;
    try {
      // A private folder (700) on the targets' filesystem; the archive goes in over SFTP's
      // pipelined writes (faster here than a stream into a remote process's stdin).
      try {
        await this.call<void>('create folder', stageShown, (cb) => this.sftp.mkdir(stagePath, { mode: 0o700 }, cb));
        created = true;
        await this.writeWhole(`${stagePath}/${BULK_ARCHIVE}`, stageShown, tarArchive(entries), signal);
      } catch (error) {
        // A read-only or full folder: the per-file path says so about the user's own file.
        const described = describe(error, 'write', stageShown);
        if (isCancelled(described) || (described instanceof TransferError && described.code === 'connection')) throw described;
        return undefined;
      }
      throwIfCancelled(signal);
      let result;
      try {
        result = await runner.exec(['sh', '-c', BULK_EXTRACT, 'sh', stage], { cwd: stagingParent, signal });
      } catch (error) {
        throw describe(error, 'write', stagingParent);
      }
      // tar refused (an old tar's options, a full disk...): the per-file path takes over and
      // gives its own, precise error if there is one.
      if (result.code !== 0) return undefined;
      throwIfCancelled(signal);
      // Pipelined renames: each replaces its target in one step (posix-rename).
      const outcomes = await Promise.allSettled(
        files.map(async (file, i) => {
          throwIfCancelled(signal);
          await this.rename(`${stagePath}/${i}`, SftpFileTransfer.local(file.remotePath), file.remotePath);
          options.onFile?.(file, entries[i].data.length);
        }),
      );
      const placed: BulkFile[] = [];
      const left: BulkFile[] = [];
      let fatal: unknown;
      outcomes.forEach((outcome, i) => {
        if (outcome.status === 'fulfilled') return void placed.push(files[i]);
        const error = describe(outcome.reason, 'write', files[i].remotePath);
        if (isCancelled(error) || (error instanceof TransferError && error.code === 'connection')) fatal ??= error;
        left.push(files[i]);
      });
      if (fatal) throw fatal;
      throwIfCancelled(signal);
      return { placed, left };
    } catch (error) {
      throw describe(error, 'write', stageShown);
    } finally {
      // Without waiting for the caller's cancel: the folder goes now, or with the next sync.
      if (created) await this.removeStaging(stageShown).catch(() => undefined);
    }
  }

  /** Writes `data` to a new file at `target` (no temporary: the caller's folder is private). */
  private async writeWhole(target: string, shown: string, data: Buffer, signal?: AbortSignal): Promise<void> {
    const handle = await this.call<Buffer>('write', shown, (cb) => this.sftp.open(target, 'wx', { mode: 0o600 }, cb));
    let failure: unknown;
    try {
      const pending = new Set<Promise<void>>();
      for (let at = 0; at < data.length && !failure; at += CHUNK) {
        throwIfCancelled(signal);
        const length = Math.min(CHUNK, data.length - at);
        const position = at;
        const write = this.call<void>('write', shown, (cb) => this.sftp.write(handle, data, position, length, position, cb)).catch((error: unknown) => {
          failure ??= error;
        });
        pending.add(write);
        void write.finally(() => pending.delete(write));
        if (pending.size >= IN_FLIGHT) await Promise.race(pending);
      }
      await Promise.all(pending);
      if (failure) throw failure;
    } finally {
      await this.call<void>('write', shown, (cb) => this.sftp.close(handle, cb)).catch((error: unknown) => {
        failure ??= error;
      });
    }
    if (failure) throw failure;
  }

  async removeStaging(dir: string): Promise<void> {
    const name = path.posix.basename(dir);
    if (!isStagingName(name)) throw new TransferError(`Not a staging folder: ${dir}`, 'failure', dir);
    if (!this.runner) throw new TransferError(`Cannot remove ${dir}: no command channel.`, 'failure', dir);
    // A tar that was just cut off may still be writing its last file for a moment: try again.
    for (let attempt = 0; ; attempt++) {
      const result = await this.runner.exec(['rm', '-rf', '--', name], { cwd: path.posix.dirname(dir) });
      if (result.code === 0) return;
      if (attempt >= 2) throw new TransferError(`Cannot remove ${dir}: ${result.stderr.trim()}`, 'failure', dir);
      await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
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
