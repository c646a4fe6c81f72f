/**
 * The pseudoterminal of one run: every line tagged `[rank N]` and coloured by rank, a filter to
 * one rank (keys in the terminal), the exit status, and stop when the terminal is closed.
 *
 * Keys: a rank number then Enter shows only that rank; `a` shows all; `f` picks a rank from a
 * list; Ctrl+C stops the run.
 */
import * as vscode from 'vscode';
import type { RankLine } from '../../core/mpi/rankOutput';
import { formatTracebackSummary } from '../../core/mpi/failure';
import type { RankRun, RunResult } from '../../core/mpi/run';

/** What the runMpi / runMultiprocessing commands resolve with. */
export interface RunSummary {
  exitCode: number | null;
  signal: string | null;
  failedRank?: number;
  failedRankExitCode?: number;
  stopped: boolean;
  leftovers: number;
  error?: string;
  /** Every line of the run, in the order shown. */
  lines: RankLine[];
  durationMs: number;
}

const COLOURS = [36, 33, 35, 32, 34, 91, 96, 93, 95, 92, 94, 31];
const MAX_LINES = 200_000;
const RESET = '\x1b[0m';

export function tag(line: RankLine): string {
  return line.rank === undefined ? '' : `[rank ${line.rank}] `;
}

function colour(line: RankLine): string {
  if (line.rank === undefined) return line.stream === 'stderr' ? '\x1b[2m' : '';
  return `\x1b[${COLOURS[line.rank % COLOURS.length]}m`;
}

/** Terminal text of one line: the tag in the rank's colour, stderr text in red. */
export function renderLine(line: RankLine): string {
  const text = line.text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
  const body = line.stream === 'stderr' && line.rank !== undefined ? `\x1b[31m${text}${RESET}` : text;
  return `${colour(line)}${tag(line)}${line.rank === undefined ? '' : RESET}${body}${line.rank === undefined ? RESET : ''}\r\n`;
}

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  readonly lines: RankLine[] = [];
  private readonly ranksSeen = new Set<number>();
  private filter: number | undefined;
  private typed = '';
  private opened = false;
  private readonly pending: string[] = [];
  private run: RankRun | undefined;
  private footer: string[] = [];
  private result: RunResult | undefined;
  private closed = false;

  /**
   * @param title shown at the top
   * @param start starts the run once the terminal is open (lines go to `addLine`)
   * @param closeOnEnd for tasks: close the terminal with the exit code when the run ends
   */
  constructor(
    private readonly title: string,
    private readonly start: (terminal: RunTerminal) => Promise<RankRun | undefined>,
    private readonly closeOnEnd = false,
  ) {}

  get currentRun(): RankRun | undefined {
    return this.run;
  }

  open(): void {
    this.opened = true;
    this.write(`\x1b[1m${this.title}\x1b[0m\r\n\x1b[2mKeys: rank number + Enter = only that rank, a = all ranks, f = pick a rank, Ctrl+C = stop\x1b[0m\r\n`);
    for (const p of this.pending.splice(0)) this.writeEmitter.fire(p);
    void this.start(this).then(
      (run) => {
        this.run = run;
        if (!run) this.finishWithoutRun();
      },
      (err: unknown) => {
        this.notice(`\x1b[31m${err instanceof Error ? err.message : String(err)}\x1b[0m`);
        this.finishWithoutRun();
      },
    );
  }

  close(): void {
    this.closed = true;
    void this.run?.stop();
  }

  private finishWithoutRun(): void {
    if (this.closeOnEnd && !this.closed) this.closeEmitter.fire(1);
  }

  private write(text: string): void {
    if (this.opened) this.writeEmitter.fire(text);
    else this.pending.push(text);
  }

  /** A line of the run's output. */
  addLine(line: RankLine): void {
    if (this.lines.length >= MAX_LINES) this.lines.shift();
    this.lines.push(line);
    if (line.rank !== undefined && !this.ranksSeen.has(line.rank)) this.ranksSeen.add(line.rank);
    if (this.filter === undefined || line.rank === this.filter || line.rank === undefined) this.write(renderLine(line));
  }

  /** A message of ours (not the program's), always shown. */
  notice(text: string): void {
    this.footer.push(text);
    this.write(`${text}\r\n`);
  }

  /** Shows the end of the run. */
  finish(result: RunResult, what: string): void {
    this.result = result;
    // Plain text: the mpi-python problem matcher reads these lines.
    for (const t of result.tracebacks) this.notice(formatTracebackSummary(t));
    this.notice(describeResult(result, what));
    if (this.closeOnEnd && !this.closed) this.closeEmitter.fire(result.exitCode ?? 1);
  }

  /** Shows one rank only (undefined = all), re-rendering the buffered lines. */
  setFilter(rank: number | undefined): void {
    this.filter = rank;
    this.writeEmitter.fire('\x1b[2J\x1b[3J\x1b[H');
    const header = rank === undefined ? 'all ranks' : `rank ${rank} only (a = all ranks)`;
    this.writeEmitter.fire(`\x1b[1m${this.title}\x1b[0m — \x1b[1m${header}\x1b[0m\r\n`);
    for (const line of this.lines) {
      if (rank === undefined || line.rank === rank || line.rank === undefined) this.writeEmitter.fire(renderLine(line));
    }
    if (this.result) for (const f of this.footer) this.writeEmitter.fire(`${f}\r\n`);
  }

  get ranks(): number[] {
    return [...this.ranksSeen].sort((a, b) => a - b);
  }

  handleInput(data: string): void {
    for (const ch of data) {
      if (ch === '\x03') {
        this.notice('Stopping…');
        void this.run?.stop();
      } else if (/[0-9]/.test(ch)) {
        this.typed += ch;
        this.write(`\x1b[2m${ch}\x1b[0m`);
      } else if (ch === '\r' || ch === '\n') {
        if (this.typed !== '') {
          const rank = Number(this.typed);
          this.typed = '';
          this.setFilter(rank);
        }
      } else if (ch === 'a' || ch === 'A') {
        this.typed = '';
        this.setFilter(undefined);
      } else if (ch === 'f' || ch === 'F') {
        void this.pickFilter();
      } else if (ch === '\x7f' && this.typed) {
        this.typed = this.typed.slice(0, -1);
        this.write('\b \b');
      }
    }
  }

  async pickFilter(): Promise<void> {
    const items = [{ label: 'All ranks', rank: undefined as number | undefined }, ...this.ranks.map((r) => ({ label: `Rank ${r}`, rank: r as number | undefined }))];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Show the output of' });
    if (picked) this.setFilter(picked.rank);
  }
}

export function describeResult(result: RunResult, what: string): string {
  if (result.error) return `\x1b[31m${result.error}\x1b[0m`;
  const secs = (result.durationMs / 1000).toFixed(1);
  if (result.stopped) return `\x1b[33m${what} stopped after ${secs} s.\x1b[0m`;
  if (result.exitCode === 0) return `\x1b[32m${what} finished: exit code 0 (${secs} s).\x1b[0m`;
  const status = result.exitCode === null ? `signal ${result.signal}` : `exit code ${result.exitCode}`;
  const rank = result.failedRank === undefined ? '' : ` — rank ${result.failedRank} failed${result.failedRankExitCode === undefined ? '' : ` (exit code ${result.failedRankExitCode})`}`;
  return `\x1b[31m${what} failed: ${status}${rank} (${secs} s).\x1b[0m`;
}

export function summarise(result: RunResult, lines: RankLine[]): RunSummary {
  return {
    exitCode: result.exitCode,
    signal: result.signal,
    failedRank: result.failedRank,
    failedRankExitCode: result.failedRankExitCode,
    stopped: result.stopped,
    leftovers: result.leftovers,
    error: result.error,
    lines,
    durationMs: result.durationMs,
  };
}
