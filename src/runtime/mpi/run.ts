/**
 * A local run: starts a LaunchPlan, demultiplexes the output by rank, reports the exit status and
 * which rank failed, and ends every process of the run on stop or when the launcher is gone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { watch, mkdirSync, mkdtempSync, rmSync, writeFileSync, type FSWatcher } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { firstFailedStatus, launcherFailedRank, TracebackScanner, type TracebackSummary } from '../../core/mpi/failure';
import { buildLaunchPlan, isPythonProgram, type LaunchPlan, type LaunchRequest, type RunMode } from '../../core/mpi/launchPlan';
import { LineSplitter, type OutputStream, type RankLine } from '../../core/mpi/rankOutput';
import { isAlive, RUN_ID_VARIABLE, runProcessesAsync, signalAll, signalGroup } from './processes';
import { RankFileTail, readRankStatuses } from './rankFiles';

export interface RunResult {
  mode: RunMode;
  /** The launcher's exit code (the program's, for multiprocessing); null when killed by a signal or not started. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** The rank that failed first, when the run failed and it can be told. */
  failedRank?: number;
  /** That rank's own exit code, when known. */
  failedRankExitCode?: number;
  /** Python tracebacks seen on stderr, one summary each (with the rank). */
  tracebacks: TracebackSummary[];
  /** True when the run was ended by stop(). */
  stopped: boolean;
  /** Processes of the run still alive after the launcher ended, which were then killed. */
  leftovers: number;
  /** Why the run could not start (e.g. launcher not found). */
  error?: string;
  durationMs: number;
}

export interface StartOptions {
  cwd?: string;
  /** The environment to start from (default: this process's). */
  env?: NodeJS.ProcessEnv;
  onLine?: (line: RankLine) => void;
  /** How long stop() waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** Keep the per-rank output directory after the run (for debugging). */
  keepRankDir?: boolean;
  /** Backup polling interval of the per-rank files (file-change events trigger reads sooner). */
  pollMs?: number;
}

export function makeRankDir(): string {
  return mkdtempSync(join(tmpdir(), 'hpcw-ranks-'));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class RankRun {
  readonly runId = randomUUID();
  readonly done: Promise<RunResult>;
  private readonly child: ChildProcess;
  private stopping = false;
  private finished = false;
  private readonly started = performance.now();

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.finished;
  }

  static start(plan: LaunchPlan, options: StartOptions = {}): RankRun {
    return new RankRun(plan, options);
  }

  private constructor(
    readonly plan: LaunchPlan,
    private readonly options: StartOptions,
  ) {
    const onLine = options.onLine ?? (() => undefined);
    const scanners = new Map<number | undefined, TracebackScanner>();
    const scan = (line: RankLine): void => {
      if (line.stream !== 'stderr') return;
      let s = scanners.get(line.rank);
      if (!s) scanners.set(line.rank, (s = new TracebackScanner(line.rank)));
      s.push(line.text);
    };
    let launcherText = '';
    const emit = (line: RankLine): void => {
      scan(line);
      onLine(line);
    };

    const env = { ...(options.env ?? process.env), ...plan.env, [RUN_ID_VARIABLE]: this.runId };
    for (const file of plan.files ?? []) {
      mkdirSync(dirname(file.path), { recursive: true });
      writeFileSync(file.path, file.text);
    }
    this.child = spawn(plan.argv[0], plan.argv.slice(1), {
      cwd: options.cwd,
      env,
      detached: true, // its own process group, so stop can signal the launcher and its helpers at once
      stdio: ['ignore', 'pipe', 'pipe'],
    });

    // In an MPI run this is the launcher's own output; in a multiprocessing run, the program's.
    const plainRank = undefined;
    const splitters = (['stdout', 'stderr'] as OutputStream[]).map((stream) => {
      const splitter = new LineSplitter((text) => {
        if (plan.mode === 'mpi' && launcherText.length < 65536) launcherText += `${text}\n`;
        emit({ rank: plainRank, stream, text });
      });
      this.child[stream]?.on('data', (chunk: Buffer) => splitter.push(chunk));
      return splitter;
    });

    const tail = plan.rankDir ? new RankFileTail(plan.rankDir, emit) : undefined;
    let watcher: FSWatcher | undefined;
    let timer: NodeJS.Timeout | undefined;
    if (tail && plan.rankDir) {
      let scheduled = false;
      const schedule = (): void => {
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          tail.poll();
        });
      };
      try {
        watcher = watch(plan.rankDir, schedule);
        watcher.on('error', () => undefined);
      } catch {
        watcher = undefined;
      }
      timer = setInterval(schedule, options.pollMs ?? 100);
    }

    this.done = new Promise<RunResult>((resolve) => {
      let spawnError: string | undefined;
      const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolveExit) => {
        this.child.once('error', (err) => {
          spawnError = `Could not start ${plan.argv[0]}: ${err.message}`;
          resolveExit([null, null]);
        });
        this.child.once('exit', (code, signal) => resolveExit([code, signal]));
      });
      const closed = new Promise<void>((resolveClose) => this.child.once('close', () => resolveClose()));

      void exited.then(async ([exitCode, signal]) => {
        // Whatever is still alive now belongs to a run that is over (an orphaned rank, a worker
        // that outlived its parent): end it before the last read, so no write can be missed.
        let leftovers = 0;
        const alive = await runProcessesAsync(this.runId);
        if (alive.length > 0) {
          leftovers = alive.length;
          signalAll(alive, 'SIGKILL');
          for (let i = 0; i < 100 && alive.some(isAlive); i++) await delay(20);
        }
        // The pipes close when the last process holding them is gone; don't wait forever.
        await Promise.race([closed, delay(2000)]);
        for (const s of splitters) s.end();
        if (timer) clearInterval(timer);
        watcher?.close();
        tail?.finish();

        const result: RunResult = {
          mode: plan.mode,
          exitCode,
          signal,
          tracebacks: [...scanners.values()].flatMap((s) => s.summaries),
          stopped: this.stopping,
          leftovers,
          error: spawnError,
          durationMs: performance.now() - this.started,
        };
        const failed = exitCode !== 0 || signal !== null;
        if (failed && plan.rankDir && plan.mode === 'mpi') {
          const status = firstFailedStatus(readRankStatuses(plan.rankDir));
          const tracebackRank = result.tracebacks.find((t) => t.rank !== undefined)?.rank;
          result.failedRank = status?.rank ?? tracebackRank ?? launcherFailedRank(launcherText);
          if (status) result.failedRankExitCode = status.code;
        }
        if (plan.rankDir && !options.keepRankDir) rmSync(plan.rankDir, { recursive: true, force: true });
        this.finished = true;
        resolve(result);
      });
    });
  }

  /**
   * Ends the run: SIGTERM to the launcher's process group and to every process carrying the run's
   * marker; SIGKILL to whatever is left after the grace period. Resolves with the run's result.
   */
  async stop(): Promise<RunResult> {
    if (!this.finished && !this.stopping) {
      this.stopping = true;
      const pid = this.child.pid;
      if (pid) signalGroup(pid, 'SIGTERM');
      signalAll(await runProcessesAsync(this.runId), 'SIGTERM');
      const graceMs = this.options.stopGraceMs ?? 2000;
      const timeout = delay(graceMs).then(() => 'timeout' as const);
      if ((await Promise.race([this.done, timeout])) === 'timeout') {
        if (pid) signalGroup(pid, 'SIGKILL');
        signalAll(await runProcessesAsync(this.runId), 'SIGKILL');
      }
    }
    return this.done;
  }
}

export interface LocalRunRequest extends Omit<LaunchRequest, 'rankDir' | 'cores' | 'isRoot'> {
  cores?: number;
  isRoot?: boolean;
}

/**
 * Builds the plan for this machine (cores, root, a fresh rank directory: for the ranks of an MPI
 * run, for the processes of a multiprocessing run of a Python program) and starts it.
 */
export function startLocalRun(request: LocalRunRequest, mode: RunMode, options: StartOptions = {}): RankRun {
  const rankDir = mode === 'mpi' || isPythonProgram(request.program) ? makeRankDir() : undefined;
  try {
    const plan = buildLaunchPlan(
      {
        ...request,
        cores: request.cores ?? availableParallelism(),
        isRoot: request.isRoot ?? process.getuid?.() === 0,
        rankDir,
        pythonPath: request.pythonPath ?? (options.env ?? process.env).PYTHONPATH,
      },
      mode,
    );
    return RankRun.start(plan, options);
  } catch (err) {
    if (rankDir) rmSync(rankDir, { recursive: true, force: true });
    throw err;
  }
}
