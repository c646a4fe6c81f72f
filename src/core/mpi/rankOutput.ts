/**
 * The rank-output demultiplexer. Ranks write into `<rank>.out` / `<rank>.err` files of one
 * directory (see RANK_WRAPPER in launchPlan.ts); RankFileTail follows those files and turns
 * them into lines tagged with the rank. LineSplitter does the same for one plain stream (the
 * launcher's own output, or a multiprocessing run).
 */
import { closeSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
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

const RANK_FILE = /^(\d+)\.(out|err)$/;

interface FollowedFile {
  fd: number;
  offset: number;
  splitter: LineSplitter;
}

/**
 * Follows every `<rank>.out|err` file in a directory. `poll()` reads what was appended since the
 * last call; `finish()` reads to the end and flushes unfinished lines (call it once every writer
 * has exited, so nothing can be missed).
 */
export class RankFileTail {
  private readonly files = new Map<string, FollowedFile>();
  private readonly buffer = Buffer.allocUnsafe(1 << 16);
  private finished = false;

  constructor(
    private readonly dir: string,
    private readonly onLine: (line: RankLine) => void,
  ) {}

  poll(): void {
    if (this.finished) return;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    // Sorted so that a first poll that finds several files reads them in rank order.
    names.sort((a, b) => parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b));
    for (const name of names) {
      const m = RANK_FILE.exec(name);
      if (!m) continue;
      let file = this.files.get(name);
      if (!file) {
        let fd: number;
        try {
          fd = openSync(join(this.dir, name), 'r');
        } catch {
          continue;
        }
        const rank = Number(m[1]);
        const stream: OutputStream = m[2] === 'out' ? 'stdout' : 'stderr';
        file = { fd, offset: 0, splitter: new LineSplitter((text) => this.onLine({ rank, stream, text })) };
        this.files.set(name, file);
      }
      this.drain(file);
    }
  }

  private drain(file: FollowedFile): void {
    for (;;) {
      const n = readSync(file.fd, this.buffer, 0, this.buffer.length, file.offset);
      if (n <= 0) return;
      file.offset += n;
      file.splitter.push(Buffer.from(this.buffer.subarray(0, n)));
    }
  }

  finish(): void {
    if (this.finished) return;
    this.poll();
    this.finished = true;
    for (const file of this.files.values()) {
      file.splitter.end();
      closeSync(file.fd);
    }
    this.files.clear();
  }
}
