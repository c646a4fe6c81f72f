/**
 * Requests over one SFTP session (ssh2's SFTPWrapper): each call settles with its answer or,
 * when the session ends first, with a connection error (ssh2 does not always answer calls in
 * flight when the connection drops). The file operations: sftpFileTransfer.ts.
 */
import type { SFTPWrapper } from 'ssh2';
import { throwIfCancelled } from '../core/errors';
import { describe, TransferError } from './fileTransfer';

/**
 * Bytes per write request at most, and bytes in flight per file (about sshd's channel window).
 * 255 KiB requests with 8 in flight moved 60 MiB 15-30% faster here than 64 KiB with 16
 * (fewer requests to frame, answer and settle; measured interleaved, bench/README.md).
 */
const MAX_CHUNK = 256 * 1024;
const BYTES_IN_FLIGHT = 2 * 1024 * 1024;

/**
 * The largest write the server takes in one request (ssh2 learns it from limits@openssh.com
 * before the session is ready): ssh2 sends a larger write as parts, one after the other.
 */
function maxWriteOf(sftp: SFTPWrapper): number {
  const length = (sftp as unknown as { _maxWriteLen?: unknown })._maxWriteLen;
  return typeof length === 'number' && length > 0 ? length : 32 * 1024;
}

/** SFTP resolves relative paths against the login folder; `~/x` means the same. */
export function sftpPath(target: string): string {
  if (target === '~') return '.';
  return target.startsWith('~/') ? target.slice(2) : target;
}

export class SftpSession {
  /** Set when the session ended; every later call fails at once. */
  private closedBy: TransferError | undefined;
  /** Rejecters of calls in flight: ssh2 does not always answer them when the connection drops. */
  private readonly inflight = new Set<(error: Error) => void>();

  /** Bytes per write request (within what the server takes). */
  readonly chunk: number;
  /** Writes that go out per file before the first answer is awaited. */
  readonly inFlight: number;

  /** @param sftp the session (`ClusterConnection.sftp()` / `SshTransport.sftp()`) */
  constructor(readonly sftp: SFTPWrapper) {
    this.chunk = Math.min(MAX_CHUNK, maxWriteOf(sftp));
    this.inFlight = Math.max(4, Math.floor(BYTES_IN_FLIGHT / this.chunk));
    const onClose = () => {
      this.closedBy ??= new TransferError('The connection to the cluster was lost (the SFTP session closed).', 'connection');
      for (const reject of [...this.inflight]) reject(this.closedBy);
      this.inflight.clear();
    };
    sftp.once('close', onClose);
    sftp.once('end', onClose);
  }

  /** The error every call gets once the session has closed; undefined while it is open. */
  get closed(): TransferError | undefined {
    return this.closedBy;
  }

  call<T>(operation: string, target: string, start: (callback: (error: Error | undefined | null, value?: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.closedBy) return reject(this.closedBy);
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

  async rename(from: string, to: string, shown: string): Promise<void> {
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

  /** Creates a new file at `target` (no temporary: the caller's folder is private) to append to. */
  async createAppender(target: string, shown: string): Promise<SftpAppender> {
    const handle = await this.call<Buffer>('write', shown, (cb) => this.sftp.open(target, 'wx', { mode: 0o600 }, cb));
    return new SftpAppender(this, handle, shown);
  }
}

/**
 * Appends to a file over pipelined writes (at most the session's inFlight unanswered): the caller can read
 * what comes next while the previous parts are still on their way.
 */
export class SftpAppender {
  private position = 0;
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly session: SftpSession,
    private readonly handle: Buffer,
    private readonly shown: string,
  ) {}

  /** Sends `data` after what was appended before; waits only while inFlight writes are unanswered. */
  async append(data: Buffer, signal?: AbortSignal): Promise<void> {
    const { chunk, inFlight } = this.session;
    for (let at = 0; at < data.length; at += chunk) {
      if (this.failure) throw this.failure;
      throwIfCancelled(signal);
      const length = Math.min(chunk, data.length - at);
      const offset = at;
      const position = this.position;
      this.position += length;
      const write = this.session
        .call<void>('write', this.shown, (cb) => this.session.sftp.write(this.handle, data, offset, length, position, cb))
        .catch((error: unknown) => {
          this.failure ??= error;
        });
      this.pending.add(write);
      void write.finally(() => this.pending.delete(write));
      if (this.pending.size >= inFlight) await Promise.race(this.pending);
    }
    if (this.failure) throw this.failure;
  }

  /** Waits for every write and closes the file (also after a failure); throws the first failure. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.pending);
    await this.session.call<void>('write', this.shown, (cb) => this.session.sftp.close(this.handle, cb)).catch((error: unknown) => {
      this.failure ??= error;
    });
    if (this.failure) throw this.failure;
  }
}
