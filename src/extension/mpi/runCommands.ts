/**
 * hpcWorkbench.runMpi, hpcWorkbench.runMultiprocessing and hpcWorkbench.stopMpi. The argument
 * contracts are in index.ts (and the README, "Local MPI and multiprocessing runs").
 */
import * as vscode from 'vscode';
import type { RunMpiArgs, RunMultiprocessingArgs } from './index';
import { askCount, cwdFor, resolveFile } from './prompts';
import type { RunSummary } from './runTerminal';
import type { MpiRuns, RunSpec } from './runs';

const LAST_RANKS = 'hpcWorkbench.mpi.lastRanks';
const LAST_WORKERS = 'hpcWorkbench.multiprocessing.lastWorkers';

export function registerRunCommands(context: vscode.ExtensionContext, runs: MpiRuns): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('hpcWorkbench.runMpi', (arg?: RunMpiArgs | vscode.Uri) => runMpi(context, runs, arg)),
    vscode.commands.registerCommand('hpcWorkbench.runMultiprocessing', (arg?: RunMultiprocessingArgs | vscode.Uri) => runMultiprocessing(context, runs, arg)),
    vscode.commands.registerCommand('hpcWorkbench.stopMpi', () => stopMpi(runs)),
  );
}

async function runMpi(context: vscode.ExtensionContext, runs: MpiRuns, arg?: RunMpiArgs | vscode.Uri): Promise<RunSummary | undefined> {
  const file = await resolveFile(arg);
  if (!file) return undefined;
  const opts = arg instanceof vscode.Uri ? {} : (arg ?? {});
  const ranks = await askCount(context, LAST_RANKS, 'Number of MPI ranks', opts.ranks);
  if (ranks === undefined) return undefined;
  const spec: RunSpec = { mode: 'mpi', file, ranks, args: opts.args ?? [], launcher: opts.launcher, python: opts.python, cwd: cwdFor(file, opts.cwd) };
  return runs.launch(spec).summary;
}

async function runMultiprocessing(context: vscode.ExtensionContext, runs: MpiRuns, arg?: RunMultiprocessingArgs | vscode.Uri): Promise<RunSummary | undefined> {
  const file = await resolveFile(arg);
  if (!file) return undefined;
  const opts = arg instanceof vscode.Uri ? {} : (arg ?? {});
  const workers = await askCount(context, LAST_WORKERS, 'Number of worker processes (HPCW_WORKERS)', opts.workers);
  if (workers === undefined) return undefined;
  const spec: RunSpec = { mode: 'multiprocessing', file, ranks: workers, args: opts.args ?? [], python: opts.python, cwd: cwdFor(file, opts.cwd) };
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
