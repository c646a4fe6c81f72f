/**
 * The local runs of this window: starts a run in a terminal (or a task's), remembers the running
 * ones for hpcWorkbench.stopMpi, and caches the detected launchers.
 */
import * as vscode from 'vscode';
import { accessSync, constants } from 'node:fs';
import * as path from 'node:path';
// Local runs are processes of this machine, not a cluster: the one exception to the rule that
// src/extension does not import src/transport.
// eslint-disable-next-line no-restricted-imports
import { LocalTransport } from '../../transport/local';
import { NoLauncherError, type LauncherInfo } from '../../core/mpi/launcher';
import { mpiInstallHint } from '../../core/mpi/installHints';
import { isPythonProgram } from '../../core/mpi/launchPlan';
import { choosePythonForMpi } from '../../core/mpi/python';
import type { RankLine } from '../../core/mpi/rankOutput';
import { detectLocalLauncher } from '../../runtime/mpi/launcher';
import { localPlatform } from '../../runtime/mpi/platform';
import { startLocalRun, type RankRun, type RunResult } from '../../runtime/mpi/run';
import { extensionPython } from './pythonExtension';
import { RunTerminal, summarise, type RunSummary } from './runTerminal';

export interface ActiveRun {
  terminal: vscode.Terminal | undefined;
  pty: RunTerminal;
  summary: Promise<RunSummary | undefined>;
}

export type RunSpec =
  | { mode: 'mpi'; file: string; ranks: number; args: string[]; launcher?: string; python?: string; cwd: string }
  | { mode: 'multiprocessing'; file: string; ranks: number; args: string[]; python?: string; cwd: string };

import { settings } from '../settings';

export class MpiRuns implements vscode.Disposable {
  private readonly runner = new LocalTransport();
  private readonly active: ActiveRun[] = [];
  private readonly launchers = new Map<string, LauncherInfo>();

  /** The runs whose processes are running, oldest first. */
  running(): ActiveRun[] {
    return this.active.filter((a) => a.pty.currentRun?.running);
  }

  dispose(): void {
    this.active.forEach((a) => void a.pty.currentRun?.stop());
  }

  private async launcherFor(setting: string): Promise<LauncherInfo> {
    const key = `${setting}\0${process.env.SLURM_JOB_ID ?? ''}`;
    let info = this.launchers.get(key);
    if (!info) {
      info = await detectLocalLauncher({ setting, env: process.env, runner: this.runner });
      this.launchers.set(key, info);
    }
    return info;
  }

  /** Starts the run inside the terminal; returns the run, or undefined after showing why not. */
  private async startRun(spec: RunSpec, pty: RunTerminal, lines: RankLine[]): Promise<{ run: RankRun; what: string } | undefined> {
    const { family, isRoot } = localPlatform();
    const onLine = (line: RankLine): void => {
      lines.push(line);
      pty.addLine(line);
    };
    if (spec.mode === 'multiprocessing') {
      const python = spec.python || settings.python() || (await extensionPython(vscode.Uri.file(spec.file))) || 'python3';
      pty.notice(`\x1b[2m${python} ${path.basename(spec.file)} with HPCW_WORKERS=${spec.ranks}\x1b[0m`);
      const run = startLocalRun({ program: spec.file, args: spec.args, ranks: spec.ranks, python }, 'multiprocessing', { cwd: spec.cwd, onLine });
      return { run, what: 'Run' };
    }
    let launcher: LauncherInfo;
    try {
      launcher = await this.launcherFor(spec.launcher ?? settings.mpiLauncher());
    } catch (err) {
      if (err instanceof NoLauncherError) throw new Error(`${err.message} Install an MPI: ${mpiInstallHint(family, isRoot)}`);
      throw err;
    }
    let python: string | undefined;
    if (isPythonProgram(spec.file)) {
      const choice = await choosePythonForMpi({
        runner: this.runner,
        setting: spec.python ?? settings.python(),
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
      srunMpi = await this.launcherFor('mpirun').then((l) => (l.kind === 'openmpi' ? 'pmix' : undefined), () => undefined);
    }
    const run = startLocalRun(
      {
        launcher,
        program: spec.file,
        args: spec.args,
        ranks: spec.ranks,
        python,
        extraArgs: settings.mpiExtraArgs(),
        srunMpi,
      },
      'mpi',
      { cwd: spec.cwd, onLine },
    );
    pty.notice(`\x1b[2m${path.basename(launcher.command)} (${launcher.kind}${launcher.version ? ` ${launcher.version}` : ''}), ${spec.ranks} ranks${python ? `, ${python}` : ''}\x1b[0m`);
    return { run, what: 'MPI run' };
  }

  /** Opens a terminal for the run (or uses the task's) and resolves with the summary. */
  launch(spec: RunSpec, task?: { onPty: (pty: RunTerminal) => void }): ActiveRun {
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
          started = await this.startRun(spec, terminal, lines);
          if (!started) throw new Error('The run did not start.');
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          terminal.notice(`\x1b[31m${message}\x1b[0m`);
          void vscode.window.showErrorMessage(message);
          resolveSummary({ exitCode: null, signal: null, stopped: false, leftovers: 0, error: message, lines, durationMs: 0 });
          this.remove(entry);
          return undefined;
        }
        const { run, what } = started;
        if (terminal.isClosed) void run.stop(); // closed while we were detecting the launcher
        void run.done.then((result: RunResult) => {
          terminal.finish(result, what);
          resolveSummary(summarise(result, lines));
          this.remove(entry);
        });
        return run;
      },
      task !== undefined,
    );
    entry.pty = pty;
    this.active.push(entry);
    if (task) {
      task.onPty(pty);
    } else {
      entry.terminal = vscode.window.createTerminal({ name: title, pty, iconPath: new vscode.ThemeIcon('run-all') });
      entry.terminal.show(true);
    }
    return entry;
  }

  private remove(entry: ActiveRun): void {
    const i = this.active.indexOf(entry);
    if (i >= 0) this.active.splice(i, 1);
  }
}
