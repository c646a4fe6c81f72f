/**
 * File operations over one SFTP session on the cluster's shared SSH connection (see
 * fileTransfer.ts for why not ssh2-sftp-client, and how uploads stay atomic). The request plumbing
 * of the session: sftpSession.ts; bulk uploads of many small files: sftpBulkUpload.ts.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SFTPWrapper, Stats, InputAttributes } from 'ssh2';
import { throwIfCancelled } from '../core/errors';
import { folderListingArgv, folderListingBatches, parseFolderListing } from '../core/sync/folderListing';
import type { CommandRunner } from '../core/transport';
import {
  describe,
  parseSha256sum,
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
import { sftpPath, SftpSession } from './sftpSession';
import { removeStagingFolder, uploadBulkOverSftp } from './sftpBulkUpload';

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

/** Files up to this size are read into memory in one go. */
const SMALL_FILE = 1024 * 1024;

/** Folder-listing commands run at once (a large tree's folders need several). */
const FOLDER_LISTINGS_AT_ONCE = 4;

/** File operations over one SFTP session (shared SSH connection). */
export class SftpFileTransfer implements FileTransfer {
  readonly kind = 'sftp' as const;

  private readonly session: SftpSession;

  /**
   * @param sftp the session (`ClusterConnection.sftp()` / `SshTransport.sftp()`)
   * @param runner runs commands on the same host (used for `sha256sum`, bulk uploads); optional
   */
  constructor(
    private readonly sftp: SFTPWrapper,
    private readonly runner?: CommandRunner,
  ) {
    this.session = new SftpSession(sftp);
  }

  /** False once the session has closed (get a new one from the connection). */
  get isOpen(): boolean {
    return this.session.closed === undefined;
  }

  uploadBulk(stagingParent: string, files: readonly BulkFile[], options: BulkUploadOptions = {}): Promise<BulkUploadResult | undefined> {
    return uploadBulkOverSftp(this.session, this.runner, stagingParent, files, options);
  }

  async readdir(dir: string): Promise<RemoteEntry[] | undefined> {
    const target = sftpPath(dir);
    try {
      const list = await this.session.call<{ filename: string; attrs: Stats }[]>('list', dir, (cb) => this.sftp.readdir(target, cb));
      return list.filter((item) => item.filename !== '.' && item.filename !== '..').map((item) => entryFromStats(item.filename, item.attrs));
    } catch (error) {
      if (error instanceof TransferError && error.code === 'no-such-file') return undefined;
      throw error;
    }
  }

  /**
   * One `find` on the same host per 64 KiB of folder names (core/sync/folderListing.ts), a few
   * at a time; undefined, so that the caller uses `readdir`, if any of them cannot answer.
   */
  async listFolders(folders: readonly string[], signal?: AbortSignal): Promise<Map<string, RemoteEntry[]> | undefined> {
    const runner = this.runner;
    if (!runner || folders.length === 0) return undefined;
    const batches = folderListingBatches(folders);
    const answers: (Map<string, RemoteEntry[]> | undefined)[] = [];
    const listBatch = async (): Promise<void> => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const answer = await runner.exec(folderListingArgv(batch), { timeoutMs: 120_000, signal }).then((result) => parseFolderListing(batch, result), () => undefined);
        answers.push(answer);
        if (!answer) batches.length = 0; // the rest would not be used
      }
    };
    await Promise.all(Array.from({ length: Math.min(FOLDER_LISTINGS_AT_ONCE, batches.length) }, listBatch));
    if (answers.some((answer) => !answer)) return undefined;
    return new Map(answers.flatMap((answer) => [...answer!]));
  }

  async stat(target: string): Promise<RemoteEntry | undefined> {
    try {
      const attrs = await this.session.call<Stats>('read', target, (cb) => this.sftp.stat(sftpPath(target), cb));
      return entryFromStats(path.posix.basename(target), attrs);
    } catch (error) {
      if (error instanceof TransferError && error.code === 'no-such-file') return undefined;
      throw error;
    }
  }

  async mkdir(dir: string): Promise<void> {
    try {
      await this.session.call<void>('create folder', dir, (cb) => this.sftp.mkdir(sftpPath(dir), cb));
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
    const finalPath = sftpPath(remotePath);
    const tempPath = temporaryNameFor(finalPath);
    // Small files are read whole (one local read); large ones in chunks as the writes drain.
    const stat = await fs.stat(localPath);
    const whole = stat.size <= SMALL_FILE ? await fs.readFile(localPath) : undefined;
    const source = whole ? undefined : await fs.open(localPath, 'r');
    let handle: Buffer | undefined;
    let renamed = false;
    try {
      const mode = options.mode & 0o7777;
      handle = await this.session.call<Buffer>('write', remotePath, (cb) => this.sftp.open(tempPath, 'w', { mode }, cb));
      const openHandle = handle;
      // Pipelined: the server handles requests in order, so writes, setstat and close go out
      // without waiting for each other; only the rename waits for the close to succeed.
      const pending = new Set<Promise<void>>();
      let failure: unknown;
      let position = 0;
      const { chunk, inFlight } = this.session;
      for (;;) {
        if (failure) break;
        if (options.signal?.aborted) break;
        let buffer: Buffer;
        let bytesRead: number;
        if (whole) {
          buffer = whole.subarray(position, position + chunk);
          bytesRead = buffer.length;
        } else {
          buffer = Buffer.allocUnsafe(chunk);
          bytesRead = (await source!.read(buffer, 0, chunk, position)).bytesRead;
        }
        if (bytesRead === 0) break;
        const at = position;
        position += bytesRead;
        const write = this.session.call<void>('write', remotePath, (cb) => this.sftp.write(openHandle, buffer, 0, bytesRead, at, cb)).then(
          () => options.onBytes?.(bytesRead),
          (error: unknown) => {
            failure ??= error;
          },
        );
        pending.add(write);
        void write.finally(() => pending.delete(write));
        if (pending.size >= inFlight) await Promise.race(pending);
      }
      const attributes: InputAttributes = { mode, atime: options.mtime, mtime: options.mtime };
      const setstat = this.session.call<void>('write', remotePath, (cb) => this.sftp.fsetstat(openHandle, attributes, cb));
      const close = this.session.call<void>('write', remotePath, (cb) => this.sftp.close(openHandle, cb));
      handle = undefined;
      await Promise.all(pending);
      const results = await Promise.allSettled([setstat, close]);
      if (failure) throw failure;
      throwIfCancelled(options.signal);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
      await this.session.rename(tempPath, finalPath, remotePath);
      renamed = true;
    } catch (error) {
      throw describe(error, 'write', remotePath);
    } finally {
      await source?.close();
      if (handle) await this.session.call<void>('write', remotePath, (cb) => this.sftp.close(handle!, cb)).catch(() => undefined);
      if (!renamed) await this.session.call<void>('remove', tempPath, (cb) => this.sftp.unlink(tempPath, cb)).catch(() => undefined);
    }
  }

  async removeStaging(dir: string): Promise<void> {
    await removeStagingFolder(this.runner, dir);
  }

  async setAttributes(target: string, attributes: { mtime?: number; mode?: number }): Promise<void> {
    const attrs: InputAttributes = {};
    if (attributes.mode !== undefined) attrs.mode = attributes.mode & 0o7777;
    if (attributes.mtime !== undefined) {
      attrs.atime = attributes.mtime;
      attrs.mtime = attributes.mtime;
    }
    await this.session.call<void>('change', target, (cb) => this.sftp.setstat(sftpPath(target), attrs, cb));
  }

  async unlink(target: string): Promise<void> {
    await this.session.call<void>('remove', target, (cb) => this.sftp.unlink(sftpPath(target), cb));
  }

  async rmdir(dir: string): Promise<void> {
    await this.session.call<void>('remove folder', dir, (cb) => this.sftp.rmdir(sftpPath(dir), cb));
  }

  async read(target: string, offset: number, length: number): Promise<ReadResult> {
    const remote = sftpPath(target);
    const handle = await this.session.call<Buffer>('read', target, (cb) => this.sftp.open(remote, 'r', cb));
    try {
      const attrs = await this.session.call<Stats>('read', target, (cb) => this.sftp.fstat(handle, cb));
      const wanted = Math.max(0, Math.min(length, attrs.size - offset));
      const data = Buffer.alloc(wanted);
      let filled = 0;
      while (filled < wanted) {
        const got = await this.session.call<number>('read', target, (cb) =>
          this.sftp.read(handle, data, filled, wanted - filled, offset + filled, (error, bytesRead) => cb(error, bytesRead)),
        );
        if (!got) break;
        filled += got;
      }
      return { data: data.subarray(0, filled), size: attrs.size };
    } finally {
      await this.session.call<void>('read', target, (cb) => this.sftp.close(handle, cb)).catch(() => undefined);
    }
  }

  async download(remotePath: string, localPath: string, signal?: AbortSignal): Promise<void> {
    throwIfCancelled(signal);
    const temp = temporaryNameFor(localPath);
    await fs.mkdir(path.dirname(localPath), { recursive: true });
    try {
      await this.session.call<void>('download', remotePath, (cb) => this.sftp.fastGet(sftpPath(remotePath), temp, {}, cb));
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
