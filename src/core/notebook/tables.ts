/**
 * Slurm command output as a table for a notebook cell: the column layout of `squeue`, `sinfo`,
 * `sacct` (header, optional `----` rule, whitespace-separated columns, the last column keeping its
 * spaces) or `|`-separated `--parsable` output. Anything else (scontrol, messages) stays
 * preformatted text. The text form is always the command's own output. Pure: no vscode.
 */

export interface TextTable {
  header: string[];
  rows: string[][];
}

const RULE = /^[\s-]+$/;

function splitColumns(line: string, count: number): string[] | undefined {
  const words = line.trim().split(/\s+/);
  if (words.length < count) return undefined;
  if (words.length === count) return words;
  // Extra words belong to the last column (e.g. a REASON or NODELIST with spaces).
  const m = new RegExp(`^\\s*((?:\\S+\\s+){${count - 1}})(.*)$`).exec(line);
  if (!m) return undefined;
  return [...m[1].trim().split(/\s+/), m[2].trim()];
}

/** The output as a table, or undefined when it does not look like one. */
export function tableFromText(text: string): TextTable | undefined {
  const lines = text.replace(/\r\n/g, '\n').split('\n').filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const parsable = lines[0].includes('|');
  if (parsable) {
    const header = lines[0].replace(/\|$/, '').split('|');
    const rows = lines.slice(1).map((l) => l.replace(/\|$/, '').split('|'));
    if (header.length < 2 || rows.some((r) => r.length !== header.length)) return undefined;
    return { header, rows };
  }
  const header = lines[0].trim().split(/\s+/);
  // A header is column names (JOBID PARTITION ..., sacct's JobID State ...); scontrol's Key=Value lines are not.
  if (header.length < 2 || !header.every((h) => /^[A-Za-z][A-Za-z0-9_()%:./-]*$/.test(h))) return undefined;
  const rows: string[][] = [];
  for (const line of lines.slice(1)) {
    if (RULE.test(line)) continue;
    const row = splitColumns(line, header.length);
    if (!row) return undefined;
    rows.push(row);
  }
  return { header, rows };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The output of one command as HTML: a table when it is one, else preformatted text. */
export function commandOutputHtml(title: string, text: string): string {
  const table = tableFromText(text);
  const caption = `<div style="opacity:0.7;font-family:monospace">${escapeHtml(title)}</div>`;
  if (!table) return `${caption}<pre>${escapeHtml(text)}</pre>`;
  const head = table.header.map((h) => `<th style="text-align:left;padding:2px 8px">${escapeHtml(h)}</th>`).join('');
  const body = table.rows
    .map((r) => `<tr>${r.map((c) => `<td style="padding:2px 8px;font-family:monospace">${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('');
  return `${caption}<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}
