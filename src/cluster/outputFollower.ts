/**
 * Follows a job's output file as the job writes it. Two ways, one class:
 * - live (what `Cluster.followOutput` gives): one long-lived stream per file on the cluster's
 *   connection (outputStream.ts: `tail -c +OFFSET -F`), every byte counted, resumed from the last
 *   delivered byte after a reconnection; the job's state comes from the cluster's regular refresh
 *   (no request per job), and when the job has ended the stream is stopped and the rest read once
 *   from the offset. Where streaming is impossible (the command ends by itself: no `tail -F` on the
 *   host, no `sh`; or more than MAX_STREAMS files followed on one connection) it reads appended
 *   bytes every second through the file transfer instead, still without asking Slurm.
 * - standalone (`new OutputFollower(runner, transfer, ...)` without `live`): each `poll()` asks
 *   `scontrol show job` and reads what was appended (SFTP read at an offset, or a local read).
 * Either way a large file opens on its tail (outputCursor.ts: offset and appended reads; followedJob.ts:
 * the job from scontrol or the refresh). No vscode import: the editor adapter renders it.
 */
import type { CommandRunner } from '../core/transport';
import type { ScontrolJob } from '../core/slurm/scontrol';
import { isCancelled } from '../core/errors';
import type { FileTransfer } from '../transport/fileTransfer';
import { isFinalState } from '../core/slurm/jobStates';
import { StreamSlot, streamFile } from './outputStream';
import { OutputCursor } from './outputCursor';
import { jobFromSqueue, readJob, type JobStateSource } from './followedJob';

export { outputPathsOf, readJob, type JobStateSource } from './followedJob';
export { MAX_STREAMS } from './outputStream';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

export interface FollowUpdate {
  /** Text appended since the previous update. */
  text: string;
  /** Bytes at the start of the file that were not shown (large file opened: tail only). */
  skippedBytes: number;
  /** Slurm state, or `UNKNOWN` when Slurm no longer knows the job. */
  state: string;
  exitCode?: string;
  /** True once the job has ended and the final read is done. */
  ended: boolean;
  /** The file does not exist (yet: the job may still be pending). */
  missing: boolean;
  /** Bytes read from the file so far (the offset of the next read). */
  offset: number;
  /** The job as last seen (scontrol, or the refresh's squeue line; undefined once forgotten). */
  job?: ScontrolJob;
  /** How the bytes come: `stream` (tail -F on the connection) or `poll` (reads every second). */
  mode?: 'stream' | 'poll';
  /** Why following is held up right now (connection lost: resuming from the offset), if it is. */
  error?: string;
}

export interface OutputFollowerOptions {
  /** On the first read of a large file, show only this many last bytes (256 KiB). */
  tailBytes?: number;
  /** At most this many bytes per read request (1 MiB). */
  chunkBytes?: number;
  /** Polling fallback: the pause between two reads (1 s). */
  pollMs?: number;
  /** Never stream (tests of the fallback). */
  noStream?: boolean;
}

/** Characters kept for `poll()` between two calls. */
const MAX_PENDING = 4 * 1024 * 1024;


export class OutputFollower {
  private ended = false;
  /** Offset, tail and decoder of the file (outputCursor.ts). */
  private readonly cursor: OutputCursor;
  private readonly streamSlot: StreamSlot;
  private readonly pollMs: number;
  // --- live following ---
  private state = 'UNKNOWN';
  private exitCode: string | undefined;
  private job: ScontrolJob | undefined;
  private missing = false;
  private error: string | undefined;
  private mode: 'stream' | 'poll' = 'stream';
  /** Why streaming was given up for polling (undefined while streaming). */
  fallbackReason: string | undefined;
  private pendingText = '';
  private pendingSkipped = 0;
  private readonly listeners = new Set<(update: FollowUpdate) => void>();
  private stopped = false;
  private streamAbort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private finishing: Promise<void> | undefined;
  /** The job has ended: the stream stops, the rest is read once. */
  private draining = false;
  private wake: (() => void) | undefined;
  private offRefresh: (() => void) | undefined;
  private lastPollAt = Date.now();
  /** Streams started (1 + reconnections), for tests and the bench. */
  streamStarts = 0;

  constructor(
    private readonly runner: CommandRunner,
    /** The file transfer, or where to get the current one (after a reconnection the old session is closed). */
    transfer: FileTransfer | (() => Promise<FileTransfer>),
    readonly jobId: string,
    readonly path: string,
    options: OutputFollowerOptions = {},
    /** Live following: the job's state from the regular refresh, bytes streamed. */
    private readonly live?: JobStateSource,
  ) {
    this.cursor = new OutputCursor(path, transfer, options.tailBytes ?? 256 * 1024, options.chunkBytes ?? 1024 * 1024);
    this.streamSlot = new StreamSlot(runner);
    this.pollMs = options.pollMs ?? 1000;
    if (options.noStream) this.fallbackReason = 'streaming turned off';
    if (live) this.begin();
  }

  /** Bytes read by every poll (for tests: incremental reads, not re-downloads). */
  get readSizes(): number[] {
    return this.cursor.readSizes;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /** How bytes come now (live followers). */
  get following(): 'stream' | 'poll' {
    return this.mode;
  }

  /**
   * Live followers: calls `listener` with each increment as it arrives (bytes, state changes, the
   * end). Returns the function that removes it. While no listener is there, increments collect
   * for `poll()` instead.
   */
  onUpdate(listener: (update: FollowUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops following (the stream is closed); the job itself is not touched. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.offRefresh?.();
    this.streamAbort?.abort();
    this.wake?.();
  }

  /** Live: resolves once the follower has ended (the job ended and the last bytes were read) or was stopped. */
  async done(): Promise<void> {
    await this.loop;
    await this.finishing;
  }

  /**
   * Standalone: one step (the job's state from scontrol, then what the file gained). Live: what
   * arrived since the previous call, at once (no request).
   */
  async poll(): Promise<FollowUpdate> {
    if (this.live) {
      this.lastPollAt = Date.now();
      const update = this.snapshot(this.pendingText, this.pendingSkipped);
      this.pendingText = '';
      this.pendingSkipped = 0;
      return update;
    }
    let state = 'UNKNOWN';
    let exitCode: string | undefined;
    let final = this.ended;
    let job: ScontrolJob | undefined;
    if (!this.ended) {
      job = await readJob(this.runner, this.jobId);
      state = job?.state ?? 'UNKNOWN';
      exitCode = job?.exitCode;
      final = !job || isFinalState(state);
    }
    const read = await this.cursor.readAppended();
    let text = read.text;
    if (final) {
      text += this.cursor.decoder.end();
      this.ended = true;
    }
    return { text, skippedBytes: read.skippedBytes, state, exitCode, ended: this.ended, missing: read.missing, offset: this.cursor.offset, job };
  }

  // --- live following ------------------------------------------------------------------------

  private snapshot(text: string, skippedBytes: number): FollowUpdate {
    return {
      text,
      skippedBytes,
      state: this.state,
      exitCode: this.exitCode,
      ended: this.ended,
      missing: this.missing,
      offset: this.cursor.offset,
      job: this.job,
      mode: this.mode,
      error: this.error,
    };
  }

  private emit(text: string, skippedBytes: number): void {
    if (this.listeners.size === 0) {
      // Kept for poll() (bounded: a reader that stopped calling loses the oldest text, counted as skipped).
      this.pendingText += text;
      this.pendingSkipped += skippedBytes;
      if (this.pendingText.length > MAX_PENDING) {
        const cut = this.pendingText.length - MAX_PENDING;
        this.pendingSkipped += Buffer.byteLength(this.pendingText.slice(0, cut));
        this.pendingText = this.pendingText.slice(cut);
      }
      return;
    }
    const update = this.snapshot(text, skippedBytes);
    for (const listener of [...this.listeners]) listener(update);
  }

  private begin(): void {
    const live = this.live!;
    this.offRefresh = live.onRefresh(() => this.judge());
    this.loop = this.run();
    this.judge();
  }

  /** After a refresh: the job's state; when it has ended, the last bytes and the end. */
  private judge(): void {
    if (this.ended || this.stopped || this.finishing) return;
    // Nobody reads a follower that has no listener and whose poll() is not called: stop its stream.
    if (this.listeners.size === 0 && Date.now() - this.lastPollAt > 120_000) return this.stop();
    const seen = this.live!.lookup(this.jobId);
    if (seen === undefined) return;
    if (seen !== 'absent') {
      const changed = seen.state !== this.state;
      this.state = seen.state;
      this.job = jobFromSqueue(seen);
      if (!isFinalState(seen.state)) {
        if (changed) this.emit('', 0);
        return;
      }
    }
    this.finishing = this.finish(seen === 'absent' ? undefined : this.job);
  }

  /** Not listed (or final): scontrol once for the final state; if it really ended, drain and end. */
  private async finish(listed: ScontrolJob | undefined): Promise<void> {
    let job: ScontrolJob | undefined;
    try {
      job = listed ?? (await readJob(this.runner, this.jobId));
    } catch {
      // Not an answer (connection down): the next refresh asks again.
      this.finishing = undefined;
      return;
    }
    try {
      if (job && !isFinalState(job.state)) {
        // Alive but not in the refresh (another user's job, a job newer than the refresh): keep on.
        this.state = job.state;
        this.job = job;
        this.emit('', 0);
        return;
      }
      this.state = job?.state ?? 'UNKNOWN';
      this.exitCode = job?.exitCode;
      this.job = job;
      // Stop the stream (bytes after this are ignored: the offset counts only delivered ones), then read the rest.
      this.draining = true;
      this.streamAbort?.abort();
      this.wake?.();
      await this.loop;
      if (this.stopped) return;
      let text = '';
      let skipped = 0;
      for (let attempt = 0; ; attempt++) {
        try {
          const read = await this.cursor.readAppended();
          text += read.text;
          skipped += read.skippedBytes;
          this.missing = read.missing && this.cursor.offset === 0;
          break;
        } catch (error) {
          if (this.stopped || attempt >= 20) throw error;
          this.error = `Reading the last output: ${(error as Error).message} (retrying)`;
          await sleep(1000);
        }
      }
      text += this.cursor.decoder.end();
      this.error = undefined;
      this.ended = true;
      this.offRefresh?.();
      this.emit(text, skipped);
    } catch (error) {
      this.error = `Could not read the end of the output: ${(error as Error).message}`;
      this.ended = true;
      this.offRefresh?.();
      this.emit(this.cursor.decoder.end(), 0);
    } finally {
      if (!this.ended) this.finishing = undefined;
    }
  }

  /** Streams (or polls) until the job has ended or following stops; reconnects resume from the offset. */
  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped && !this.draining) {
      if (this.live!.paused()) {
        await this.nap(60_000);
        continue;
      }
      if (this.fallbackReason !== undefined || !this.streamSlot.take()) {
        this.mode = 'poll';
        try {
          const read = await this.cursor.readAppended();
          const wasMissing = this.missing;
          this.missing = read.missing;
          this.error = undefined;
          if (read.text || read.skippedBytes || wasMissing !== read.missing) this.emit(read.text, read.skippedBytes);
        } catch (error) {
          this.error = `Could not read the output: ${(error as Error).message} (retrying)`;
        }
        await this.nap(this.pollMs);
        continue;
      }
      this.mode = 'stream';
      const abort = new AbortController();
      this.streamAbort = abort;
      if (this.draining || this.stopped) abort.abort();
      try {
        this.streamStarts++;
        const end = await streamFile(
          this.runner,
          this.path,
          this.cursor.started ? this.cursor.offset : undefined,
          this.cursor.tailBytes,
          {
            onHeader: (header) => {
              failures = 0;
              const skipped = this.cursor.started ? 0 : header.offset;
              this.cursor.started = true;
              this.cursor.offset = header.offset;
              const wasMissing = this.missing;
              this.missing = !header.exists && this.cursor.offset === 0;
              const hadError = this.error !== undefined;
              this.error = undefined;
              if (skipped > 0 || wasMissing !== this.missing || hadError) this.emit('', skipped);
            },
            onData: (chunk) => {
              if (abort.signal.aborted) return;
              this.cursor.offset += chunk.length;
              this.cursor.readSizes.push(chunk.length);
              const wasMissing = this.missing;
              this.missing = false;
              const text = this.cursor.decoder.write(chunk);
              if (text || wasMissing) this.emit(text, 0);
            },
          },
          abort.signal,
        );
        if (!abort.signal.aborted) {
          // Ended by itself: this host cannot stream it. Poll instead.
          this.fallbackReason = `the stream ended by itself (${end.reason})`;
        }
      } catch (error) {
        if (!isCancelled(error) && !abort.signal.aborted) {
          failures++;
          this.error = `${(error as Error).message} — resuming from byte ${this.cursor.offset}`;
          this.emit('', 0);
          await this.nap(Math.min(5000, 500 * 2 ** Math.min(failures, 4)));
        }
      } finally {
        this.streamSlot.give();
        if (this.streamAbort === abort) this.streamAbort = undefined;
      }
    }
  }

  /** Waits `ms`, or less when woken (the end of the job, stop). */
  private nap(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
