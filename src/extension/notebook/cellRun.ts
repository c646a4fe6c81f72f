/**
 * What the notebook controller's cell runners share: the state of one running cell (what an
 * interrupt acts on), the cluster a controller runs on, plain and error outputs, our output
 * metadata in a form VS Code's .ipynb serializer keeps, and the workspace folder cells sync from.
 */
import * as vscode from 'vscode';
import type { Cluster } from '../../cluster';

/** One cell being run (by the queue, or a job cell followed in the background). */
export interface Running {
  cell: vscode.NotebookCell;
  abort: AbortController;
  /** Set once the cell's job is submitted. */
  jobId?: string;
  /** Ends the following of the job (the job keeps running). */
  stopFollowing?: () => void;
  /** A code cell running in the kernel: interrupting it interrupts the kernel. */
  interruptKernel?: () => Promise<void>;
}

/** The cluster a controller runs its cells on. */
export interface CellCluster {
  readonly clusterName: string;
  readonly cluster: () => Cluster;
}

export function textItem(text: string): vscode.NotebookCellOutputItem {
  return vscode.NotebookCellOutputItem.text(text, 'text/plain');
}

export function errorOutput(name: string, message: string): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error({ name, message })]);
}

/**
 * Output metadata that survives VS Code's .ipynb serializer: it saves `metadata.metadata` as the
 * output's nbformat metadata (and reads it back there), and drops anything else.
 */
export function ipynbMetadata(ours: Record<string, unknown>): Record<string, unknown> {
  return { outputType: 'display_data', metadata: { hpcWorkbench: ours } };
}

export function ourMetadata(output: vscode.NotebookCellOutput): Record<string, unknown> | undefined {
  const meta = output.metadata as { metadata?: { hpcWorkbench?: Record<string, unknown> }; hpcWorkbench?: Record<string, unknown> } | undefined;
  return meta?.metadata?.hpcWorkbench ?? meta?.hpcWorkbench;
}

/** The workspace folder a notebook's cells sync and submit from. */
export function folderOf(cell: vscode.NotebookCell): vscode.WorkspaceFolder {
  const folder = vscode.workspace.getWorkspaceFolder(cell.notebook.uri) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('Open a folder first: %%sbatch and %sbatch sync the workspace folder to the cluster and submit there.');
  return folder;
}
