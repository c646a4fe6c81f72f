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
 */
import * as vscode from 'vscode';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
// Local runs are processes of this machine, not a cluster: the one exception to the rule above.
// eslint-disable-next-line no-restricted-imports
import { LocalTransport } from '../../transport/local';
import { detectLauncher, NoLauncherError, type LauncherInfo } from '../../core/mpi/launcher';
import { currentPackageFamily, mpiInstallHint } from '../../core/mpi/installHints';
import { isPythonProgram } from '../../core/mpi/launchPlan';
import { choosePythonForMpi } from '../../core/mpi/python';
import { startLocalRun, type RankRun, type RunResult } from '../../core/mpi/run';
import type { RankLine } from '../../core/mpi/rankOutput';
import { RunTerminal, summarise, type RunSummary } from './runTerminal';

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

const LAST_RANKS = 'hpcWorkbench.mpi.lastRanks';
const LAST_WORKERS = 'hpcWorkbench.multiprocessing.lastWorkers';

interface ActiveRun {
  terminal: vscode.Terminal | undefined;
  pty: RunTerminal;
  summary: Promise<RunSummary | undefined>;
}

type RunSpec =
  | { mode: 'mpi'; file: string; ranks: number; args: string[]; launcher?: string; python?: string; cwd: string }
  | { mode: 'multiprocessing'; file: string; ranks: number; args: string[]; python?: string; cwd: string };

export function registerMpi(context: vscode.ExtensionContext): void {
  const runner = new LocalTransport();
  const active: ActiveRun[] = [];
  const launchers = new Map<string, LauncherInfo>();

  const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration('hpcWorkbench');

  async function extensionPython(resource: vscode.Uri | undefined): Promise<string | undefined> {
    const ext = vscode.extensions.getExtension('ms-python.python');
    if (!ext) return undefined;
    try {
      const api = (ext.isActive ? ext.exports : await ext.activate()) as {
        environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string } };
        settings?: { getExecutionDetails(r?: vscode.Uri): { execCommand?: string[] } };
      };
      const env = api?.environments?.getActiveEnvironmentPath(resource)?.path;
      if (env) return env;
      return api?.settings?.getExecutionDetails(resource)?.execCommand?.[0];
    } catch {
      return undefined;
    }
  }

  async function launcherFor(setting: string): Promise<LauncherInfo> {
    const key = `${setting}\0${process.env.SLURM_JOB_ID ?? ''}`;
    let info = launchers.get(key);
    if (!info) {
      info = await detectLauncher({ setting, env: process.env, runner });
      launchers.set(key, info);
    }
    return info;
  }

  /** Starts the run inside the terminal; returns the run, or undefined after showing why not. */
  async function startRun(spec: RunSpec, pty: RunTerminal, lines: RankLine[]): Promise<{ run: RankRun; what: string } | undefined> {
    const family = currentPackageFamily();
    const isRoot = process.getuid?.() === 0;
    const onLine = (line: RankLine): void => {
      lines.push(line);
      pty.addLine(line);
    };
    if (spec.mode === 'multiprocessing') {
      const python = spec.python || config().get<string>('python') || (await extensionPython(vscode.Uri.file(spec.file))) || 'python3';
      pty.notice(`\x1b[2m${python} ${path.basename(spec.file)} with HPCW_WORKERS=${spec.ranks}\x1b[0m`);
      const run = startLocalRun({ program: spec.file, args: spec.args, ranks: spec.ranks, python }, 'multiprocessing', { cwd: spec.cwd, onLine });
      return { run, what: 'Run' };
    }
    let launcher: LauncherInfo;
    try {
      launcher = await launcherFor(spec.launcher ?? config().get<string>('mpi.launcher', 'auto'));
    } catch (err) {
      if (err instanceof NoLauncherError) throw new Error(`${err.message} Install an MPI: ${mpiInstallHint(family, isRoot)}`);
      throw err;
    }
    let python: string | undefined;
    if (isPythonProgram(spec.file)) {
      const choice = await choosePythonForMpi({
        runner,
        setting: spec.python ?? config().get<string>('python'),
        extensionPython: await extensionPython(vscode.Uri.file(spec.file)),
        family,
        isRoot,
      });
      python = choice.python;
      if (choice.notice) pty.notice(`\x1b[33m${choice.notice}\x1b[0m`);
    } else {
      try {
        accessSync(spec.file, constants.X_OK);
      } catch {
        throw new Error(`${spec.file} is not executable: run a Python file, or compile the program first (e.g. mpicc) and run the executable.`);
      }
    }
    let srunMpi: string | undefined;
    if (launcher.kind === 'slurm') {
      // Open MPI programs need PMIx under srun; ask the mpirun on PATH which MPI this is.
      srunMpi = await launcherFor('mpirun').then((l) => (l.kind === 'openmpi' ? 'pmix' : undefined), () => undefined);
    }
    const run = startLocalRun(
      {
        launcher,
        program: spec.file,
        args: spec.args,
        ranks: spec.ranks,
        python,
        extraArgs: config().get<string[]>('mpi.extraArgs', []),
        srunMpi,
      },
      'mpi',
      { cwd: spec.cwd, onLine },
    );
    pty.notice(`\x1b[2m${path.basename(launcher.command)} (${launcher.kind}${launcher.version ? ` ${launcher.version}` : ''}), ${spec.ranks} ranks${python ? `, ${python}` : ''}\x1b[0m`);
    return { run, what: 'MPI run' };
  }

  /** Opens a terminal for the run (or uses the task's) and resolves with the summary. */
  function launch(spec: RunSpec, task?: { onPty: (pty: RunTerminal) => void }): ActiveRun {
    const lines: RankLine[] = [];
    let resolveSummary!: (s: RunSummary | undefined) => void;
    const summary = new Promise<RunSummary | undefined>((r) => (resolveSummary = r));
    const title =
      spec.mode === 'mpi'
        ? `MPI: ${path.basename(spec.file)} × ${spec.ranks} ranks`
        : `multiprocessing: ${path.basename(spec.file)} × ${spec.ranks} workers`;
    const entry: ActiveRun = { terminal: undefined, pty: undefined as unknown as RunTerminal, summary };
    const pty = new RunTerminal(
      title,
      async (terminal) => {
        let started: { run: RankRun; what: string } | undefined;
        try {
          started = await startRun(spec, terminal, lines);
          if (!started) throw new Error('The run did not start.');
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          terminal.notice(`\x1b[31m${message}\x1b[0m`);
          void vscode.window.showErrorMessage(message);
          resolveSummary({ exitCode: null, signal: null, stopped: false, leftovers: 0, error: message, lines, durationMs: 0 });
          remove(entry);
          return undefined;
        }
        const { run, what } = started;
        if (terminal.isClosed) void run.stop(); // closed while we were detecting the launcher
        void run.done.then((result: RunResult) => {
          terminal.finish(result, what);
          resolveSummary(summarise(result, lines));
          remove(entry);
        });
        return run;
      },
      task !== undefined,
    );
    entry.pty = pty;
    active.push(entry);
    if (task) {
      task.onPty(pty);
    } else {
      entry.terminal = vscode.window.createTerminal({ name: title, pty, iconPath: new vscode.ThemeIcon('run-all') });
      entry.terminal.show(true);
    }
    return entry;
  }

  function remove(entry: ActiveRun): void {
    const i = active.indexOf(entry);
    if (i >= 0) active.splice(i, 1);
  }

  async function resolveFile(arg: { file?: string } | vscode.Uri | undefined): Promise<string | undefined> {
    let file: string | undefined;
    if (arg instanceof vscode.Uri) file = arg.fsPath;
    else if (arg?.file) file = path.resolve(arg.file);
    const doc =
      vscode.window.activeTextEditor?.document ??
      vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.languageId === 'python');
    if (!file && doc?.uri.scheme === 'file') file = doc.uri.fsPath;
    if (!file) {
      void vscode.window.showErrorMessage('Open the program to run (a Python file or an executable) first.');
      return undefined;
    }
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
    if (open?.isDirty) await open.save();
    return file;
  }

  async function askCount(key: string, prompt: string, given: number | undefined): Promise<number | undefined> {
    if (given !== undefined) {
      if (!Number.isInteger(given) || given < 1) throw new Error(`${prompt} must be a whole number of at least 1.`);
      await context.workspaceState.update(key, given);
      return given;
    }
    const last = context.workspaceState.get<number>(key) ?? config().get<number>('mpi.ranks', 4);
    const value = await vscode.window.showInputBox({
      prompt,
      value: String(last),
      validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A whole number of at least 1'),
    });
    if (value === undefined) return undefined;
    const n = Number(value.trim());
    await context.workspaceState.update(key, n);
    return n;
  }

  const cwdFor = (file: string, cwd?: string): string =>
    cwd ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);

  context.subscriptions.push(
    vscode.commands.registerCommand('hpcWorkbench.runMpi', async (arg?: RunMpiArgs | vscode.Uri): Promise<RunSummary | undefined> => {
      const file = await resolveFile(arg);
      if (!file) return undefined;
      const opts = arg instanceof vscode.Uri ? {} : (arg ?? {});
      const ranks = await askCount(LAST_RANKS, 'Number of MPI ranks', opts.ranks);
      if (ranks === undefined) return undefined;
      const spec: RunSpec = { mode: 'mpi', file, ranks, args: opts.args ?? [], launcher: opts.launcher, python: opts.python, cwd: cwdFor(file, opts.cwd) };
      return launch(spec).summary;
    }),
    vscode.commands.registerCommand(
      'hpcWorkbench.runMultiprocessing',
      async (arg?: RunMultiprocessingArgs | vscode.Uri): Promise<RunSummary | undefined> => {
        const file = await resolveFile(arg);
        if (!file) return undefined;
        const opts = arg instanceof vscode.Uri ? {} : (arg ?? {});
        const workers = await askCount(LAST_WORKERS, 'Number of worker processes (HPCW_WORKERS)', opts.workers);
        if (workers === undefined) return undefined;
        const spec: RunSpec = { mode: 'multiprocessing', file, ranks: workers, args: opts.args ?? [], python: opts.python, cwd: cwdFor(file, opts.cwd) };
        return launch(spec).summary;
      },
    ),
    vscode.commands.registerCommand('hpcWorkbench.stopMpi', async (): Promise<RunSummary | undefined> => {
      const running = active.filter((a) => a.pty.currentRun?.running);
      if (running.length === 0) {
        void vscode.window.showInformationMessage('No MPI or multiprocessing run is running.');
        return undefined;
      }
      // The run of the focused terminal, else the newest.
      const focused = running.find((a) => a.terminal && a.terminal === vscode.window.activeTerminal);
      const target = focused ?? running[running.length - 1];
      await target.pty.currentRun?.stop();
      return target.summary;
    }),
    vscode.tasks.registerTaskProvider('mpi', {
      provideTasks: () => [],
      resolveTask: (task) => resolveMpiTask(task),
    }),
    { dispose: () => active.forEach((a) => void a.pty.currentRun?.stop()) },
  );

  function resolveMpiTask(task: vscode.Task): vscode.Task | undefined {
    const def = task.definition as vscode.TaskDefinition & { program?: string; ranks?: number; args?: string[]; launcher?: string; python?: string };
    if (!def.program) return undefined;
    const folder = typeof task.scope === 'object' ? task.scope.uri.fsPath : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const substitute = (s: string): string => s.replace(/\$\{workspaceFolder\}/g, folder ?? '').replace(/\$\{file\}/g, vscode.window.activeTextEditor?.document.uri.fsPath ?? '');
    const program = path.resolve(folder ?? process.cwd(), substitute(def.program));
    const execution = new vscode.CustomExecution(async () => {
      let pty: RunTerminal | undefined;
      launch(
        {
          mode: 'mpi',
          file: program,
          ranks: def.ranks ?? config().get<number>('mpi.ranks', 4),
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
}
