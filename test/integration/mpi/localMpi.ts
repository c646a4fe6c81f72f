/** Shared by the MPI integration tests: real launcher + real Python, through the core's run. */
import { join } from 'node:path';
import type { LauncherInfo } from '../../../src/core/mpi/launcher';
import { detectLocalLauncher } from '../../../src/runtime/mpi/launcher';
import { chooseLocalPythonForMpi } from '../../../src/runtime/mpi/python';
import { startLocalRun, type RankRun, type RunResult, type StartOptions } from '../../../src/runtime/mpi/run';
import type { RankLine } from '../../../src/core/mpi/rankOutput';
import type { RunMode } from '../../../src/core/mpi/launchPlan';
import { LocalTransport } from '../../../src/transport/local';
import { until as waitUntil } from '../../support/until';

export const FIXTURES = join(__dirname, '../../../../test/fixtures/mpi');
export const runner = new LocalTransport();
const env = { ...process.env, SLURM_JOB_ID: undefined };

let launcher: Promise<LauncherInfo> | undefined;
let python: Promise<string> | undefined;

export function openMpi(): Promise<LauncherInfo> {
  launcher ??= detectLocalLauncher({ setting: 'mpirun', env, runner });
  return launcher;
}

export function mpiPython(): Promise<string> {
  python ??= chooseLocalPythonForMpi({ runner }).then((c) => c.python);
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

/** Resolves once `predicate` holds (test/support's until, with this suite's argument order). */
export async function until(predicate: () => boolean, what: string, ms = 60_000): Promise<void> {
  await waitUntil(predicate, { what, timeoutMs: ms, intervalMs: 25 });
}

/** PIDs that lines like "... pid 123 ... child 456" announce. */
export function announcedPids(lines: readonly RankLine[]): number[] {
  return lines.flatMap((l) => [...l.text.matchAll(/\b(?:pid|child) (\d+)/g)].map((m) => Number(m[1])));
}
