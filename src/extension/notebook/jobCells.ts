/**
 * `%%sbatch` cells: the workspace folder synced, the cell's script submitted, and a live job card
 * (core/notebook/jobCard.ts) updated in place from the job's state and output until the job ends
 * or its following stops. The card's output metadata names the job, so that a reopened notebook
 * resumes a card whose job was still followed.
 */
import * as vscode from 'vscode';
import type { Cluster, FollowUpdate } from '../../cluster';
import { cellBatchScript } from '../../core/notebook/cells';
import { jobCardHtml, jobCardText, type JobCard } from '../../core/notebook/jobCard';
import { localFolder } from '../submission/workspace';
import { folderOf, ipynbMetadata, ourMetadata, textItem, type CellCluster, type Running } from './cellRun';

/** How often a live card polls the job and its output. */
const CARD_POLL_MS = 2000;
/** After a failed poll (connection lost), wait longer before the next one. */
const CARD_RETRY_MS = 5000;

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

/** Syncs and submits the cell's script; returns the following of the job, to run in the background. */
export async function submitJobCell(on: CellCluster, execution: vscode.NotebookCellExecution, state: Running, options: string[], script: string): Promise<() => Promise<boolean>> {
  const cluster = on.cluster();
  const folder = folderOf(execution.cell);
  const submitting = new vscode.NotebookCellOutput([textItem(`Syncing ${folder.name} to ${on.clusterName} and submitting…\n`)]);
  await execution.replaceOutput(submitting);
  const submitted = await cluster.submitText(localFolder(folder), cellBatchScript(script), options, { signal: state.abort.signal });
  state.jobId = submitted.jobId;
  const card: JobCard = { cluster: on.clusterName, jobId: submitted.jobId, state: 'SUBMITTED', output: '', ended: false };
  const output = new vscode.NotebookCellOutput(cardItems(card), cardMetadata(on, card));
  await execution.replaceOutput(output);
  return follower(on, execution, state, cluster, card, output);
}

/** The job of a card in the cell that was still followed when the notebook was saved, if any. */
export function followedCard(on: CellCluster, cell: vscode.NotebookCell): { output: vscode.NotebookCellOutput; jobId: string } | undefined {
  let jobId: string | undefined;
  const output = cell.outputs.find((o) => {
    const meta = ourMetadata(o);
    if (meta?.cluster !== on.clusterName || typeof meta.jobId !== 'string' || meta.ended !== false) return false;
    jobId = meta.jobId;
    return true;
  });
  return output && jobId ? { output, jobId } : undefined;
}

/** The following of a card resumed in a reopened notebook (its job's state unknown until the first poll). */
export function resumedFollow(on: CellCluster, execution: vscode.NotebookCellExecution, state: Running & { jobId: string }, output: vscode.NotebookCellOutput): () => Promise<boolean> {
  const card: JobCard = { cluster: on.clusterName, jobId: state.jobId, state: 'UNKNOWN', output: '', ended: false, note: 'Resuming…' };
  return follower(on, execution, state, on.cluster(), card, output);
}

/** The card's output metadata: which job it follows, so that reopening the notebook resumes it. */
function cardMetadata(on: CellCluster, card: JobCard): Record<string, unknown> {
  return ipynbMetadata({ cluster: on.clusterName, jobId: card.jobId, ended: card.ended });
}

function follower(on: CellCluster, execution: vscode.NotebookCellExecution, state: Running, cluster: Cluster, card: JobCard, output: vscode.NotebookCellOutput): () => Promise<boolean> {
  const show = (): Thenable<void> => execution.replaceOutputItems(cardItems(card), output);
  const stop = new AbortController();
  state.stopFollowing = () => stop.abort();
  return async () => {
    const ok = await followJob(on, cluster, card, show, stop.signal);
    // The final card replaces the live one, with metadata saying it has ended.
    await execution.replaceOutput(new vscode.NotebookCellOutput(cardItems(card), cardMetadata(on, card)));
    return ok;
  };
}

/** Updates the card in place until the job ends (or following stops); true when it COMPLETED. */
async function followJob(on: CellCluster, cluster: Cluster, card: JobCard, show: () => Thenable<void>, stopped: AbortSignal): Promise<boolean> {
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
      // Held up (the connection lost: the stream resumes from its offset once it is back).
      card.note = last.error ? `Cannot follow the job on ${on.clusterName} (${last.error}); retrying.` : undefined;
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
      card.note = `Cannot follow the job on ${on.clusterName} (${(error as Error).message}); retrying.`;
      await show();
      await sleep(CARD_RETRY_MS, stopped);
    }
  }
  if (!card.ended) {
    card.note = `No longer followed: job ${card.jobId} keeps its course on ${on.clusterName}.`;
    await show();
    return true;
  }
  await show();
  return card.state === 'COMPLETED';
}

function cardItems(card: JobCard): vscode.NotebookCellOutputItem[] {
  return [vscode.NotebookCellOutputItem.text(jobCardHtml(card), 'text/html'), textItem(jobCardText(card))];
}
