/**
 * Reading the rank directory of a run: the output files each rank (or each process of a
 * multiprocessing run) writes, and the status files the rank wrapper leaves. The names and the
 * text are interpreted by src/core/mpi (rankOutputFile, parseRankStatus); this module only reads.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseRankStatus, rankStatusFileRank, type RankStatus } from '../../core/mpi/failure';
import { LineSplitter, rankOutputFile, type RankLine } from '../../core/mpi/rankOutput';

interface FollowedFile {
  fd: number;
  offset: number;
  splitter: LineSplitter;
}

/**
 * Follows every output file in a directory (`<rank>.out|err`, `w<pid>.out|err`). `poll()` reads
 * what was appended since the last call; `finish()` reads to the end and flushes unfinished lines
 * (call it once every writer has exited, so nothing can be missed). Each file has its own line
 * splitter: a line can only ever hold what one writer wrote.
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
      const kind = rankOutputFile(name);
      if (!kind) continue;
      let file = this.files.get(name);
      if (!file) {
        let fd: number;
        try {
          fd = openSync(join(this.dir, name), 'r');
        } catch {
          continue;
        }
        const { rank, stream } = kind;
        const splitter = new LineSplitter((text) => this.onLine(rank === undefined ? { stream, text } : { rank, stream, text }));
        file = { fd, offset: 0, splitter };
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

/** The status files of a rank directory, by rank. */
export function readRankStatuses(dir: string): RankStatus[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const statuses: RankStatus[] = [];
  for (const name of names) {
    const rank = rankStatusFileRank(name);
    if (rank === undefined) continue;
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const status = parseRankStatus(text);
    if (!status) continue;
    // A clock written by the rank, else when the status file was written (the kernel's coarse
    // clock: ranks that end within a few ms of each other tie and are ordered by rank).
    let endedNs = status.endedNs ?? 0n;
    if (status.endedNs === undefined) {
      try {
        endedNs = statSync(join(dir, name), { bigint: true }).mtimeNs;
      } catch {
        endedNs = 0n;
      }
    }
    statuses.push({ rank, code: status.code, endedNs });
  }
  return statuses.sort((a, b) => a.rank - b.rank);
}
