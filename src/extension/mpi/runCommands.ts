/**
 * hpcWorkbench.runMpi, hpcWorkbench.runMultiprocessing and hpcWorkbench.stopMpi. The argument
 * contracts are in index.ts (and the README, "Local MPI and multiprocessing runs").
 */
import * as vscode from 'vscode';
import { registerCommand } from '../commands';
import type { RunMpiArgs, RunMultiprocessingArgs } from './index';
import { askCount, cwdFor, resolveFile } from './prompts';
import type { RunSummary } from './runTerminal';
import type { MpiRuns, RunSpec } from './runs';
import type { CountKey, ExtensionState } from '../state';

/** The three commands, through the one wrapper (errors and cancellation become messages there). */
export function registerRunCommands(context: vscode.ExtensionContext, state: ExtensionState, runs: MpiRuns): void {
  registerCommand(context, 'hpcWorkbench.runMpi', (call, arg) => {
    call.doing = 'Starting the MPI run';
    return runMpi(state, runs, arg as RunMpiArgs | vscode.Uri | undefined);
  });
  registerCommand(context, 'hpcWorkbench.runMultiprocessing', (call, arg) => {
    call.doing = 'Starting the multiprocessing run';
    return runMultiprocessing(state, runs, arg as RunMultiprocessingArgs | vscode.Uri | undefined);
  });
  registerCommand(context, 'hpcWorkbench.stopMpi', (call) => {
    call.doing = 'Stopping the run';
    return stopMpi(runs);
  });
}

/** What runMpi and runMultiprocessing share: the program, the count (given or asked), the directory. */
async function prepare(
  state: ExtensionState,
  arg: (RunMpiArgs & RunMultiprocessingArgs) | vscode.Uri | undefined,
  count: { key: CountKey; prompt: string; given: (opts: RunMpiArgs & RunMultiprocessingArgs) => number | undefined },
): Promise<{ file: string; ranks: number; opts: RunMpiArgs & RunMultiprocessingArgs; cwd: string } | undefined> {
  const file = await resolveFile(arg);
  if (!file) return undefined;
  const opts = arg instanceof vscode.Uri ? {} : (arg ?? {});
  const ranks = await askCount(state, count.key, count.prompt, count.given(opts));
  if (ranks === undefined) return undefined;
  return { file, ranks, opts, cwd: cwdFor(file, opts.cwd) };
}

async function runMpi(state: ExtensionState, runs: MpiRuns, arg?: RunMpiArgs | vscode.Uri): Promise<RunSummary | undefined> {
  const p = await prepare(state, arg, { key: 'mpiRanks', prompt: 'Number of MPI ranks', given: (o) => o.ranks });
  if (!p) return undefined;
  const spec: RunSpec = { mode: 'mpi', file: p.file, ranks: p.ranks, args: p.opts.args ?? [], launcher: p.opts.launcher, python: p.opts.python, cwd: p.cwd };
  return runs.launch(spec).summary;
}

async function runMultiprocessing(state: ExtensionState, runs: MpiRuns, arg?: RunMultiprocessingArgs | vscode.Uri): Promise<RunSummary | undefined> {
  const p = await prepare(state, arg, { key: 'mpiWorkers', prompt: 'Number of worker processes (HPCW_WORKERS)', given: (o) => o.workers });
  if (!p) return undefined;
  const spec: RunSpec = { mode: 'multiprocessing', file: p.file, ranks: p.ranks, args: p.opts.args ?? [], python: p.opts.python, cwd: p.cwd };
  return runs.launch(spec).summary;
}

/** Stops the run of the focused terminal, else the newest; resolves with its summary. */
async function stopMpi(runs: MpiRuns): Promise<RunSummary | undefined> {
  const running = runs.running();
  if (running.length === 0) {
    void vscode.window.showInformationMessage('No MPI or multiprocessing run is running.');
    return undefined;
  }
  const focused = running.find((a) => a.terminal && a.terminal === vscode.window.activeTerminal);
  const target = focused ?? running[running.length - 1];
  await target.pty.currentRun?.stop();
  return target.summary;
}
