/**
 * Python cells: each notebook's Jupyter kernel on the cluster's login node (src/cluster/jupyter.ts),
 * started with its first code cell (and the cluster's Jupyter Server when needed), the cell's code
 * run in it with its outputs mapped to cell outputs as they come (streams joined, rich bundles,
 * display updates, errors, clear_output), `input()` answered, restart and shutdown.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { JupyterKernel } from '../../cluster/jupyter';
import type { KernelOutput } from '../../core/notebook/kernelOutput';
import { errorOutput, textItem, type CellCluster, type Running } from './cellRun';

/** What `input()` in a cell is answered with: asks, unless a test set the answer. undefined: dismissed. */
export type InputPrompt = (prompt: string, password: boolean) => Promise<string | undefined>;

/** The command that starts Jupyter Server on a cluster: the entry's `jupyterCommand`, else the setting. */
export type JupyterCommand = () => string | undefined;

/** The kernels of one controller's notebooks, one per notebook. */
export class NotebookKernels {
  /** Each notebook's kernel (started with its first code cell). */
  private readonly kernels = new Map<string, Promise<JupyterKernel>>();

  constructor(
    private readonly on: CellCluster,
    private readonly jupyterCommand: JupyterCommand,
    private readonly askInput: InputPrompt,
  ) {}

  /** The notebook's kernel, started (with the cluster's Jupyter Server when needed) on first use. */
  private kernelFor(notebook: vscode.NotebookDocument, cell: vscode.NotebookCell, signal: AbortSignal): Promise<JupyterKernel> {
    const key = notebook.uri.toString();
    const existing = this.kernels.get(key);
    if (existing) return existing;
    const starting = (async () => {
      const cluster = this.on.cluster();
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
  async run(execution: vscode.NotebookCellExecution, state: Running): Promise<boolean> {
    const cell = execution.cell;
    let kernel: JupyterKernel;
    const fresh = !this.kernels.has(cell.notebook.uri.toString());
    if (fresh) await execution.replaceOutput(new vscode.NotebookCellOutput([textItem(`Starting a Python kernel on ${this.on.clusterName}…\n`)]));
    try {
      kernel = await this.kernelFor(cell.notebook, cell, state.abort.signal);
    } catch (error) {
      const e = error as Error;
      const title = e.name === 'JupyterUnavailableError' ? `Jupyter is not available on ${this.on.clusterName}` : `No kernel on ${this.on.clusterName}`;
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
  async restart(notebook: vscode.NotebookDocument): Promise<boolean> {
    const kernel = await this.kernels.get(notebook.uri.toString())?.catch(() => undefined);
    if (!kernel?.alive) return false;
    await kernel.restart();
    return true;
  }

  /** Whether this controller runs a kernel for the notebook. */
  has(notebook: vscode.NotebookDocument): boolean {
    return this.kernels.has(notebook.uri.toString());
  }

  /** Shuts the notebook's kernel down (notebook closed, another controller chosen). */
  async shutdown(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const kernel = this.kernels.get(key);
    this.kernels.delete(key);
    await kernel?.then((k) => k.shutdown()).catch(() => undefined);
  }

  /** Shuts every kernel down. */
  dispose(): void {
    for (const kernel of this.kernels.values()) void kernel.then((k) => k.shutdown()).catch(() => undefined);
    this.kernels.clear();
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
