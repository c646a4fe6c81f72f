/**
 * The rank-output demultiplexer, pure half. Ranks write into `<rank>.out` / `<rank>.err` files of
 * one directory (see RANK_WRAPPER in launchPlan.ts); the runtime's RankFileTail
 * (src/runtime/mpi/rankFiles.ts) follows those files and turns them into lines tagged with the
 * rank. LineSplitter does the same for one plain stream (the launcher's own output, or the main
 * process of a multiprocessing run).
 */
import { StringDecoder } from 'node:string_decoder';

export type OutputStream = 'stdout' | 'stderr';

export interface RankLine {
  /** The MPI rank; undefined for the launcher's own output and for multiprocessing runs. */
  rank?: number;
  stream: OutputStream;
  text: string;
}

/** A line longer than this is cut into pieces rather than held in memory indefinitely. */
export const MAX_LINE = 1 << 20;

/** Splits a byte stream into lines (\n or \r\n), holding the unfinished last line. */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (text: string) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let start = 0;
    for (;;) {
      const nl = this.pending.indexOf('\n', start);
      if (nl < 0) break;
      const end = nl > start && this.pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.onLine(this.pending.slice(start, end));
      start = nl + 1;
    }
    this.pending = this.pending.slice(start);
    while (this.pending.length >= MAX_LINE) {
      this.onLine(this.pending.slice(0, MAX_LINE));
      this.pending = this.pending.slice(MAX_LINE);
    }
  }

  /** Emits what is left (a last line without a newline). */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
  }
}

/**
 * Which output a file of the rank directory holds, from its name: `<rank>.out|err` (an MPI rank,
 * see RANK_WRAPPER) or `w<pid>.out|err` (one process of a multiprocessing run, see WORKER_HOOK;
 * its lines carry no rank). Undefined for any other file.
 */
export function rankOutputFile(name: string): { rank?: number; stream: OutputStream } | undefined {
  const m = /^(w?)(\d+)\.(out|err)$/.exec(name);
  if (!m) return undefined;
  const stream: OutputStream = m[3] === 'out' ? 'stdout' : 'stderr';
  return m[1] ? { stream } : { rank: Number(m[2]), stream };
}
