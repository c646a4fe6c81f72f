/**
 * What a notebook cell is, for the Slurm notebook controller: a `%%sbatch [options]` cell (the
 * rest is the batch script), a cell made only of Slurm line magics (`%squeue -u me`, ...), or code
 * for a Jupyter kernel. Magic arguments are split into argv with sbatch's own word rules (quotes,
 * backslashes, `#` comments: `tokenizeDirectiveLine`), never handed to a shell. Pure: no vscode.
 */
import { tokenizeDirectiveLine } from '../sbatch/tokenize';

/** The line magics (NERSC slurm-magic's names), each running the Slurm command of the same name. */
export const LINE_MAGICS = ['squeue', 'sinfo', 'sacct', 'scancel', 'sbatch', 'scontrol', 'sstat'] as const;
export type LineMagicName = (typeof LINE_MAGICS)[number];

export const CELL_MAGIC = '%%sbatch';

export interface LineMagic {
  name: LineMagicName;
  /** The command's argv: the command name, then the arguments as written (unquoted). */
  argv: string[];
  /** 0-based line of the cell. */
  line: number;
}

export type CellKind =
  | { kind: 'empty' }
  | { kind: 'sbatch'; /** sbatch options of the `%%sbatch` line. */ options: string[]; /** The batch script (the lines after the magic). */ script: string }
  | { kind: 'magics'; magics: LineMagic[] }
  | { kind: 'code' }
  | { kind: 'invalid'; message: string; line: number };

/** Splits the arguments of a magic line into words (quotes and backslashes as sbatch reads them). */
export function splitMagicArgs(text: string): string[] {
  const result = tokenizeDirectiveLine(text, 0);
  if (result.unmatched) throw new Error(`Unmatched ${result.unmatched.quote}: close the quote.`);
  if (result.emptyWordAt !== undefined) throw new Error(`An empty argument ("") cannot be passed.`);
  if (result.leadingColon !== undefined) {
    // tokenizeDirectiveLine stops at a word starting with ":" (a heterogeneous-job separator in
    // #SBATCH lines); in a magic it is an ordinary word: split the rest and keep going.
    const rest = text.slice(result.leadingColon);
    const space = rest.search(/\s/);
    const word = space < 0 ? rest : rest.slice(0, space);
    return [...result.tokens.map((t) => t.text), word, ...(space < 0 ? [] : splitMagicArgs(rest.slice(space)))];
  }
  return result.tokens.map((t) => t.text);
}

function magicName(line: string): string | undefined {
  const m = /^%([A-Za-z_]\w*)(?=\s|$)/.exec(line);
  return m?.[1];
}

function isLineMagic(name: string | undefined): name is LineMagicName {
  return !!name && (LINE_MAGICS as readonly string[]).includes(name);
}

/** Classifies a cell's text. Never throws: malformed magics come back as `invalid` with a message. */
export function classifyCell(text: string): CellKind {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return { kind: 'empty' };
  const head = lines[first].trim();
  if (head === CELL_MAGIC || head.startsWith(`${CELL_MAGIC} `) || head.startsWith(`${CELL_MAGIC}\t`)) {
    if (first !== 0) return { kind: 'invalid', line: first, message: `${CELL_MAGIC} must be the first line of the cell.` };
    try {
      const options = splitMagicArgs(head.slice(CELL_MAGIC.length));
      return { kind: 'sbatch', options, script: lines.slice(1).join('\n') };
    } catch (error) {
      return { kind: 'invalid', line: 0, message: `${CELL_MAGIC}: ${(error as Error).message}` };
    }
  }
  const magics: LineMagic[] = [];
  let other = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = magicName(line);
    if (!isLineMagic(name)) {
      other = true;
      continue;
    }
    try {
      magics.push({ name, argv: [name, ...splitMagicArgs(line.slice(name.length + 1))], line: i });
    } catch (error) {
      return { kind: 'invalid', line: i, message: `%${name}: ${(error as Error).message}` };
    }
  }
  if (magics.length === 0) return { kind: 'code' };
  if (other) {
    return { kind: 'invalid', line: magics[0].line, message: `Put Slurm magics (%${magics[0].name}) in a cell of their own: a cell runs either Slurm magics or code.` };
  }
  return { kind: 'magics', magics };
}

/** The text sbatch gets for a `%%sbatch` cell: the script, with `#!/bin/bash` first when it has no `#!` line. */
export function cellBatchScript(script: string): string {
  const body = script.replace(/\r\n/g, '\n');
  const withShebang = body.startsWith('#!') ? body : `#!/bin/bash\n${body}`;
  return withShebang.endsWith('\n') ? withShebang : `${withShebang}\n`;
}
