/**
 * The notebook controller of one cluster ("HPC Workbench: <cluster>") for .ipynb notebooks: owns
 * VS Code's NotebookController and one queue per notebook (cells run one after the other; a
 * followed job cell stays running while the queue moves on), classifies each cell and hands it
 * to its runner — Slurm line magics (magicCells.ts), `%%sbatch` cells with their live job card
 * (jobCells.ts), every other cell in the notebook's Jupyter kernel on the login node
 * (kernelCells.ts) — and routes interrupts (the kernel, the running cell, or asks whether to
 * cancel a followed job). Only the VS Code adaptation: the cell rules, tables, the card and the
 * output mapping are in src/core/notebook, the operations in src/cluster.
 */
import * as vscode from 'vscode';
import type { Cluster } from '../../cluster';
import { classifyCell } from '../../core/notebook/cells';
import { errorOutput, type CellCluster, type Running } from './cellRun';
import { followedCard, resumedFollow, submitJobCell } from './jobCells';
import { NotebookKernels, type InputPrompt, type JupyterCommand } from './kernelCells';
import { runMagics } from './magicCells';

export type { InputPrompt, JupyterCommand } from './kernelCells';

export const NOTEBOOK_TYPE = 'jupyter-notebook';
export const controllerId = (cluster: string): string => `hpcWorkbench.notebook.${cluster}`;

export type InterruptAnswer = 'cancel' | 'stop' | 'keep';

/** What an interrupt of a running job cell does: asks, unless a test set the answer. */
export type InterruptPrompt = (cluster: string, jobId: string) => Promise<InterruptAnswer>;

export class SlurmNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private order = 0;
  /** The cell each notebook's queue is running now. */
  private readonly running = new Map<string, Running>();
  /** Job cells whose job is being followed: they stay running while the queue moves on. */
  private readonly following = new Set<Running>();
  /** One queue per notebook: cells run one after the other. */
  private readonly queues = new Map<string, Promise<void>>();
  private readonly on: CellCluster;
  private readonly kernels: NotebookKernels;

  constructor(
    private readonly clusterName: string,
    private readonly cluster: () => Cluster,
    private readonly askInterrupt: InterruptPrompt,
    description?: string,
    jupyterCommand: JupyterCommand = () => undefined,
    askInput: InputPrompt = async () => undefined,
  ) {
    this.on = { clusterName, cluster };
    this.kernels = new NotebookKernels(this.on, jupyterCommand, askInput);
    this.controller = vscode.notebooks.createNotebookController(controllerId(clusterName), NOTEBOOK_TYPE, `HPC Workbench: ${clusterName}`);
    this.controller.description = description;
    this.controller.detail = 'Slurm magics, %%sbatch cells, and Python in a Jupyter kernel on the login node';
    this.controller.supportedLanguages = ['python', 'sbatch', 'shellscript', 'plaintext'];
    this.controller.supportsExecutionOrder = true;
    this.controller.executeHandler = (cells, notebook) => this.enqueue(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
      if (selected) this.resumeCards(notebook);
      else void this.shutdownKernel(notebook);
    });
  }

  private enqueue(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const executions = cells.map((cell) => ({ cell, execution: this.controller.createNotebookCellExecution(cell) }));
    const run = async (): Promise<void> => {
      for (const { cell, execution } of executions) {
        const state: Running = { cell, abort: new AbortController() };
        this.running.set(key, state);
        try {
          await this.execute(execution, state);
        } finally {
          this.running.delete(key);
        }
        if (execution.token.isCancellationRequested) break;
      }
    };
    const next = (this.queues.get(key) ?? Promise.resolve()).then(run, run);
    this.queues.set(key, next);
    return next;
  }

  private async execute(execution: vscode.NotebookCellExecution, state: Running): Promise<void> {
    execution.executionOrder = ++this.order;
    execution.start(Date.now());
    let success = false;
    /** A job cell: submitted, its card followed in the background; it ends itself. */
    let follow: (() => Promise<boolean>) | undefined;
    try {
      await execution.clearOutput();
      const kind = classifyCell(execution.cell.document.getText());
      switch (kind.kind) {
        case 'empty':
          success = true;
          break;
        case 'invalid':
          await execution.replaceOutput(errorOutput('Invalid magic', `Line ${kind.line + 1}: ${kind.message}`));
          break;
        case 'code':
          success = await this.kernels.run(execution, state);
          break;
        case 'magics':
          success = await runMagics(this.on, execution, state, kind.magics);
          break;
        case 'sbatch':
          follow = await submitJobCell(this.on, execution, state, kind.options, kind.script);
          break;
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await execution.appendOutput(errorOutput(state.abort.signal.aborted ? 'Interrupted' : 'Error', message)).then(undefined, () => undefined);
    } finally {
      if (!follow) execution.end(success, Date.now());
    }
    if (follow) this.followInBackground(execution, state, follow);
  }

  /** The queue moves on (a %squeue or a Python cell may run while the job runs); the cell stays running. */
  private followInBackground(execution: vscode.NotebookCellExecution, state: Running, follow: () => Promise<boolean>): void {
    this.following.add(state);
    follow()
      .catch(async (error: unknown) => {
        await execution.appendOutput(errorOutput('Error', (error as Error).message)).then(undefined, () => undefined);
        return false;
      })
      .then((ok) => {
        this.following.delete(state);
        execution.end(ok, Date.now());
      }, () => undefined);
  }

  /** Restarts the notebook's kernel; false when it has none here. */
  restartKernel(notebook: vscode.NotebookDocument): Promise<boolean> {
    return this.kernels.restart(notebook);
  }

  /** Whether this controller runs a kernel for the notebook. */
  hasKernel(notebook: vscode.NotebookDocument): boolean {
    return this.kernels.has(notebook);
  }

  /** Shuts the notebook's kernel down (notebook closed, another controller chosen). */
  shutdownKernel(notebook: vscode.NotebookDocument): Promise<void> {
    return this.kernels.shutdown(notebook);
  }

  /**
   * A notebook reopened (and this controller selected) while a card's job was still followed:
   * the card goes live again, in a running cell, until the job ends.
   */
  resumeCards(notebook: vscode.NotebookDocument): void {
    for (const cell of notebook.getCells()) {
      const followed = followedCard(this.on, cell);
      if (!followed) continue;
      const { output, jobId } = followed;
      if ([...this.following].some((f) => f.cell.notebook === notebook && f.jobId === jobId)) continue;
      const execution = this.controller.createNotebookCellExecution(cell);
      execution.start(Date.now());
      const state: Running & { jobId: string } = { cell, abort: new AbortController(), jobId };
      this.followInBackground(execution, state, resumedFollow(this.on, execution, state, output));
    }
  }

  /**
   * Interrupt (VS Code names only the notebook): stops the cell the queue is running when it is
   * not a followed job; otherwise asks, for each followed job of the notebook, whether to cancel it.
   */
  private async interrupt(notebook: vscode.NotebookDocument): Promise<void> {
    const current = this.running.get(notebook.uri.toString());
    if (current?.interruptKernel) {
      await current.interruptKernel();
      return;
    }
    if (current && !current.jobId) {
      current.abort.abort();
      return;
    }
    const jobs = [...this.following].filter((f) => f.cell.notebook === notebook);
    for (const job of jobs) await this.interruptJob(job);
  }

  private async interruptJob(state: Running): Promise<void> {
    if (!state.jobId || !state.stopFollowing) return;
    const answer = await this.askInterrupt(this.clusterName, state.jobId);
    if (answer === 'cancel') {
      const [result] = await this.cluster().jobAction('cancel', [state.jobId]);
      if (result && !result.ok) void vscode.window.showErrorMessage(`Cancel job ${state.jobId} failed: ${result.error ?? 'unknown reason'}`);
    } else if (answer === 'stop') {
      state.stopFollowing();
    }
  }

  dispose(): void {
    this.kernels.dispose();
    for (const state of [...this.running.values(), ...this.following]) {
      state.abort.abort();
      state.stopFollowing?.();
    }
    this.controller.dispose();
  }
}
