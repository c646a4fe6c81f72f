/**
 * Cells of Slurm line magics (%squeue, %sinfo, %sbatch FILE, ...): each magic's argv runs straight
 * as the command on the cluster (%sbatch syncs the workspace folder first and runs in its remote
 * folder); the output is shown as a table (core/notebook/tables.ts), stderr apart.
 */
import * as vscode from 'vscode';
import type { LineMagic } from '../../core/notebook/cells';
import { commandOutputHtml } from '../../core/notebook/tables';
import { shellQuote } from '../../core/shellQuote';
import { localFolder } from '../submission/workspace';
import { errorOutput, folderOf, ipynbMetadata, textItem, type CellCluster, type Running } from './cellRun';

/** Runs the cell's magics one after the other; false at the first that fails. */
export async function runMagics(on: CellCluster, execution: vscode.NotebookCellExecution, state: Running, magics: LineMagic[]): Promise<boolean> {
  const cluster = on.cluster();
  let synced: string | undefined;
  for (const magic of magics) {
    state.abort.signal.throwIfAborted();
    const title = `${on.clusterName}$ ${magic.argv.map(shellQuote).join(' ')}`;
    let cwd: string | undefined;
    if (magic.name === 'sbatch') {
      // %sbatch FILE: the file is a workspace file; sync first, run in the remote folder.
      if (synced === undefined) {
        const folder = folderOf(execution.cell);
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
          ipynbMetadata({ cluster: on.clusterName, command: magic.argv }),
        ),
      );
    }
    // Slurm commands often report problems on stderr with exit code 0 (squeue -u nobody): shown as stderr.
    if (result.stderr.trim() !== '') outputs.push(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.stderr(result.stderr)]));
    await execution.appendOutput(outputs);
  }
  return true;
}
