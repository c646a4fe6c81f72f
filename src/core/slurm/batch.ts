/**
 * One round trip per refresh: a single `sh -c` script runs every Slurm command we need and frames
 * each one's output, exit status and error text between marker lines. Commands are built from
 * argv arrays and quoted by `shellCommand`; the script only adds the framing.
 *
 *   @@HPCW@@ begin NAME
 *   <stdout>
 *   @@HPCW@@ end NAME <exit status>
 *   <stderr>
 *   @@HPCW@@ done NAME
 */
import { shellCommand } from '../shellQuote';

const MARK = '@@HPCW@@';

export interface BatchStep {
  name: string;
  argv: readonly string[];
  /** Run only when the previous step failed (e.g. `sacct -c` after `sacct`). */
  onlyIfPreviousFailed?: boolean;
}

export interface BatchSection {
  name: string;
  stdout: string;
  stderr: string;
  /** Exit status; null when the section did not run or was cut off. */
  code: number | null;
}

function stepScript(step: BatchStep): string {
  if (!/^[A-Za-z0-9_-]+$/.test(step.name)) throw new Error(`Invalid batch step name: ${step.name}`);
  const cmd = shellCommand(step.argv);
  return (
    `printf '%s\\n' '${MARK} begin ${step.name}'; ` +
    `e=$( { ${cmd}; } 2>&1 1>&3 ); r=$?; ` +
    `printf '\\n%s %s\\n' '${MARK} end ${step.name}' "$r"; ` +
    `printf '%s\\n' "$e"; printf '%s\\n' '${MARK} done ${step.name}'; [ "$r" -eq 0 ]`
  );
}

/** Builds the argv (`sh -c SCRIPT`) running all steps in one process. */
export function batchArgv(steps: readonly BatchStep[]): string[] {
  let script = 'exec 3>&1';
  for (const step of steps) {
    script += step.onlyIfPreviousFailed ? ` || { ${stepScript(step)}; }` : `; ${stepScript(step)}`;
  }
  script += '; exit 0';
  return ['sh', '-c', script];
}

/** Splits a batch's stdout into its sections. */
export function parseBatchOutput(stdout: string): Map<string, BatchSection> {
  const sections = new Map<string, BatchSection>();
  let current: BatchSection | undefined;
  let phase: 'out' | 'err' = 'out';
  let buf: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line.startsWith(MARK)) {
      const [, kind, name, code] = line.split(' ');
      if (kind === 'begin') {
        current = { name, stdout: '', stderr: '', code: null };
        sections.set(name, current);
        phase = 'out';
        buf = [];
        continue;
      }
      if (current && name === current.name) {
        if (kind === 'end') {
          current.stdout = buf.join('\n').replace(/\n+$/, '');
          current.code = Number(code);
          phase = 'err';
          buf = [];
          continue;
        }
        if (kind === 'done') {
          current.stderr = buf.join('\n').trim();
          current = undefined;
          buf = [];
          continue;
        }
      }
    }
    if (current) buf.push(phase === 'out' ? line : line);
  }
  if (current && current.code === null) current.stdout = buf.join('\n');
  return sections;
}
