/**
 * "Will it start?" against a cluster: `sbatch --test-only` with the script's text on standard
 * input (sbatch reads the script from stdin when no file is given), run in the workspace's
 * remote folder, so nothing is synced per save; in the same round trip, which of the script's
 * relative output folders are missing there. Combined with the cluster-aware lint checks by
 * `core/slurm/startEstimate.ts`. No vscode.
 */
import { throwIfCancelled } from '../core/errors';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterSnapshot } from '../core/cluster/snapshot';
import { lintSbatch } from '../core/sbatch/lint';
import { batchArgv, parseBatchOutput } from '../core/slurm/batch';
import { parseTestOnly, type TestOnlyAnswer } from '../core/slurm/sbatchAnswers';
import { startVerdict, type StartVerdict } from '../core/slurm/startEstimate';
import type { CommandRunner } from '../core/transport';

export interface StartEstimateRequest {
  /** The script as it is in the editor (saved or not). */
  text: string;
  /** The remote folder the job would be submitted from (its working directory). */
  remoteRoot: string;
  /** The local workspace folder: an output folder missing remotely but present here comes with the next sync. */
  localRoot?: string;
  snapshot?: ClusterSnapshot;
  now?: Date;
  signal?: AbortSignal;
}

export interface StartEstimate {
  answer: TestOnlyAnswer;
  verdict: StartVerdict;
  /** Whether the remote folder existed (else sbatch ran in the home folder). */
  remoteFolder: boolean;
}

/** Lists the directories (one per argument) that do not exist, relative to the working directory. */
const MISSING_DIRS = 'for d do [ -d "$d" ] || printf "%s\\n" "$d"; done; exit 0';

/** The relative output/error/input folders the linter would check, in its own words. */
function outputDirs(text: string, snapshot: ClusterSnapshot | undefined): string[] {
  const dirs: string[] = [];
  lintSbatch(text, { cluster: snapshot, summary: false, directoryExists: (d) => void dirs.push(d) });
  return [...new Set(dirs)];
}

function localDirExists(localRoot: string | undefined, dir: string): boolean {
  if (!localRoot) return false;
  try {
    return fs.statSync(path.join(localRoot, dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Combines an answer with the lint checks (the snapshot) and the output folders known to be missing. */
export function judgeAnswer(answer: TestOnlyAnswer, text: string, options: { snapshot?: ClusterSnapshot; missingDirs?: ReadonlySet<string>; localRoot?: string; now?: Date }): StartVerdict {
  const diagnostics = lintSbatch(text, {
    cluster: options.snapshot,
    summary: false,
    directoryExists: (d) => !(options.missingDirs?.has(d) ?? false) || localDirExists(options.localRoot, d),
  });
  return startVerdict(answer, diagnostics, options.now ?? new Date());
}

export async function estimateStart(runner: CommandRunner, request: StartEstimateRequest): Promise<StartEstimate> {
  const dirs = outputDirs(request.text, request.snapshot);
  const steps = [{ name: 'test', argv: ['sbatch', '--test-only'] }];
  if (dirs.length > 0) steps.push({ name: 'dirs', argv: ['sh', '-c', MISSING_DIRS, 'sh', ...dirs] });
  const run = (cwd: string | undefined) => runner.exec(batchArgv(steps), { cwd, stdin: request.text, timeoutMs: 60_000, signal: request.signal });
  let remoteFolder = true;
  // A missing folder fails the `cd` over SSH, and the process start of the local transport.
  let result = await run(request.remoteRoot).catch((error: unknown) => {
    throwIfCancelled(request.signal);
    return { stdout: '', stderr: String(error), code: null };
  });
  let sections = parseBatchOutput(result.stdout);
  if (!sections.has('test')) {
    // The remote folder does not exist yet (never synced): ask from the home folder.
    remoteFolder = false;
    result = await run('~');
    sections = parseBatchOutput(result.stdout);
  }
  const test = sections.get('test');
  if (!test) throw new Error(result.stderr.trim() || `sbatch --test-only did not run (exit status ${result.code})`);
  const answer = parseTestOnly(`${test.stderr}\n${test.stdout}`, test.code);
  const missing = new Set<string>(
    remoteFolder
      ? (sections.get('dirs')?.stdout ?? '').split('\n').filter((l) => l !== '')
      : dirs, // no remote folder: every relative folder is missing there
  );
  const verdict = judgeAnswer(answer, request.text, { snapshot: request.snapshot, missingDirs: missing, localRoot: request.localRoot, now: request.now });
  return { answer, verdict, remoteFolder };
}
