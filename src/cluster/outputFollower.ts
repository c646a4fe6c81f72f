/**
 * Follows a job's output file as the job writes it: reads only what was appended since the last
 * read (SFTP read at an offset, or a local read), starts with the tail when the file is already
 * large, and reports the job's state from `scontrol show job -o` until the job has ended (then
 * one final read). No vscode import: the editor adapter (jobOutputDocuments.ts) renders it.
 */
import { StringDecoder } from 'node:string_decoder';
import type { CommandRunner } from '../core/transport';
import { parseScontrolJobs, type ScontrolJob } from '../core/slurm/scontrol';
import { jobOutputPaths } from '../core/slurm/outputPaths';
import { TransferError, type FileTransfer } from '../transport/fileTransfer';
import { isFinalState } from '../core/slurm/sbatchAnswers';

/** The job as scontrol knows it; undefined once Slurm has forgotten it (MinJobAge). */
export async function readJob(runner: CommandRunner, jobId: string): Promise<ScontrolJob | undefined> {
  const result = await runner.exec(['scontrol', 'show', 'job', '-o', jobId], { timeoutMs: 30_000 });
  if (result.code !== 0) {
    if (/Invalid job id/i.test(result.stderr)) return undefined;
    throw new Error(`scontrol show job ${jobId} failed: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
  return parseScontrolJobs(result.stdout).find((job) => job.jobId === jobId) ?? parseScontrolJobs(result.stdout)[0];
}

/** StdOut/StdErr of a job, with Slurm's patterns resolved when scontrol printed them unexpanded. */
export function outputPathsOf(job: ScontrolJob): { stdout: string; stderr: string } {
  return jobOutputPaths({
    jobId: job.jobId,
    arrayJobId: job.arrayJobId,
    arrayTaskId: job.arrayTaskId,
    name: job.name,
    userName: job.userName,
    nodeList: job.record.BatchHost ? [job.record.BatchHost] : job.nodeList,
    workDir: job.workDir,
    stdOut: job.stdOut,
    stdErr: job.stdErr,
  });
}

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
}

export interface OutputFollowerOptions {
  /** On the first read of a large file, show only this many last bytes (256 KiB). */
  tailBytes?: number;
  /** At most this many bytes per read request (1 MiB). */
  chunkBytes?: number;
}

export class OutputFollower {
  private offset = 0;
  private started = false;
  private ended = false;
  private readonly decoder = new StringDecoder('utf8');
  private readonly tailBytes: number;
  private readonly chunkBytes: number;
  /** Bytes read by every poll (for tests: incremental reads, not re-downloads). */
  readonly readSizes: number[] = [];

  constructor(
    private readonly runner: CommandRunner,
    /** The file transfer, or where to get the current one (after a reconnection the old session is closed). */
    private readonly transfer: FileTransfer | (() => Promise<FileTransfer>),
    readonly jobId: string,
    readonly path: string,
    options: OutputFollowerOptions = {},
  ) {
    this.tailBytes = options.tailBytes ?? 256 * 1024;
    this.chunkBytes = options.chunkBytes ?? 1024 * 1024;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /** One step: the job's state, then what the file gained. */
  async poll(): Promise<FollowUpdate> {
    let state = 'UNKNOWN';
    let exitCode: string | undefined;
    let final = this.ended;
    if (!this.ended) {
      const job = await readJob(this.runner, this.jobId);
      state = job?.state ?? 'UNKNOWN';
      exitCode = job?.exitCode;
      final = !job || isFinalState(state);
    }
    let skippedBytes = 0;
    let text = '';
    let missing = false;
    let readNow = 0;
    try {
      const transfer = typeof this.transfer === 'function' ? await this.transfer() : this.transfer;
      if (!this.started) {
        const entry = await transfer.stat(this.path);
        if (!entry) throw new TransferError('missing', 'no-such-file', this.path);
        this.started = true;
        if (entry.size > this.tailBytes) {
          skippedBytes = entry.size - this.tailBytes;
          this.offset = skippedBytes;
        }
      }
      // Read until caught up (bounded, so one poll never takes long).
      for (let round = 0; round < 8; round++) {
        const { data, size } = await transfer.read(this.path, this.offset, this.chunkBytes);
        if (size < this.offset) {
          // Truncated or replaced (a requeued job): start over.
          this.offset = 0;
          continue;
        }
        this.offset += data.length;
        readNow += data.length;
        text += this.decoder.write(data);
        if (data.length < this.chunkBytes) break;
      }
    } catch (error) {
      if (!(error instanceof TransferError && error.code === 'no-such-file')) throw error;
      missing = true;
    }
    this.readSizes.push(readNow);
    if (final) {
      text += this.decoder.end();
      this.ended = true;
    }
    return { text, skippedBytes, state, exitCode, ended: this.ended, missing, offset: this.offset };
  }
}
