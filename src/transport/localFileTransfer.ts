/** File operations on the local filesystem, for clusters with transport "local" (VS Code already on the login node). */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { throwIfCancelled } from '../core/errors';
import { describe, sha256OfFile, temporaryNameFor, type FileTransfer, type ReadResult, type RemoteEntry, type UploadOptions } from './fileTransfer';

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
