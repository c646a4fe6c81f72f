/**
 * The launch command builder: argv + environment for a run of N ranks (or N multiprocessing
 * workers), for each launcher kind. Pure: no process is started here, so the remote side can
 * build the same command and quote it with `shellCommand`.
 *
 * Rank separation. Open MPI's `--tag-output` prefixes chunks, not lines, and every launcher's I/O
 * forwarding may split a long line between two reads and interleave another rank's chunk. So we do
 * not parse the launcher's merged stream at all: each rank is started through a tiny POSIX `sh`
 * wrapper (RANK_WRAPPER) that reads the rank number from the launcher's environment
 * (OMPI_COMM_WORLD_RANK, PMI_RANK (MPICH/Intel hydra), PMIX_RANK, SLURM_PROCID) and redirects the
 * program's stdout and stderr into `$HPCW_RANK_DIR/<rank>.out|.err`. A line can then only ever come
 * from one rank: attribution holds by construction, for any launcher, whatever the line lengths.
 * The wrapper also writes `<rank>.status` (the exit code) when the program ends; with the file's
 * modification time it tells which rank failed first. The launcher's own stdout/stderr then carries only the launcher's
 * messages (e.g. "MPI_ABORT was invoked on rank 2").
 */

import { WORKER_HOOK, WORKER_HOOK_DIR } from './workerHook';

export type RunMode = 'mpi' | 'multiprocessing';

export interface LaunchRequest {
  /** The launcher to use (from detectLauncher). Not needed for multiprocessing. */
  launcher?: { kind: string; command: string };
  /** The program: a Python file (*.py, *.pyw) or an executable, as an absolute path. */
  program: string;
  args?: readonly string[];
  ranks: number;
  /** The interpreter for Python programs. */
  python?: string;
  /** `hpcWorkbench.mpi.extraArgs`: inserted right after the launcher's own flags. */
  extraArgs?: readonly string[];
  /** Running as root (Open MPI refuses root unless told). */
  isRoot?: boolean;
  /** Processor cores available here (more ranks than that needs `--oversubscribe` for Open MPI). */
  cores?: number;
  /**
   * Directory where each rank's output files go; when unset, ranks are not wrapped. In a
   * multiprocessing run of a Python program, where each process of the run writes its own files
   * (see workerHook.ts).
   */
  rankDir?: string;
  /** The PYTHONPATH the run inherits (kept after the worker hook's directory). */
  pythonPath?: string;
  /**
   * Open MPI only: restrict the byte transfer layers to self,tcp. Needed where several "nodes"
   * share one hostname (a single-host test cluster under srun): the shared-memory transport
   * crashes there. Not needed for ordinary local runs.
   */
  tcpOnly?: boolean;
  /** srun's `--mpi=` plugin (e.g. `pmix` for Open MPI programs); omitted when unset. */
  srunMpi?: string;
}

export interface LaunchPlan {
  mode: RunMode;
  argv: string[];
  /** Variables to add to the inherited environment. */
  env: Record<string, string>;
  /** Set when ranks (or a multiprocessing run's processes) write into per-rank files there. */
  rankDir?: string;
  /** Files to write before the run starts (absolute path, text). */
  files?: { path: string; text: string }[];
}

/**
 * Runs as `sh -c RANK_WRAPPER hpcw-rank PROGRAM ARGS...` for each rank. The TERM/INT/HUP trap only
 * remembers the signal: sh runs traps after the foreground program ends, so the status is still
 * written when the launcher tears ranks down, and the program itself gets the default signal
 * dispositions (traps are reset on exec). Launchers signal a rank's whole process group, which
 * holds this sh and the program.
 */
export const RANK_WRAPPER = [
  'd=${HPCW_RANK_DIR:?HPCW_RANK_DIR is not set}',
  'r=${OMPI_COMM_WORLD_RANK:-${PMI_RANK:-${PMIX_RANK:-${SLURM_PROCID:-}}}}',
  'if [ -z "$r" ]; then echo "hpc-workbench: the launcher did not tell this process its MPI rank" >&2; exit 127; fi',
  "trap 't=1' TERM INT HUP",
  '"$@" >"$d/$r.out" 2>"$d/$r.err"',
  's=$?',
  'printf \'%s\\n\' "$s" >"$d/$r.status"',
  'exit "$s"',
].join('\n');

export function isPythonProgram(program: string): boolean {
  return /\.pyw?$/i.test(program);
}

/** The command each rank runs: Python files through `-m mpi4py` (an uncaught exception aborts all ranks). */
export function programArgv(request: Pick<LaunchRequest, 'program' | 'args' | 'python'>, mode: RunMode): string[] {
  const args = [...(request.args ?? [])];
  if (!isPythonProgram(request.program)) return [request.program, ...args];
  const python = request.python ?? 'python3';
  return mode === 'mpi' ? [python, '-m', 'mpi4py', request.program, ...args] : [python, request.program, ...args];
}

/** The launcher's own flags for N ranks. */
export function launcherFlags(request: LaunchRequest): { flags: string[]; env: Record<string, string> } {
  const kind = request.launcher?.kind ?? 'unknown';
  const n = String(request.ranks);
  const env: Record<string, string> = {};
  switch (kind) {
    case 'openmpi': {
      const flags = ['-n', n];
      if (request.isRoot) flags.push('--allow-run-as-root');
      if (request.cores !== undefined && request.ranks > request.cores) flags.push('--oversubscribe');
      if (request.tcpOnly) env.OMPI_MCA_btl = 'self,tcp';
      return { flags, env };
    }
    case 'slurm': {
      const flags = ['-n', n];
      if (request.srunMpi) flags.push(`--mpi=${request.srunMpi}`);
      if (request.tcpOnly) env.OMPI_MCA_btl = 'self,tcp';
      return { flags, env };
    }
    // MPICH and Intel MPI (both hydra) run as root and oversubscribe by themselves.
    case 'mpich':
    case 'intel':
    default:
      return { flags: ['-n', n], env };
  }
}

export function buildLaunchPlan(request: LaunchRequest, mode: RunMode = 'mpi'): LaunchPlan {
  if (!Number.isInteger(request.ranks) || request.ranks < 1) {
    throw new Error(`The number of ${mode === 'mpi' ? 'ranks' : 'workers'} must be a whole number of at least 1 (got ${request.ranks}).`);
  }
  const program = programArgv(request, mode);
  const env: Record<string, string> = {};
  // Python buffers stdout when it is not a terminal: unbuffered, output shows up as it happens.
  if (isPythonProgram(request.program)) env.PYTHONUNBUFFERED = '1';

  if (mode === 'multiprocessing') {
    env.HPCW_WORKERS = String(request.ranks);
    if (!request.rankDir || !isPythonProgram(request.program)) return { mode, argv: program, env };
    const hookDir = `${request.rankDir}/${WORKER_HOOK_DIR}`;
    env.HPCW_WORKER_DIR = request.rankDir;
    env.PYTHONPATH = request.pythonPath ? `${hookDir}:${request.pythonPath}` : hookDir;
    return { mode, argv: program, env, rankDir: request.rankDir, files: [{ path: `${hookDir}/sitecustomize.py`, text: WORKER_HOOK }] };
  }
  if (!request.launcher) throw new Error('No MPI launcher given.');
  const { flags, env: launcherEnv } = launcherFlags(request);
  Object.assign(env, launcherEnv);
  const rankCommand = request.rankDir ? ['sh', '-c', RANK_WRAPPER, 'hpcw-rank', ...program] : program;
  if (request.rankDir) env.HPCW_RANK_DIR = request.rankDir;
  return {
    mode,
    argv: [request.launcher.command, ...flags, ...(request.extraArgs ?? []), ...rankCommand],
    env,
    rankDir: request.rankDir,
  };
}
