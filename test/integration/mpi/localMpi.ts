/** Shared by the MPI integration tests: real launcher + real Python, through the core's run. */
import { join } from 'node:path';
import { detectLauncher, type LauncherInfo } from '../../../src/core/mpi/launcher';
import { choosePythonForMpi } from '../../../src/core/mpi/python';
import { startLocalRun, type RankRun, type RunResult, type StartOptions } from '../../../src/core/mpi/run';
import type { RankLine } from '../../../src/core/mpi/rankOutput';
import type { RunMode } from '../../../src/core/mpi/launchPlan';
import { LocalTransport } from '../../../src/transport/local';

export const FIXTURES = join(__dirname, '../../../../test/fixtures/mpi');
export const runner = new LocalTransport();
const env = { ...process.env, SLURM_JOB_ID: undefined };

let launcher: Promise<LauncherInfo> | undefined;
let python: Promise<string> | undefined;

export function openMpi(): Promise<LauncherInfo> {
  launcher ??= detectLauncher({ setting: 'mpirun', env, runner });
  return launcher;
}

export function mpiPython(): Promise<string> {
  python ??= choosePythonForMpi({ runner }).then((c) => c.python);
  return python;
}

export interface Started {
  run: RankRun;
  lines: RankLine[];
}

export async function start(program: string, args: string[], ranks: number, options: StartOptions & { mode?: RunMode; launcher?: LauncherInfo } = {}): Promise<Started> {
  const lines: RankLine[] = [];
  const mode = options.mode ?? 'mpi';
  const run = startLocalRun(
    { launcher: mode === 'mpi' ? (options.launcher ?? (await openMpi())) : undefined, program, args, ranks, python: await mpiPython() },
    mode,
    { ...options, env: { ...env, ...options.env }, onLine: (l) => lines.push(l) },
  );
  return { run, lines };
}

export async function runToEnd(program: string, args: string[], ranks: number, options: Parameters<typeof start>[3] = {}): Promise<{ result: RunResult; lines: RankLine[]; runId: string }> {
  const { run, lines } = await start(program, args, ranks, options);
  return { result: await run.done, lines, runId: run.runId };
}

/** Resolves once `predicate` holds, polling; rejects after `ms` (a guard against hanging, not a timing assertion). */
export async function until(predicate: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** PIDs that lines like "... pid 123 ... child 456" announce. */
export function announcedPids(lines: readonly RankLine[]): number[] {
  return lines.flatMap((l) => [...l.text.matchAll(/\b(?:pid|child) (\d+)/g)].map((m) => Number(m[1])));
}
