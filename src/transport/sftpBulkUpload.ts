/**
 * Bulk uploads of many small files over SFTP: one tar archive into a private staging folder on
 * the targets' filesystem, unpacked there by the host's tar, then a rename of each file into
 * place (each replaces its target in one step). Without tar, or when tar refuses, the caller
 * falls back to uploading file by file.
 */
import { readFile } from 'node:fs';
import * as path from 'node:path';
import { isCancelled, throwIfCancelled } from '../core/errors';
import type { CommandRunner } from '../core/transport';
import { joinRemote } from '../core/sync/manifest';
import { tarEnd, tarEntryParts } from '../core/sync/tar';
import {
  describe, isStagingName, stagingFolderName, TransferError, type BulkFile, type BulkUploadOptions, type BulkUploadResult,
} from './fileTransfer';
import { sftpPath, type SftpSession } from './sftpSession';

/** The archive's name inside the staging folder (its entries are named 0, 1, 2...). */
const BULK_ARCHIVE = 'bundle.tar';

/**
 * Run with the staging folder's name as $1, in the folder that holds it: tar unpacks the
 * archive there, keeping modes (-p) and mtimes. Nothing user-controlled is in this text; the
 * name comes as an argument.
 */
const BULK_EXTRACT = `cd -- "$1" && tar -x -p --no-same-owner -f ${BULK_ARCHIVE} && rm -f ${BULK_ARCHIVE}`;

/** Files read at the same time (and appended to the archive as one part). */
const READ_BATCH = 64;

/** A whole small file, read with the callback API (less CPU per file than fs.promises here). */
function readWhole(localPath: string): Promise<Buffer> {
  return new Promise((resolve, reject) => readFile(localPath, (error, data) => (error ? reject(error) : resolve(data))));
}

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

/**
 * Uploads `files` through one archive; undefined when this path cannot be used (no runner, no
 * tar on the host, the staging folder cannot be written, tar refused): then upload one by one.
 */
export async function uploadBulkOverSftp(
  session: SftpSession,
  runner: CommandRunner | undefined,
  stagingParent: string,
  files: readonly BulkFile[],
  options: BulkUploadOptions = {},
): Promise<BulkUploadResult | undefined> {
  if (!runner || files.length === 0) return undefined;
  if (session.closed) throw session.closed;
  const { signal } = options;
  throwIfCancelled(signal);
  // Small files only (the caller's choice): read whole, READ_BATCH at a time, the next batch
  // while the previous one is on its way; the first while the host is asked for tar.
  const sizes: number[] = new Array<number>(files.length);
  let readFailure: unknown;
  const readBatch = (start: number): Promise<Buffer[]> => {
    const reading = Promise.all(
      files.slice(start, start + READ_BATCH).map(async (file, k) => {
        const data = await readWhole(file.localPath).catch((error: unknown) => {
          throw new TransferError(`Cannot read ${file.localPath}: ${(error as Error).message}`, 'failure', file.localPath);
        });
        sizes[start + k] = data.length;
        return Buffer.concat(tarEntryParts({ name: String(start + k), data, mode: file.mode, mtime: file.mtime }));
      }),
    ).catch((error: unknown) => {
      readFailure ??= error;
      throw error;
    });
    reading.catch(() => undefined); // awaited below, or abandoned with the upload
    return reading;
  };
  let next = readBatch(0);
  if (!(await hasTar(runner, signal))) return undefined;
  const stage = stagingFolderName();
  const stageShown = joinRemote(stagingParent, stage);
  const stagePath = joinRemote(sftpPath(stagingParent), stage);
  let created = false;
  try {
    // A private folder (700) on the targets' filesystem; the archive goes in over SFTP's
    // pipelined writes (faster here than a stream into a remote process's stdin).
    try {
      await session.call<void>('create folder', stageShown, (cb) => session.sftp.mkdir(stagePath, { mode: 0o700 }, cb));
      created = true;
      const archive = await session.createAppender(`${stagePath}/${BULK_ARCHIVE}`, stageShown);
      try {
        for (let start = 0; start < files.length; start += READ_BATCH) {
          const parts = await next;
          if (start + READ_BATCH < files.length) next = readBatch(start + READ_BATCH);
          await archive.append(Buffer.concat(parts), signal);
        }
        await archive.append(tarEnd(), signal);
      } finally {
        await archive.close();
      }
    } catch (error) {
      if (readFailure) throw readFailure;
      // A read-only or full folder: the per-file path says so about the user's own file.
      const described = describe(error, 'write', stageShown);
      if (isCancelled(described) || (described instanceof TransferError && described.code === 'connection')) throw described;
      return undefined;
    }
    options.onSent?.();
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
    await options.placeAfter;
    // Pipelined renames: each replaces its target in one step (posix-rename).
    const outcomes = await Promise.allSettled(
      files.map(async (file, i) => {
        throwIfCancelled(signal);
        await session.rename(`${stagePath}/${i}`, sftpPath(file.remotePath), file.remotePath);
        options.onFile?.(file, sizes[i]);
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
    // Emptied (every file moved out, the archive removed by the script): one SFTP rmdir, far
    // cheaper than a command; anything left in it: rm -rf.
    if (created) {
      const emptied = await session.call<void>('remove folder', stageShown, (cb) => session.sftp.rmdir(stagePath, cb)).then(
        () => true,
        () => false,
      );
      if (!emptied) await removeStagingFolder(runner, stageShown).catch(() => undefined);
    }
  }
}

/** Removes a staging folder left by a bulk upload (its name says it is one) with `rm -rf`. */
export async function removeStagingFolder(runner: CommandRunner | undefined, dir: string): Promise<void> {
  const name = path.posix.basename(dir);
  if (!isStagingName(name)) throw new TransferError(`Not a staging folder: ${dir}`, 'failure', dir);
  if (!runner) throw new TransferError(`Cannot remove ${dir}: no command channel.`, 'failure', dir);
  // A tar that was just cut off may still be writing its last file for a moment: try again.
  for (let attempt = 0; ; attempt++) {
    const result = await runner.exec(['rm', '-rf', '--', name], { cwd: path.posix.dirname(dir) });
    if (result.code === 0) return;
    if (attempt >= 2) throw new TransferError(`Cannot remove ${dir}: ${result.stderr.trim()}`, 'failure', dir);
    await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
  }
}
