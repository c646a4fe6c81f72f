/**
 * What `sbatch` answers, turned into data. No vscode import: unit-tested in plain Node.
 */

/** `sbatch --parsable` prints `123` or `123;cluster`. */
export function parseParsableJobId(stdout: string): { jobId: string; cluster?: string } | undefined {
  const line = stdout.split('\n').map((l) => l.trim()).find((l) => /^\d+(_\d+)?(;\S+)?$/.test(l));
  if (!line) return undefined;
  const [jobId, cluster] = line.split(';');
  return cluster ? { jobId, cluster } : { jobId };
}

export interface TestOnlyAnswer {
  ok: boolean;
  /** `Job 1 to start at 2026-11-25T14:28:49 using 2 processors on nodes n[1-2] in partition debug` */
  summary?: string;
  startTime?: string;
  nodes?: string;
  partition?: string;
  /** Error lines, without the `sbatch: error:` prefix. */
  errors: string[];
}

/** Reads `sbatch --test-only` output (Slurm prints it on stderr). */
export function parseTestOnly(output: string, exitCode: number | null): TestOnlyAnswer {
  const answer: TestOnlyAnswer = { ok: exitCode === 0, errors: [] };
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    // 26.05 prints a word between the time and "using" ("... at 2026-12-01T20:44:33 a using ..."; recorded).
    const start = /^sbatch: (Job \d+ to start at (\S+)(?: \S+)*? using \d+ processors? on nodes (\S+) in partition (\S+))/.exec(line);
    if (start) {
      answer.summary = start[1];
      answer.startTime = start[2];
      answer.nodes = start[3];
      answer.partition = start[4];
      continue;
    }
    const error = /^(?:sbatch: error: |allocation failure: |sbatch: fatal: |error: )(.*)$/.exec(line);
    if (error && !answer.errors.includes(error[1])) answer.errors.push(error[1]);
  }
  if (!answer.ok && answer.errors.length === 0) answer.errors.push(output.trim() || `sbatch exited with code ${exitCode}`);
  return answer;
}

/** Options an error message is about, to place a diagnostic on the right `#SBATCH` line. */
const ERROR_OPTIONS: [RegExp, string[]][] = [
  [/partition/i, ['-p', '--partition']],
  [/time limit/i, ['-t', '--time']],
  [/node configuration|node count|nodes/i, ['-N', '--nodes', '-n', '--ntasks', '--ntasks-per-node', '-c', '--cpus-per-task', '--mem', '--mem-per-cpu', '--gres', '--gpus', '-C', '--constraint']],
  [/memory/i, ['--mem', '--mem-per-cpu', '--mem-per-gpu']],
  [/gres|gpu/i, ['--gres', '--gpus', '--gpus-per-node', '-G']],
  [/account/i, ['-A', '--account']],
  [/qos/i, ['-q', '--qos']],
  [/feature|constraint/i, ['-C', '--constraint']],
  [/dependency/i, ['-d', '--dependency']],
  [/array/i, ['-a', '--array']],
  [/reservation/i, ['--reservation']],
];

/** 0-based line of the `#SBATCH` directive an error is about; the first directive (or 0) otherwise. */
export function lineForError(scriptText: string, error: string): number {
  const lines = scriptText.split('\n');
  const directive = (line: string) => /^#SBATCH\s+(\S+)/.exec(line)?.[1];
  let first = -1;
  for (const [pattern, options] of ERROR_OPTIONS) {
    if (!pattern.test(error)) continue;
    for (let i = 0; i < lines.length; i++) {
      const option = directive(lines[i]);
      if (!option) continue;
      const name = option.split('=')[0];
      if (options.includes(name) || options.some((o) => o.length === 2 && name.startsWith(o) && !name.startsWith('--'))) return i;
    }
  }
  for (let i = 0; i < lines.length; i++) if (directive(lines[i])) return (first = i);
  return Math.max(first, 0);
}

/** A line for the notification when a job ends. */
export function describeJobEnd(job: { jobId: string; name: string; state: string; exitCode?: string }): { text: string; severity: 'info' | 'warning' | 'error' } {
  const label = `Job ${job.jobId}${job.name ? ` (${job.name})` : ''}`;
  const [code, signal] = (job.exitCode ?? '').split(':');
  switch (job.state) {
    case 'COMPLETED':
      return { text: `${label} completed.`, severity: 'info' };
    case 'FAILED':
      return { text: `${label} failed${code && code !== '0' ? ` with exit code ${code}` : ''}${signal && signal !== '0' ? ` (signal ${signal})` : ''}.`, severity: 'error' };
    case 'TIMEOUT':
      return { text: `${label} reached its time limit.`, severity: 'warning' };
    case 'OUT_OF_MEMORY':
      return { text: `${label} ran out of memory.`, severity: 'error' };
    case 'CANCELLED':
      return { text: `${label} was cancelled.`, severity: 'warning' };
    case 'NODE_FAIL':
      return { text: `${label} ended: a node failed.`, severity: 'error' };
    case 'PREEMPTED':
      return { text: `${label} was preempted.`, severity: 'warning' };
    case 'BOOT_FAIL':
      return { text: `${label} could not start (boot failure).`, severity: 'error' };
    case 'DEADLINE':
      return { text: `${label} missed its deadline.`, severity: 'warning' };
    default:
      return { text: `${label} ended (${job.state}${job.exitCode ? `, exit ${job.exitCode}` : ''}).`, severity: 'info' };
  }
}
