/**
 * Which rank failed. In order of trust:
 *  1. the per-rank status files the rank wrapper writes (exit code; written when it ends): the
 *     first rank to end with a non-zero code that is not the launcher's own SIGTERM/SIGKILL
 *     tear-down (143/137) is the one that failed; the others were killed because of it;
 *  2. a Python traceback on a rank's stderr (mpi4py prints it before it aborts every rank);
 *  3. the launcher's message ("MPI_ABORT was invoked on rank N", Open MPI's "Process name:
 *     [[x,y],N] ... Exit code", MPICH's "application called MPI_Abort(...) - process N").
 */
export interface RankStatus {
  rank: number;
  code: number;
  /** Wall clock in nanoseconds when the rank ended (0n when unknown). */
  endedNs: bigint;
}

/** The rank a status file belongs to, from its name (`<rank>.status`); undefined for other files. */
export function rankStatusFileRank(name: string): number | undefined {
  const m = /^(\d+)\.status$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads a status file's text: the exit code, and the clock the rank wrote after it (nanoseconds),
 * when it wrote one. Undefined when the text is not a status.
 */
export function parseRankStatus(text: string): { code: number; endedNs?: bigint } | undefined {
  const f = /^(\d+)(?:\s+(\d+))?/.exec(text.trim());
  if (!f) return undefined;
  return f[2] ? { code: Number(f[1]), endedNs: BigInt(f[2]) } : { code: Number(f[1]) };
}

const TEARDOWN_CODES = new Set([143, 137, 129, 130]); // SIGTERM, SIGKILL, SIGHUP, SIGINT

/** The first rank that failed by itself, from the status files. */
export function firstFailedStatus(statuses: readonly RankStatus[]): RankStatus | undefined {
  const failed = statuses.filter((s) => s.code !== 0);
  if (failed.length === 0) return undefined;
  const byTime = (a: RankStatus, b: RankStatus): number => (a.endedNs < b.endedNs ? -1 : a.endedNs > b.endedNs ? 1 : a.rank - b.rank);
  const own = failed.filter((s) => !TEARDOWN_CODES.has(s.code)).sort(byTime);
  return own[0] ?? [...failed].sort(byTime)[0];
}

/** The failing rank named by a launcher's own messages, if any. */
export function launcherFailedRank(text: string): number | undefined {
  const patterns = [
    /MPI_ABORT was invoked on rank (\d+)/,
    /Process name:\s*\[\[\d+,\d+\],(\d+)\]/,
    /MPI_Abort\([^)]*\)\s*-\s*process (\d+)/,
    /srun: error: [^:]+: task (\d+): Exited with exit code/,
  ];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m) return Number(m[1]);
  }
  return undefined;
}

export interface TracebackSummary {
  rank?: number;
  /** The innermost frame in the user's code (library frames skipped when possible). */
  file?: string;
  line?: number;
  /** The exception line, e.g. "ValueError: boom". */
  message: string;
}

const LIBRARY_FRAME = /(^<frozen |[/\\](site|dist)-packages[/\\]|[/\\]lib[/\\]python\d[\d.]*[/\\])/;

/**
 * Reads Python tracebacks out of one stream of lines (feed one rank's stderr). Handles 3.11+
 * caret lines and chained exceptions (each traceback gives one summary).
 */
export class TracebackScanner {
  readonly summaries: TracebackSummary[] = [];
  private frames: { file: string; line: number }[] | undefined;

  constructor(private readonly rank?: number) {}

  push(text: string): void {
    if (text === 'Traceback (most recent call last):') {
      this.frames = [];
      return;
    }
    if (!this.frames) return;
    const frame = /^\s+File "(.+)", line (\d+)/.exec(text);
    if (frame) {
      this.frames.push({ file: frame[1], line: Number(frame[2]) });
      return;
    }
    if (/^\s/.test(text) || text === '') return; // source line, carets
    if (this.frames.length === 0) {
      this.frames = undefined;
      return;
    }
    const user = [...this.frames].reverse().find((f) => !LIBRARY_FRAME.test(f.file)) ?? this.frames[this.frames.length - 1];
    this.summaries.push({ rank: this.rank, file: user.file, line: user.line, message: text });
    this.frames = undefined;
  }
}

/**
 * The one-line summary printed after a failed run, compiler style so that the `mpi-python` problem
 * matcher (package.json) reads it: `FILE:LINE: error: rank N: ValueError: boom`.
 */
export function formatTracebackSummary(s: TracebackSummary): string {
  return `${s.file ?? '?'}:${s.line ?? 1}: error: rank ${s.rank ?? '?'}: ${s.message}`;
}

/** The pattern of that line (kept in step with package.json's `mpi-python` problem matcher). */
export const TRACEBACK_SUMMARY_PATTERN = /^(.+):(\d+): error: (rank (?:\d+|\?): .*)$/;
