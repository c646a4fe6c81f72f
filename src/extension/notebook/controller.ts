/**
 * The notebook controller of one cluster ("HPC Workbench: <cluster>") for .ipynb notebooks: runs
 * cells of Slurm line magics (argv straight to the command, output as a table), `%%sbatch` cells
 * (sync, submit the cell's script, a live job card until the job ends; interrupt offers to
 * cancel), and every other cell in the notebook's Jupyter kernel on the cluster's login node
 * (src/cluster/jupyter.ts; streams, rich outputs, errors, input(), interrupt, restart). Only the
 * VS Code adaptation: the cell rules, tables, the card and the output mapping are in
 * src/core/notebook, the operations in src/cluster.
 */
import * as vscode from 'vscode';
import type { Cluster, FollowUpdate } from '../../cluster';
import type { JupyterKernel } from '../../cluster/jupyter';
import type { KernelOutput } from '../../core/notebook/kernelOutput';
import { cellBatchScript, classifyCell, type LineMagic } from '../../core/notebook/cells';
import { jobCardHtml, jobCardText, type JobCard } from '../../core/notebook/jobCard';
import { commandOutputHtml } from '../../core/notebook/tables';
import { shellQuote } from '../../core/shellQuote';
import { localFolder } from '../submission/workspace';
import * as path from 'node:path';

export const NOTEBOOK_TYPE = 'jupyter-notebook';
export const controllerId = (cluster: string): string => `hpcWorkbench.notebook.${cluster}`;

/** How often a live card polls the job and its output. */
const CARD_POLL_MS = 2000;
/** After a failed poll (connection lost), wait longer before the next one. */
const CARD_RETRY_MS = 5000;

export type InterruptAnswer = 'cancel' | 'stop' | 'keep';

/** What `input()` in a cell is answered with: asks, unless a test set the answer. undefined: dismissed. */
export type InputPrompt = (prompt: string, password: boolean) => Promise<string | undefined>;

/** The command that starts Jupyter Server on a cluster: the entry's `jupyterCommand`, else the setting. */
export type JupyterCommand = () => string | undefined;

/** What an interrupt of a running job cell does: asks, unless a test set the answer. */
export type InterruptPrompt = (cluster: string, jobId: string) => Promise<InterruptAnswer>;

interface Running {
  cell: vscode.NotebookCell;
  abort: AbortController;
  /** Set once the cell's job is submitted. */
  jobId?: string;
  /** Ends the following of the job (the job keeps running). */
  stopFollowing?: () => void;
  /** A code cell running in the kernel: interrupting it interrupts the kernel. */
  interruptKernel?: () => Promise<void>;
}

function textItem(text: string): vscode.NotebookCellOutputItem {
  return vscode.NotebookCellOutputItem.text(text, 'text/plain');
}

function errorOutput(name: string, message: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message })]);
}

/**
 * Output metadata that survives VS Code's .ipynb serializer: it saves `metadata.metadata` as the
 * output's nbformat metadata (and reads it back there), and drops anything else.
 */
function ipynbMetadata(ours: Record<string, unknown>): Record<string, unknown> {
  return { outputType: 'display_data', metadata: { hpcWorkbench: ours } };
}

function ourMetadata(output: vscode.NotebookCellOutput): Record<string, unknown> | undefined {
  const meta = output.metadata as { metadata?: { hpcWorkbench?: Record<string, unknown> }; hpcWorkbench?: Record<string, unknown> } | undefined;
  return meta?.metadata?.hpcWorkbench ?? meta?.hpcWorkbench;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

export class SlurmNotebookController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private order = 0;
  /** The cell each notebook's queue is running now. */
  private readonly running = new Map<string, Running>();
  /** Job cells whose job is being followed: they stay running while the queue moves on. */
  private readonly following = new Set<Running>();
  /** One queue per notebook: cells run one after the other. */
  private readonly queues = new Map<string, Promise<void>>();
  /** Each notebook's kernel (started with its first code cell). */
  private readonly kernels = new Map<string, Promise<JupyterKernel>>();

  constructor(
    private readonly clusterName: string,
    private readonly cluster: () => Cluster,
    private readonly askInterrupt: InterruptPrompt,
    description?: string,
    private readonly jupyterCommand: JupyterCommand = () => undefined,
    private readonly askInput: InputPrompt = async () => undefined,
  ) {
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
          success = await this.runCode(execution, state);
          break;
        case 'magics':
          success = await this.runMagics(execution, state, kind.magics);
          break;
        case 'sbatch':
          follow = await this.submitCell(execution, state, kind.options, kind.script);
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

  /** The notebook's kernel, started (with the cluster's Jupyter Server when needed) on first use. */
  private kernelFor(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, signal: AbortSignal): Promise<JupyterKernel> {
    const key = notebook.uri.toString();
    const existing = this.kernels.get(key);
    if (existing) return existing;
    const starting = (async () => {
      const cluster = this.cluster();
      const folder = vscode.workspace.getWorkspaceFolder(notebook.uri) ?? vscode.workspace.workspaceFolders?.[0];
      const cwd = folder ? await cluster.remoteDir(folder.name) : await cluster.remoteDir(path.basename(path.dirname(cell.notebook.uri.fsPath)) || 'notebook');
      const kernel = await cluster.jupyter().startKernel({ command: this.jupyterCommand(), cwd, signal });
      kernel.onDidDie(() => {
        if (this.kernels.get(key) === starting) this.kernels.delete(key);
      });
      return kernel;
    })();
    this.kernels.set(key, starting);
    starting.catch(() => {
      if (this.kernels.get(key) === starting) this.kernels.delete(key);
    });
    return starting;
  }

  /** Runs a code cell in the notebook's kernel; outputs appear as the kernel sends them. */
  private async runCode(execution: vscode.NotebookCellExecution, state: Running): Promise<boolean> {
    const cell = execution.cell;
    let kernel: JupyterKernel;
    const fresh = !this.kernels.has(cell.notebook.uri.toString());
    if (fresh) await execution.replaceOutput(new vscode.NotebookCellOutput([textItem(`Starting a Python kernel on ${this.clusterName}…\n`)]));
    try {
      kernel = await this.kernelFor(cell.notebook, cell, state.abort.signal);
    } catch (error) {
      const e = error as Error;
      const title = e.name === 'JupyterUnavailableError' ? `Jupyter is not available on ${this.clusterName}` : `No kernel on ${this.clusterName}`;
      await execution.replaceOutput(
        errorOutput(title, `${e.message}\nCells of Slurm magics (%sinfo, %squeue, ...) and %%sbatch cells run without Jupyter.`),
      );
      return false;
    }
    if (fresh) await execution.clearOutput();
    state.abort.signal.throwIfAborted();
    state.interruptKernel = () => kernel.interrupt();
    const sink = new OutputSink(execution);
    const result = await kernel.execute(execution.cell.document.getText(), {
      onOutput: (output) => sink.add(output),
      onInput: (prompt, password) => this.askInput(prompt, password),
      onExecutionCount: (count) => (execution.executionOrder = count),
    });
    await sink.flushed();
    if (result.executionCount !== undefined) execution.executionOrder = result.executionCount;
    return result.status === 'ok';
  }

  /** Restarts the notebook's kernel; false when it has none here. */
  async restartKernel(notebook: vscode.NotebookDocument): Promise<boolean> {
    const kernel = await this.kernels.get(notebook.uri.toString())?.catch(() => undefined);
    if (!kernel?.alive) return false;
    await kernel.restart();
    return true;
  }

  /** Whether this controller runs a kernel for the notebook. */
  hasKernel(notebook: vscode.NotebookDocument): boolean {
    return this.kernels.has(notebook.uri.toString());
  }

  /** Shuts the notebook's kernel down (notebook closed, another controller chosen). */
  async shutdownKernel(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const kernel = this.kernels.get(key);
    this.kernels.delete(key);
    await kernel?.then((k) => k.shutdown()).catch(() => undefined);
  }

  /** The workspace folder a notebook's cells sync and submit from. */
  private folderOf(cell: vscode.NotebookCell): vscode.WorkspaceFolder {
    const folder = vscode.workspace.getWorkspaceFolder(cell.notebook.uri) ?? vscode.workspace.workspaceFolders?.[0];
    if (!folder) throw new Error('Open a folder first: %%sbatch and %sbatch sync the workspace folder to the cluster and submit there.');
    return folder;
  }

  private async runMagics(execution: vscode.NotebookCellExecution, state: Running, magics: LineMagic[]): Promise<boolean> {
    const cluster = this.cluster();
    let synced: string | undefined;
    for (const magic of magics) {
      state.abort.signal.throwIfAborted();
      const title = `${this.clusterName}$ ${magic.argv.map(shellQuote).join(' ')}`;
      let cwd: string | undefined;
      if (magic.name === 'sbatch') {
        // %sbatch FILE: the file is a workspace file; sync first, run in the remote folder.
        if (synced === undefined) {
          const folder = this.folderOf(execution.cell);
          await cluster.sync(localFolder(folder), { signal: state.abort.signal });
          synced = await cluster.remoteDir(folder.name);
        }
        cwd = synced;
      }
      let result;
      try {
        result = await cluster.exec(magic.argv, { cwd, timeoutMs: 120_000, signal: state.abort.signal });
      } catch (error) {
        await execution.appendOutput(errorOutput(`%${magic.name} could not run`, `${title}\n${(error as Error).message}`));
        return false;
      }
      if (magic.name === 'scancel' || magic.name === 'sbatch') void cluster.refresh();
      const text = [result.stdout, result.stderr].filter((t) => t.trim() !== '').join('\n') || `(no output, exit code ${result.code})\n`;
      if (result.code !== 0) {
        await execution.appendOutput(errorOutput(`%${magic.name} failed (exit code ${result.code ?? 'signal'})`, `${title}\n${text}`));
        return false;
      }
      const outputs = [];
      if (result.stdout.trim() !== '' || result.stderr.trim() === '') {
        const shown = result.stdout.trim() !== '' ? result.stdout : text;
        outputs.push(
          new vscode.NotebookCellOutput(
            [vscode.NotebookCellOutputItem.text(commandOutputHtml(title, shown), 'text/html'), textItem(shown)],
            ipynbMetadata({ cluster: this.clusterName, command: magic.argv }),
          ),
        );
      }
      // Slurm commands often report problems on stderr with exit code 0 (squeue -u nobody): shown as stderr.
      if (result.stderr.trim() !== '') outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(result.stderr)]));
      await execution.appendOutput(outputs);
    }
    return true;
  }

  /** Syncs and submits the cell's script; returns the following of the job, to run in the background. */
  private async submitCell(execution: vscode.NotebookCellExecution, state: Running, options: string[], script: string): Promise<() => Promise<boolean>> {
    const cluster = this.cluster();
    const folder = this.folderOf(execution.cell);
    const submitting = new vscode.NotebookCellOutput([textItem(`Syncing ${folder.name} to ${this.clusterName} and submitting…\n`)]);
    await execution.replaceOutput(submitting);
    const submitted = await cluster.submitText(localFolder(folder), cellBatchScript(script), options, { signal: state.abort.signal });
    state.jobId = submitted.jobId;
    const card: JobCard = { cluster: this.clusterName, jobId: submitted.jobId, state: 'SUBMITTED', output: '', ended: false };
    const output = new vscode.NotebookCellOutput(this.cardItems(card), this.cardMetadata(card));
    await execution.replaceOutput(output);
    return this.follower(execution, state, cluster, card, output);
  }

  /** The card's output metadata: which job it follows, so that reopening the notebook resumes it. */
  private cardMetadata(card: JobCard): Record<string, unknown> {
    return ipynbMetadata({ cluster: this.clusterName, jobId: card.jobId, ended: card.ended });
  }

  private follower(execution: vscode.NotebookCellExecution, state: Running, cluster: Cluster, card: JobCard, output: vscode.NotebookCellOutput): () => Promise<boolean> {
    const show = (): Thenable<void> => execution.replaceOutputItems(this.cardItems(card), output);
    const stop = new AbortController();
    state.stopFollowing = () => stop.abort();
    return async () => {
      const ok = await this.followJob(cluster, card, show, stop.signal);
      // The final card replaces the live one, with metadata saying it has ended.
      await execution.replaceOutput(new vscode.NotebookCellOutput(this.cardItems(card), this.cardMetadata(card)));
      return ok;
    };
  }

  /**
   * A notebook reopened (and this controller selected) while a card's job was still followed:
   * the card goes live again, in a running cell, until the job ends.
   */
  resumeCards(notebook: vscode.NotebookDocument): void {
    for (const cell of notebook.getCells()) {
      let jobId: string | undefined;
      const output = cell.outputs.find((o) => {
        const meta = ourMetadata(o);
        if (meta?.cluster !== this.clusterName || typeof meta.jobId !== 'string' || meta.ended !== false) return false;
        jobId = meta.jobId;
        return true;
      });
      if (!output || !jobId) continue;
      if ([...this.following].some((f) => f.cell.notebook === notebook && f.jobId === jobId)) continue;
      const execution = this.controller.createNotebookCellExecution(cell);
      execution.start(Date.now());
      const state: Running = { cell, abort: new AbortController(), jobId };
      const card: JobCard = { cluster: this.clusterName, jobId, state: 'UNKNOWN', output: '', ended: false, note: 'Resuming…' };
      this.followInBackground(execution, state, this.follower(execution, state, this.cluster(), card, output));
    }
  }

  /** Updates the card in place until the job ends (or following stops); true when it COMPLETED. */
  private async followJob(cluster: Cluster, card: JobCard, show: () => Thenable<void>, stopped: AbortSignal): Promise<boolean> {
    let follower: Awaited<ReturnType<Cluster['followOutput']>> | undefined;
    let last: FollowUpdate | undefined;
    while (!stopped.aborted) {
      try {
        if (!follower) {
          const paths = await cluster.outputPaths(card.jobId);
          if (!paths) {
            card.state = 'UNKNOWN';
            card.ended = true;
            card.note = 'Slurm no longer knows the job.';
            break;
          }
          follower = await cluster.followOutput(card.jobId, paths.stdout);
        }
        last = await follower.poll();
        card.note = undefined;
        card.state = last.state;
        if (last.job) {
          card.reason = last.job.reason;
          card.elapsedSeconds = last.job.runSeconds;
          card.limitSeconds = last.job.timeLimitSeconds;
          card.nodes = last.job.nodeList;
          card.exitCode = last.job.exitCode;
        }
        if (last.exitCode) card.exitCode = last.exitCode;
        card.output = (card.output + last.text).slice(-64 * 1024);
        card.skippedBytes = (card.skippedBytes ?? 0) + last.skippedBytes;
        card.ended = last.ended;
        await show();
        if (last.ended) break;
        await sleep(CARD_POLL_MS, stopped);
      } catch (error) {
        card.note = `Cannot follow the job on ${this.clusterName} (${(error as Error).message}); retrying.`;
        await show();
        await sleep(CARD_RETRY_MS, stopped);
      }
    }
    if (!card.ended) {
      card.note = `No longer followed: job ${card.jobId} keeps its course on ${this.clusterName}.`;
      await show();
      return true;
    }
    await show();
    return card.state === 'COMPLETED';
  }

  private cardItems(card: JobCard): vscode.NotebookCellOutputItem[] {
    return [vscode.NotebookCellOutputItem.text(jobCardHtml(card), 'text/html'), textItem(jobCardText(card))];
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
    for (const kernel of this.kernels.values()) void kernel.then((k) => k.shutdown()).catch(() => undefined);
    this.kernels.clear();
    for (const state of [...this.running.values(), ...this.following]) {
      state.abort.abort();
      state.stopFollowing?.();
    }
    this.controller.dispose();
  }
}

/**
 * A code cell's outputs as the kernel sends them: consecutive stream text joined into one output
 * per stream, rich bundles (display ids updated in place), errors with the traceback,
 * clear_output. Writes are chained so that they land in order.
 */
class OutputSink {
  private chain: Promise<unknown> = Promise.resolve();
  private stream: { name: 'stdout' | 'stderr'; text: string; output: vscode.NotebookCellOutput } | undefined;
  private readonly displays = new Map<string, vscode.NotebookCellOutput>();
  private clearOnNext = false;

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  add(output: KernelOutput): void {
    this.chain = this.chain.then(() => this.write(output)).catch(() => undefined);
  }

  flushed(): Promise<unknown> {
    return this.chain;
  }

  private async write(output: KernelOutput): Promise<void> {
    const e = this.execution;
    if (output.kind === 'clear') {
      if (output.wait) this.clearOnNext = true;
      else await this.clear();
      return;
    }
    if (this.clearOnNext) {
      this.clearOnNext = false;
      await this.clear();
    }
    switch (output.kind) {
      case 'stream': {
        const item = (text: string) => (output.name === 'stderr' ? vscode.NotebookCellOutputItem.stderr(text) : vscode.NotebookCellOutputItem.stdout(text));
        if (this.stream && this.stream.name === output.name) {
          this.stream.text += output.text;
          await e.replaceOutputItems(item(this.stream.text), this.stream.output);
        } else {
          const cellOutput = new vscode.NotebookCellOutput([item(output.text)]);
          this.stream = { name: output.name, text: output.text, output: cellOutput };
          await e.appendOutput(cellOutput);
        }
        return;
      }
      case 'rich': {
        const items = output.items.map((i) =>
          typeof i.data === 'string' ? vscode.NotebookCellOutputItem.text(i.data, i.mime) : new vscode.NotebookCellOutputItem(i.data, i.mime),
        );
        const existing = output.displayId ? this.displays.get(output.displayId) : undefined;
        if (output.update) {
          if (existing) await e.replaceOutputItems(items, existing);
          return;
        }
        // The ipynb serializer keeps outputType, executionCount and metadata.metadata.
        const cellOutput = new vscode.NotebookCellOutput(items, {
          outputType: output.executionCount !== undefined ? 'execute_result' : 'display_data',
          executionCount: output.executionCount,
          metadata: output.metadata,
        });
        if (output.displayId) this.displays.set(output.displayId, cellOutput);
        this.stream = undefined;
        await e.appendOutput(cellOutput);
        return;
      }
      case 'error':
        this.stream = undefined;
        await e.appendOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name: output.name, message: output.message, stack: output.stack })]));
        return;
    }
  }

  private async clear(): Promise<void> {
    this.stream = undefined;
    this.displays.clear();
    await this.execution.clearOutput();
  }
}
