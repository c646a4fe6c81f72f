/**
 * The live job card of a `%%sbatch` cell: what the cell shows while its job is followed and once
 * it has ended, as plain text (saved in the .ipynb for any viewer) and HTML. Pure: no vscode.
 */
import { formatDuration } from '../slurm/units';
import { escapeHtml } from './tables';

export interface JobCard {
  cluster: string;
  jobId: string;
  state: string;
  /** Pending reason (scontrol's Reason), when not "None". */
  reason?: string;
  elapsedSeconds?: number | null;
  limitSeconds?: number | null;
  nodes?: readonly string[];
  exitCode?: string;
  /** The tail of the job's output as read so far. */
  output: string;
  /** Bytes of the output file not shown (only the tail was read). */
  skippedBytes?: number;
  /** The job has ended (final state known, last read done). */
  ended: boolean;
  /** A line about the card itself ("connection lost, retrying", "no longer followed"). */
  note?: string;
}

/** How many last lines of output the card shows. */
export const CARD_TAIL_LINES = 40;

/** Keeps the last `lines` lines of a growing text (the text may end in a partial line). */
export function tailLines(text: string, lines = CARD_TAIL_LINES): string {
  let at = text.length;
  if (text.endsWith('\n')) at--;
  for (let n = 0; n < lines && at > 0; n++) {
    at = text.lastIndexOf('\n', at - 1);
    if (at < 0) return text;
  }
  return at <= 0 ? text : text.slice(at + 1);
}

function facts(card: JobCard): string[] {
  const out: string[] = [];
  if (card.reason && card.reason !== 'None' && !card.ended) out.push(`reason: ${card.reason}`);
  if (card.elapsedSeconds !== undefined && card.elapsedSeconds !== null) {
    const limit = card.limitSeconds ? ` / ${formatDuration(card.limitSeconds)}` : '';
    out.push(`elapsed: ${formatDuration(card.elapsedSeconds)}${limit}`);
  }
  if (card.nodes && card.nodes.length > 0) out.push(`nodes: ${card.nodes.join(',')}`);
  if (card.ended && card.exitCode) out.push(`exit code: ${card.exitCode}`);
  return out;
}

function headline(card: JobCard): string {
  return `Job ${card.jobId} on ${card.cluster}: ${card.state}${card.ended ? ' (ended)' : ''}`;
}

export function jobCardText(card: JobCard): string {
  const lines = [headline(card)];
  const f = facts(card);
  if (f.length > 0) lines.push(f.join(' | '));
  if (card.note) lines.push(card.note);
  const tail = tailLines(card.output);
  if (tail !== '') {
    lines.push(card.skippedBytes || tail.length < card.output.length ? '--- output (last lines) ---' : '--- output ---');
    lines.push(tail.replace(/\n$/, ''));
  }
  return `${lines.join('\n')}\n`;
}

const STATE_COLOURS: Record<string, string> = {
  PENDING: '#b58900',
  RUNNING: '#268bd2',
  COMPLETED: '#2aa198',
  FAILED: '#dc322f',
  CANCELLED: '#cb4b16',
  TIMEOUT: '#dc322f',
  OUT_OF_MEMORY: '#dc322f',
  NODE_FAIL: '#dc322f',
};

export function jobCardHtml(card: JobCard): string {
  const state = card.state.split(/\s/)[0];
  const colour = STATE_COLOURS[state] ?? '#888';
  const f = facts(card).map((x) => escapeHtml(x)).join(' &middot; ');
  const tail = tailLines(card.output);
  return [
    `<div style="border-left:4px solid ${colour};padding:4px 10px">`,
    `<div><b>Job ${escapeHtml(card.jobId)}</b> on ${escapeHtml(card.cluster)}: <span style="color:${colour};font-weight:bold">${escapeHtml(card.state)}</span>${card.ended ? ' (ended)' : ''}</div>`,
    f ? `<div style="opacity:0.8">${f}</div>` : '',
    card.note ? `<div style="opacity:0.8"><i>${escapeHtml(card.note)}</i></div>` : '',
    tail !== '' ? `<pre style="max-height:24em;overflow:auto;margin:4px 0">${escapeHtml(tail)}</pre>` : '',
    '</div>',
  ].join('');
}
