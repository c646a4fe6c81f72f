/**
 * Slurm notebooks: one notebook controller per configured cluster (following the setting), the
 * `sbatch` language on `%%sbatch` cells (so the language server lints them as scripts), and the
 * New Slurm Notebook command.
 */
import * as vscode from 'vscode';
import { CELL_MAGIC } from '../../core/notebook/cells';
import { SLURM_NOTEBOOK_TEMPLATE } from '../../core/notebook/template';
import { registerCommand } from '../commands';
import type { ClusterService } from '../services';
import { settings } from '../settings';
import { controllerId, NOTEBOOK_TYPE, SlurmNotebookController, type InterruptAnswer } from './controller';

function isSbatchCell(cell: vscode.NotebookCell): boolean {
  if (cell.kind !== vscode.NotebookCellKind.Code) return false;
  const first = cell.document.lineAt(0).text;
  return first === CELL_MAGIC || first.startsWith(`${CELL_MAGIC} `);
}

/** Gives `%%sbatch` cells the sbatch language: highlighting and lint as a batch script. */
function markSbatchCells(notebook: vscode.NotebookDocument): void {
  if (notebook.notebookType !== NOTEBOOK_TYPE) return;
  for (const cell of notebook.getCells()) {
    if (isSbatchCell(cell) && cell.document.languageId !== 'sbatch') {
      void vscode.languages.setTextDocumentLanguage(cell.document, 'sbatch').then(undefined, () => undefined);
    }
  }
}

export function registerNotebooks(context: vscode.ExtensionContext, clusters: ClusterService): void {
  const controllers = new Map<string, SlurmNotebookController>();
  /** Set by tests: the answer to the next interrupt of a job cell, instead of asking. */
  let nextAnswer: InterruptAnswer | undefined;
  /** Set by tests: the answers to the next input() prompts, instead of an input box. */
  const inputAnswers: string[] = [];

  const askInput = async (prompt: string, password: boolean): Promise<string | undefined> => {
    if (inputAnswers.length > 0) return inputAnswers.shift();
    return vscode.window.showInputBox({ prompt: prompt || 'Input for the running cell', password, ignoreFocusOut: true, title: 'The cell asks for input' });
  };

  const ask = async (cluster: string, jobId: string): Promise<InterruptAnswer> => {
    if (nextAnswer) {
      const answer = nextAnswer;
      nextAnswer = undefined;
      return answer;
    }
    const choice = await vscode.window.showWarningMessage(
      `Cancel job ${jobId} on ${cluster}?`,
      { modal: true, detail: '"Stop Following" ends the cell and leaves the job running.' },
      'Cancel Job',
      'Stop Following',
    );
    return choice === 'Cancel Job' ? 'cancel' : choice === 'Stop Following' ? 'stop' : 'keep';
  };

  const reconcile = (): void => {
    const configs = clusters.clusters;
    const names = new Set(configs.map((c) => c.name));
    for (const [name, controller] of controllers) {
      if (!names.has(name)) {
        controller.dispose();
        controllers.delete(name);
      }
    }
    for (const config of configs) {
      if (controllers.has(config.name)) continue;
      const description = config.transport === 'local' ? 'local Slurm' : config.host;
      const name = config.name;
      const jupyterCommand = (): string | undefined => clusters.clusters.find((c) => c.name === name)?.jupyterCommand ?? settings.jupyterCommand();
      controllers.set(name, new SlurmNotebookController(name, () => clusters.cluster(name), ask, description, jupyterCommand, askInput));
    }
  };
  reconcile();

  context.subscriptions.push(
    clusters.onDidChange(reconcile),
    { dispose: () => controllers.forEach((c) => c.dispose()) },
    vscode.workspace.onDidOpenNotebookDocument(markSbatchCells),
    vscode.workspace.onDidChangeNotebookDocument((event) => {
      if (event.cellChanges.length > 0 || event.contentChanges.length > 0) markSbatchCells(event.notebook);
    }),
    vscode.commands.registerCommand('hpcWorkbench._notebookInterruptAnswer', (answer: InterruptAnswer | undefined) => {
      nextAnswer = answer;
    }),
    vscode.commands.registerCommand('hpcWorkbench._notebookInputAnswer', (answer: string) => {
      inputAnswers.push(answer);
    }),
    // The kernel goes with its notebook.
    vscode.workspace.onDidCloseNotebookDocument((notebook) => {
      for (const controller of controllers.values()) void controller.shutdownKernel(notebook);
    }),
  );
  vscode.workspace.notebookDocuments.forEach(markSbatchCells);

  registerCommand(context, 'hpcWorkbench.restartKernel', async (call, arg) => {
    call.doing = 'Restart Kernel';
    const uri = arg instanceof vscode.Uri ? arg : (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor?.notebookUri;
    const notebook = uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString()) : vscode.window.activeNotebookEditor?.notebook;
    if (!notebook) throw new Error('Open a notebook first.');
    for (const controller of controllers.values()) {
      if (controller.hasKernel(notebook) && (await controller.restartKernel(notebook))) return true;
    }
    throw new Error('This notebook has no running HPC Workbench kernel: run a Python cell first.');
  });

  registerCommand(context, 'hpcWorkbench.newSlurmNotebook', async (call) => {
    call.doing = 'New Slurm Notebook';
    const data = new vscode.NotebookData(
      SLURM_NOTEBOOK_TEMPLATE.map(
        (c) => new vscode.NotebookCellData(c.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, c.source, c.language),
      ),
    );
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
    await vscode.window.showNotebookDocument(notebook);
    const cluster = clusters.activeCluster;
    if (cluster) {
      await vscode.commands.executeCommand('notebook.selectKernel', { id: controllerId(cluster), extension: 'hpc-workbench.hpc-workbench' });
    }
    return notebook.uri.toString();
  });
}
