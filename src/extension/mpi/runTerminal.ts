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
import type { RankRun, RunResult } from '../../runtime/mpi/run';
import { RankView } from './rankView';

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

export class RunTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;

  private readonly view: RankView;
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
  ) {
    this.view = new RankView(title);
  }

  /** True once the user closed the terminal (a run that starts after that is stopped at once). */
  get isClosed(): boolean {
    return this.closed;
  }

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
    const text = this.view.add(line);
    if (text) this.write(text);
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
    this.write(this.view.setFilter(rank, this.result ? this.footer : []));
  }

  handleInput(data: string): void {
    for (const action of this.view.keys(data)) {
      if (action.kind === 'stop') {
        this.notice('Stopping…');
        void this.run?.stop();
      } else if (action.kind === 'echo') this.write(action.text);
      else if (action.kind === 'filter') this.setFilter(action.rank);
      else void this.pickFilter();
    }
  }

  async pickFilter(): Promise<void> {
    const items = [{ label: 'All ranks', rank: undefined as number | undefined }, ...this.view.ranks.map((r) => ({ label: `Rank ${r}`, rank: r as number | undefined }))];
    const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Show the output of' });
    if (picked) this.setFilter(picked.rank);
  }
}

/** The last line of a run, coloured: finished, stopped or failed (with the failed rank). */
function describeResult(result: RunResult, what: string): string {
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
