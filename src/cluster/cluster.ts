/**
 * One configured cluster and every operation on it: its connection (SSH or local processes), the
 * monitor that refreshes its state, the events views listen to, accounting, job actions, job
 * details and output following; the workspace operations (file transfer, sync, submit, validate)
 * are in workspaceOps.ts, the reports of ended jobs in jobEndings.ts, the shapes callers share in
 * clusterView.ts. No vscode here: the extension adapts it (src/extension/clusters), the
 * integration tests drive it directly.
 */
import type { ClusterConfig } from '../core/cluster/config';
import type { ClusterState } from '../core/slurm/clusterState';
import type { JobAction, JobActionResult } from '../core/slurm/jobActions';
import type { ScontrolJob } from '../core/slurm/scontrol';
import type { SqueueJob } from '../core/slurm/squeue';
import type { TestOnlyAnswer } from '../core/slurm/sbatchAnswers';
import type { StartVerdict } from '../core/slurm/startEstimate';
import { ClusterMonitor } from '../core/slurm/monitor';
import type { ExecOptions, ExecResult } from '../core/transport';
import type { FileTransfer } from '../transport/fileTransfer';
import type { SyncSummary } from '../transport/sftpSync';
import { DEFAULT_HISTORY_DAYS, fetchLiveUse, HistoryTracker, jobAccounting, resubmitFailedTasks, type History, type JobAccounting, type LiveUse, type ResubmitOptions, type ResubmitResult } from './accounting';
import { ClusterConnection } from './connection';
import type { ClusterJupyter } from './jupyter';
import { Emitter } from './events';
import type { OutputFollower, OutputFollowerOptions } from './outputFollower';
import { JobOps } from './jobOps';
import type { StartEstimate } from './startEstimate';
import { ActionRefresh } from './actionRefresh';
import { refreshIntervalFor } from './refreshPolicy';
import type { Submitted } from './submit';
import type { ClusterOptions, ClusterView, LocalFolder, TransferControl } from './clusterView';
import { JobEndings, type FinishedJobReport } from './jobEndings';
import { WorkspaceOps } from './workspaceOps';

export type { ConnectionState } from './connection';
export type { FinishedJobInfo, MonitorStatus } from '../core/slurm/monitor';
export type { History } from './accounting';
export type { ClusterOptions, ClusterView, LocalFolder, TransferControl } from './clusterView';
export type { FinishedJobReport } from './jobEndings';

export class Cluster {
  readonly config: ClusterConfig;
  private readonly connection: ClusterConnection;
  private readonly monitor: ClusterMonitor;
  private userDisconnected = false;
  private started = false;
  private readonly changeEmitter = new Emitter<void>();
  private readonly stateEmitter = new Emitter<ClusterState>();
  private readonly finishEmitter = new Emitter<FinishedJobReport>();
  private readonly historyEmitter = new Emitter<History>();
  private readonly unsubscribe: (() => void)[] = [];
  /** How many cluster maps want CPU placement with the refresh. */
  private placementWanted = 0;
  private readonly historyTracker: HistoryTracker;
  private readonly endings = new JobEndings(
    () => this.refreshHistory(),
    (report) => this.finishEmitter.fire(report),
  );
  private readonly workspaces: WorkspaceOps;
  private readonly jobs: JobOps;
  private focused = true;
  private readonly actionRefresh = new ActionRefresh(async () => {
    if (this.userDisconnected) return undefined;
    this.watch();
    return this.monitor.refresh();
  });

  constructor(config: ClusterConfig, options: ClusterOptions) {
    this.config = config;
    this.connection = new ClusterConnection(config, options.sshCallbacks);
    this.workspaces = new WorkspaceOps({
      connection: this.connection,
      ready: () => this.ready(),
      snapshot: () => this.state?.snapshot,
      submitted: (jobId) => void this.actionRefresh.after({ listed: [jobId] }),
    });
    this.jobs = new JobOps({
      connection: this.connection,
      clusterName: config.name,
      ready: () => this.ready(),
      refreshAfter: (expectation) => this.actionRefresh.after(expectation),
      queueListing: () => this.monitor.queueListing(),
      transfer: () => this.transfer(),
      stateSource: {
        lookup: (id) => this.findJob(id) ?? (this.monitor.state ? 'absent' : undefined),
        onRefresh: (listener) => this.stateEmitter.on(() => listener()),
        paused: () => this.userDisconnected,
      },
      followingChanged: () => this.monitor.reschedule(),
    });
    this.monitor = new ClusterMonitor(
      async () => {
        await this.connection.ready();
        return this.connection;
      },
      // History is read on events (below), live use (sstat) on demand: neither at every refresh.
      { cluster: config.name, allUsers: options.allUsers, intervalMs: () => refreshIntervalFor(options.refreshIntervalMs(), { focused: this.focused, following: this.jobs.following }), placement: () => this.placementWanted > 0 },
    );
    this.historyTracker = new HistoryTracker(
      async () => {
        await this.connection.ready();
        return this.connection;
      },
      { days: options.historyDays ?? (() => DEFAULT_HISTORY_DAYS) },
    );
    this.unsubscribe.push(
      this.monitor.onStatus((status) => {
        if (status.kind === 'ok') {
          this.stateEmitter.fire(status.state);
          this.endings.refreshed();
        }
        this.changeEmitter.fire();
      }),
      this.monitor.onFinishedJob((job) => this.endings.jobEnded(job)),
      this.historyTracker.onDidChange((history) => {
        this.historyEmitter.fire(history);
        this.changeEmitter.fire();
      }),
      this.connection.onDidChangeState(() => this.changeEmitter.fire()),
    );
  }

  get name(): string {
    return this.config.name;
  }

  // --- events ------------------------------------------------------------------------------

  /** Anything a view shows may have changed (connection state, refresh status, state). */
  onDidChange(listener: () => void): () => void {
    return this.changeEmitter.on(listener);
  }

  /** A refresh succeeded. */
  onDidRefresh(listener: (state: ClusterState) => void): () => void {
    return this.stateEmitter.on(listener);
  }

  /**
   * One of my jobs left the queue; its final state from scontrol or accounting (else UNKNOWN), and
   * with slurmdbd its record and efficiency (the history is fetched once per burst of endings).
   */
  onDidFinishJob(listener: (job: FinishedJobReport) => void): () => void {
    return this.finishEmitter.on(listener);
  }

  /** The history was fetched (or restored). */
  onDidChangeHistory(listener: (history: History) => void): () => void {
    return this.historyEmitter.on(listener);
  }

  // --- state -------------------------------------------------------------------------------

  view(): ClusterView {
    return {
      config: this.config,
      isLocal: this.connection.isLocal,
      connection: this.connection.state,
      connectionError: this.connection.lastError,
      status: this.monitor.status,
      state: this.monitor.state,
      userDisconnected: this.userDisconnected,
      started: this.started,
      ...(this.historyTracker.history ? { history: this.historyTracker.history } : {}),
    };
  }

  /** The last state read (undefined before the first successful refresh). */
  get state(): ClusterState | undefined {
    return this.monitor.state;
  }

  /** Whether a job (by id, or by the numeric id of an array task) is in the last state read. */
  knowsJob(jobId: string): boolean {
    return !!this.findJob(jobId);
  }

  private findJob(jobId: string): SqueueJob | undefined {
    return this.monitor.state?.jobs.find((j) => j.jobId === jobId || j.jobIdNumeric === jobId);
  }

  // --- connection and refresh ------------------------------------------------------------------

  /** Starts watching (first refresh at once, then on the interval), unless the user disconnected. */
  watch(): void {
    if (this.started || this.userDisconnected) return;
    this.started = true;
    this.monitor.start();
  }

  /** Starts watching again after `dispose` of an older instance or a settings change. */
  resume(): void {
    if (this.started && !this.userDisconnected) this.monitor.start();
  }

  /** Connects, asking for credentials again after an authentication failure, and refreshes. */
  async connect(): Promise<void> {
    this.userDisconnected = false;
    this.changeEmitter.fire();
    await this.connection.connect();
    this.started = true;
    this.monitor.start();
    await this.monitor.refresh().catch(() => undefined);
  }

  /** Connects if needed (first use may prompt) and starts watching. */
  async ready(): Promise<void> {
    this.userDisconnected = false;
    await this.connection.ready();
    this.watch();
  }

  disconnect(): void {
    this.userDisconnected = true;
    this.monitor.stop();
    this.connection.disconnect();
    this.changeEmitter.fire();
  }

  /** The window's focus (refreshPolicy.ts: slower while not focused); a regained focus refreshes if one is due. */
  setWindowFocused(focused: boolean): void {
    if (this.focused === focused) return;
    this.focused = focused;
    this.monitor.reschedule();
  }

  /** Refreshes made right after actions and submissions (tests, bench). */
  get actionRefreshes(): number {
    return this.actionRefresh.refreshes;
  }

  /**
   * Refreshes everything now, the partitions' limits included (the user asked: starting to watch if
   * needed); resolves when done; failures show in the status.
   */
  async refresh(): Promise<void> {
    if (this.userDisconnected) return;
    this.watch();
    await this.monitor.refresh({ limits: true }).catch(() => undefined);
  }

  // --- accounting ------------------------------------------------------------------------------

  /** The last history fetched (or restored). */
  get history(): History | undefined {
    return this.historyTracker.history;
  }

  /** sacct round trips made for the history (bench). */
  get historyFetches(): number {
    return this.historyTracker.fetches;
  }

  /** Shows a history saved before (a window reload) until the first fetch. */
  restoreHistory(saved: History): void {
    this.historyTracker.restore(saved);
  }

  /** Fetches the history now (on demand). */
  async refreshHistory(): Promise<History> {
    await this.connection.ready();
    return this.historyTracker.refresh();
  }

  /** One job's accounting record with steps and efficiency (an array id: all its tasks). */
  async jobAccounting(jobId: string): Promise<JobAccounting> {
    await this.ready();
    return jobAccounting(this.connection, jobId);
  }

  /**
   * Live use (sstat) of running jobs, read when asked (a job's tooltip or details): not with every
   * refresh, where it would cost slurmctld two RPCs per running job.
   */
  async liveUse(jobIds: readonly string[]): Promise<LiveUse> {
    await this.ready();
    return fetchLiveUse(this.connection, jobIds);
  }

  /** Submits the failed tasks of an array again (`--array=<indices>%N`), then refreshes. */
  async resubmitFailedTasks(arrayJobId: string, options: ResubmitOptions): Promise<ResubmitResult> {
    await this.ready();
    const result = await resubmitFailedTasks(this.connection, arrayJobId, options);
    if (result.jobId) void this.actionRefresh.after({ listed: [result.jobId] });
    return result;
  }

  // --- commands and files ---------------------------------------------------------------------

  /** Runs a command (argv, quoted by the transport) on the cluster's login node. */
  async exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult> {
    await this.ready();
    return this.connection.exec(argv, options);
  }

  /** The remote copy of a workspace folder (absolute). */
  remoteDir(folderName: string): Promise<string> {
    return this.workspaces.remoteDir(folderName);
  }

  /** The file transfer on the cluster's connection (SFTP on the shared SSH connection, or local files). */
  transfer(): Promise<FileTransfer> {
    return this.workspaces.transfer();
  }

  /** Syncs a workspace folder to its remote copy (incremental, atomic per file). */
  sync(folder: LocalFolder, control?: TransferControl): Promise<SyncSummary> {
    return this.workspaces.sync(folder, control);
  }

  /** Uploads a few files of a folder (upload on save). Returns the relative paths uploaded. */
  upload(folder: LocalFolder, files: readonly string[]): Promise<string[]> {
    return this.workspaces.upload(folder, files);
  }

  /** Syncs, then `sbatch --parsable` in the remote folder; then a refresh lists the new job. */
  submit(folder: LocalFolder, script: string, control?: TransferControl, extraArgs: readonly string[] = []): Promise<Submitted> {
    return this.workspaces.submit(folder, script, control, extraArgs);
  }

  /** Syncs, then `sbatch --parsable [options]` in the remote folder with the script given as text on stdin. */
  submitText(folder: LocalFolder, scriptText: string, options: readonly string[] = [], control?: TransferControl): Promise<Omit<Submitted, 'script'>> {
    return this.workspaces.submitText(folder, scriptText, options, control);
  }

  /**
   * Syncs, then `sbatch --test-only` of the script in the remote folder, judged with the
   * cluster-aware checks: `verdict` never says "starts" for a job that pends forever or fails at launch.
   */
  validate(folder: LocalFolder, script: string, control?: TransferControl): Promise<TestOnlyAnswer & { verdict: StartVerdict }> {
    return this.workspaces.validate(folder, script, control);
  }

  /**
   * "Will it start?" for a script's text as it is, without syncing: `sbatch --test-only` with the
   * text on stdin in the folder's remote copy, judged with the last snapshot's checks.
   */
  estimateStart(folder: LocalFolder | undefined, text: string, signal?: AbortSignal): Promise<StartEstimate> {
    return this.workspaces.estimateStart(folder, text, signal);
  }

  /**
   * While a cluster map is open: the refresh also reads where running jobs' CPUs are. Returns
   * the function that ends the request. The first request refreshes at once.
   */
  wantPlacement(): () => void {
    this.placementWanted++;
    if (this.placementWanted === 1 && this.started && !this.userDisconnected) void this.refresh();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.placementWanted--;
    };
  }

  // --- jobs ------------------------------------------------------------------------------------

  /** Cancel, hold, release or requeue, each verified; then a targeted refresh (actionRefresh.ts) so views show the result at once. */
  jobAction(action: JobAction, jobIds: readonly string[]): Promise<JobActionResult[]> {
    return this.jobs.jobAction(action, jobIds);
  }

  /** The job as `scontrol show job` knows it; undefined once slurmctld has forgotten it. */
  job(jobId: string): Promise<ScontrolJob | undefined> {
    return this.jobs.job(jobId);
  }

  /** The job's stdout and stderr paths; undefined once slurmctld has forgotten the job. */
  outputPaths(jobId: string): Promise<{ stdout: string; stderr: string; workDir?: string } | undefined> {
    return this.jobs.outputPaths(jobId);
  }

  /** The details document of a job (scontrol, else accounting). */
  jobDetails(jobId: string): Promise<string> {
    return this.jobs.jobDetails(jobId);
  }

  /**
   * A live follower of one output file of a job: its bytes streamed on the connection (resumed
   * from the offset after a reconnection), the job's state from the regular refresh, until it ends.
   */
  followOutput(jobId: string, path: string, options?: OutputFollowerOptions): Promise<OutputFollower> {
    return this.jobs.followOutput(jobId, path, options);
  }

  private jupyterService: ClusterJupyter | undefined;

  /** The cluster's Jupyter (one server on the login node, its kernels), made on first use. */
  jupyter(): ClusterJupyter {
    if (!this.jupyterService) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ClusterJupyter } = require('./jupyter') as typeof import('./jupyter');
      this.jupyterService = new ClusterJupyter(this.connection, this.config.name);
    }
    return this.jupyterService;
  }

  dispose(): void {
    this.jobs.stopFollowers();
    this.jupyterService?.dispose();
    for (const off of this.unsubscribe) off();
    this.monitor.stop();
    this.connection.dispose();
    this.changeEmitter.clear();
    this.stateEmitter.clear();
    this.finishEmitter.clear();
    this.historyEmitter.clear();
  }
}
