/**
 * Local multi-rank runs: `hpcWorkbench.runMpi`, `hpcWorkbench.runMultiprocessing`,
 * `hpcWorkbench.stopMpi`, and tasks of type `mpi`.
 *
 * For tests and automation the run commands take an optional argument object and resolve with the
 * run's summary (RunSummary: exitCode, failedRank, lines, ...), or undefined when cancelled:
 *   executeCommand('hpcWorkbench.runMpi', { file, ranks, args, launcher, python, cwd })
 *   executeCommand('hpcWorkbench.runMultiprocessing', { file, workers, args, python, cwd })
 * Given `ranks`/`workers`, nothing is asked. From menus the argument is the file's Uri.
 * `hpcWorkbench.stopMpi` stops the newest running run and resolves with its summary.
 *
 * runCommands.ts holds the three commands, mpiTasks.ts the task provider, runs.ts the runs of the
 * window (start, terminal, stop), prompts.ts what a command asks before it starts.
 */
import * as vscode from 'vscode';
import { registerMpiTasks } from './mpiTasks';
import { registerRunCommands } from './runCommands';
import type { ExtensionState } from '../state';
import { MpiRuns } from './runs';

export type { RunSummary } from './runTerminal';

export interface RunMpiArgs {
  file?: string;
  ranks?: number;
  args?: string[];
  launcher?: string;
  python?: string;
  cwd?: string;
}

export interface RunMultiprocessingArgs {
  file?: string;
  workers?: number;
  args?: string[];
  python?: string;
  cwd?: string;
}

export function registerMpi(context: vscode.ExtensionContext, state: ExtensionState): void {
  const runs = new MpiRuns();
  context.subscriptions.push(runs);
  registerRunCommands(context, state, runs);
  registerMpiTasks(context, runs);
}
