/** Tasks of type `mpi` (tasks.json: program, ranks, args, launcher, python), run like hpcWorkbench.runMpi. */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { RunTerminal } from './runTerminal';
import type { MpiRuns } from './runs';

import { settings } from '../settings';

export function registerMpiTasks(context: vscode.ExtensionContext, runs: MpiRuns): void {
  context.subscriptions.push(
    vscode.tasks.registerTaskProvider('mpi', {
      provideTasks: () => [],
      resolveTask: (task) => resolveMpiTask(runs, task),
    }),
  );
}

export function resolveMpiTask(runs: MpiRuns, task: vscode.Task): vscode.Task | undefined {
  const def = task.definition as vscode.TaskDefinition & { program?: string; ranks?: number; args?: string[]; launcher?: string; python?: string };
  if (!def.program) return undefined;
  const folder = typeof task.scope === 'object' ? task.scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const substitute = (s: string): string => s.replace(/\$\{workspaceFolder\}/g, folder ?? '').replace(/\$\{file\}/g, vscode.window.activeTextEditor?.document.uri.fsPath ?? '');
  const program = path.resolve(folder ?? process.cwd(), substitute(def.program));
  const execution = new vscode.CustomExecution(async () => {
    let pty: RunTerminal | undefined;
    runs.launch(
      {
        mode: 'mpi',
        file: program,
        ranks: def.ranks ?? settings.mpiRanks(),
        args: (def.args ?? []).map(substitute),
        launcher: def.launcher,
        python: def.python,
        cwd: folder ?? path.dirname(program),
      },
      { onPty: (p) => (pty = p) },
    );
    return pty!;
  });
  const resolved = new vscode.Task(def, task.scope ?? vscode.TaskScope.Workspace, task.name || path.basename(program), 'mpi', execution, task.problemMatchers.length ? task.problemMatchers : ['$mpi-python']);
  return resolved;
}
