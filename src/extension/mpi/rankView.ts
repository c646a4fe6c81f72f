/**
 * What the run terminal shows, without VS Code (unit-tested): lines tagged `[rank N]` and coloured
 * by rank, the rank filter, re-rendering of the buffered lines, and the filter keys.
 */
import type { RankLine } from '../../core/mpi/rankOutput';

const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92, 94, 31];
const RESET = '\x1b[0m';
export const MAX_BUFFERED_LINES = 200_000;
export const CLEAR_SCREEN = '\x1b[2J\x1b[3J\x1b[H';

export function rankTag(line: RankLine): string {
  return line.rank === undefined ? '' : `[rank ${line.rank}] `;
}

/** Terminal text of one line: the tag in the rank's colour, a rank's stderr in red; control characters of the program removed. */
export function renderLine(line: RankLine): string {
  const text = line.text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  if (line.rank === undefined) return line.stream === 'stderr' ? `\x1b[2m${text}${RESET}\r\n` : `${text}\r\n`;
  const colour = `\x1b[${COLOURS[line.rank % COLOURS.length]}m`;
  const body = line.stream === 'stderr' ? `\x1b[31m${text}${RESET}` : text;
  return `${colour}${rankTag(line)}${RESET}${body}\r\n`;
}

/** Removes colours: what a reader of the terminal sees. */
export function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}

export type KeyAction = { kind: 'filter'; rank: number | undefined } | { kind: 'pick' } | { kind: 'stop' } | { kind: 'echo'; text: string };

export class RankView {
  readonly lines: RankLine[] = [];
  private readonly ranksSeen = new Set<number>();
  private typed = '';
  filter: number | undefined;

  constructor(readonly title: string) {}

  /** Buffers a line; returns the text to write now ('' when filtered out). */
  add(line: RankLine): string {
    if (this.lines.length >= MAX_BUFFERED_LINES) this.lines.shift();
    this.lines.push(line);
    if (line.rank !== undefined) this.ranksSeen.add(line.rank);
    return this.shows(line) ? renderLine(line) : '';
  }

  shows(line: RankLine): boolean {
    return this.filter === undefined || line.rank === undefined || line.rank === this.filter;
  }

  get ranks(): number[] {
    return [...this.ranksSeen].sort((a, b) => a - b);
  }

  /** Sets the filter and returns the whole screen to write: cleared, header, the buffered lines that pass. */
  setFilter(rank: number | undefined, footer: readonly string[] = []): string {
    this.filter = rank;
    const header = rank === undefined ? 'all ranks' : `rank ${rank} only (press a for all ranks)`;
    const parts = [CLEAR_SCREEN, `\x1b[1m${this.title}\x1b[0m — \x1b[1m${header}\x1b[0m\r\n`];
    for (const line of this.lines) if (this.shows(line)) parts.push(renderLine(line));
    for (const f of footer) parts.push(`${f}\r\n`);
    return parts.join('');
  }

  /** Interprets keys typed in the terminal: digits + Enter = one rank, a = all, f = pick, Ctrl+C = stop. */
  keys(data: string): KeyAction[] {
    const actions: KeyAction[] = [];
    for (const ch of data) {
      if (ch === '\x03') actions.push({ kind: 'stop' });
      else if (/[0-9]/.test(ch)) {
        this.typed += ch;
        actions.push({ kind: 'echo', text: `\x1b[2m${ch}\x1b[0m` });
      } else if (ch === '\r' || ch === '\n') {
        if (this.typed !== '') actions.push({ kind: 'filter', rank: Number(this.typed) });
        this.typed = '';
      } else if (ch === 'a' || ch === 'A') {
        this.typed = '';
        actions.push({ kind: 'filter', rank: undefined });
      } else if (ch === 'f' || ch === 'F') {
        actions.push({ kind: 'pick' });
      } else if (ch === '\x7f' && this.typed) {
        this.typed = this.typed.slice(0, -1);
        actions.push({ kind: 'echo', text: '\b \b' });
      }
    }
    return actions;
  }
}
