/**
 * One configured cluster and every operation on it: its connection (SSH or local processes) and
 * file transfer, the monitor that refreshes its state, the events views listen to, and sync,
 * submit, validate, job actions, job details, output following and downloads. No vscode here:
 * the extension adapts it (src/extension/clusters), the integration tests drive it directly.
 */
import { throwIfCancelled } from '../core/errors';
import type { SFTPWrapper } from 'ssh2';
import type { ClusterConfig } from '../core/cluster/config';
import type { ClusterState } from '../core/slurm/clusterState';
import { runJobAction, type JobAction, type JobActionResult } from '../core/slurm/jobActions';
import type { ScontrolJob } from '../core/slurm/scontrol';
import type { TestOnlyAnswer } from '../core/slurm/sbatchAnswers';
import { ClusterMonitor, type FinishedJobInfo, type MonitorStatus } from '../core/slurm/monitor';
import type { ExecOptions, ExecResult } from '../core/transport';
import { type FileTransfer } from '../transport/fileTransfer';
import { LocalFileTransfer } from '../transport/localFileTransfer';
import { SftpFileTransfer } from '../transport/sftpFileTransfer';
import { uploadFiles, type SyncProgress, type SyncSummary } from '../transport/sftpSync';
import type { SshCallbacks } from '../transport/ssh';
import { jobEfficiency, type Efficiency } from '../core/slurm/efficiency';
import type { AccountedJobDetail } from '../core/slurm/sacct';
import { DEFAULT_HISTORY_DAYS, HistoryTracker, jobAccounting, resubmitFailedTasks, type History, type JobAccounting, type ResubmitOptions, type ResubmitResult } from './accounting';
import { ClusterConnection, type ConnectionState } from './connection';
import type { ClusterJupyter } from './jupyter';
import { Emitter } from './events';
import { jobDetailsText } from './jobDetails';
import { OutputFollower, outputPathsOf, readJob, type JobStateSource, type OutputFollowerOptions } from './outputFollower';
import { estimateStart, type StartEstimate } from './startEstimate';
import { ActionRefresh } from './actionRefresh';
import { refreshIntervalFor } from './refreshPolicy';
import { scriptPathInWorkspace, syncAndSubmit, syncAndSubmitText, syncWorkspace, type RemoteWorkspace, type Submitted } from './submit';
import type { StartVerdict } from '../core/slurm/startEstimate';
import { readFile } from 'node:fs/promises';

export type { ConnectionState } from './connection';
export type { FinishedJobInfo, MonitorStatus } from '../core/slurm/monitor';
export type { History } from './accounting';

/** A job of mine that ended, with its accounting record and efficiency when slurmdbd has them. */
export interface FinishedJobReport extends FinishedJobInfo {
  accounting?: AccountedJobDetail;
  efficiency?: Efficiency;
}

export interface ClusterOptions {
  /** Prompts and secrets for SSH. */
  sshCallbacks: () => SshCallbacks;
  /** Read at every refresh. */
  allUsers: () => boolean;
  refreshIntervalMs: () => number;
  /** The history window in days (hpcWorkbench.history.days; default 7). */
  historyDays?: () => number;
}

/** What views render of a cluster: a read-only picture, taken when asked. */
export interface ClusterView {
  readonly config: ClusterConfig;
  readonly isLocal: boolean;
  readonly connection: ConnectionState;
  /** Why the connection failed, when it did. */
  readonly connectionError?: string;
  readonly status: MonitorStatus;
  /** The last state read, kept while a refresh fails. */
  readonly state?: ClusterState;
  /** Disconnected by the user: not refreshed until connected again. */
  readonly userDisconnected: boolean;
  /** Watched: refreshed on the interval. */
  readonly started: boolean;
  /** Finished jobs from accounting (fetched on start, when a job of mine ends, on demand). */
  readonly history?: History;
}

/** A local workspace folder and the sync settings that apply to it. */
export interface LocalFolder {
  /** Absolute path of the folder. */
  root: string;
  /** Its name: the default remote folder is ~/hpc-workbench/<name>. */
  name: string;
  excludeGlobs?: readonly string[];
}

export interface TransferControl {
  signal?: AbortSignal;
  onProgress?(progress: SyncProgress): void;
}

export class Cluster {
  readonly config: ClusterConfig;
  private readonly connection: ClusterConnection;
  private readonly monitor: ClusterMonitor;
  private userDisconnected = false;
  private started = false;
  private readonly localTransfer = new LocalFileTransfer();
  private sftpTransfer: { sftp: SFTPWrapper; transfer: SftpFileTransfer } | undefined;
  private readonly changeEmitter = new Emitter<void>();
  private readonly stateEmitter = new Emitter<ClusterState>();
  private readonly finishEmitter = new Emitter<FinishedJobReport>();
  private readonly historyEmitter = new Emitter<History>();
  private readonly unsubscribe: (() => void)[] = [];
  /** How many cluster maps want CPU placement with the refresh. */
  private placementWanted = 0;
  private readonly historyTracker: HistoryTracker;
  private historyWanted = true;
  private endedBatch: FinishedJobInfo[] = [];
  /** Endings whose record slurmdbd did not have yet: reported after the next refresh's history fetch. */
  private awaitingRecord: FinishedJobInfo[] = [];
  private readonly followers = new Set<OutputFollower>();
  private focused = true;
  private readonly actionRefresh = new ActionRefresh(async () => {
    if (this.userDisconnected) return undefined;
    this.watch();
    return this.monitor.refresh();
  });

  constructor(config: ClusterConfig, options: ClusterOptions) {
    this.config = config;
    this.connection = new ClusterConnection(config, options.sshCallbacks);
    this.monitor = new ClusterMonitor(
      async () => {
        await this.connection.ready();
        return this.connection;
      },
      // History is read on events (below), not at every refresh; sstat rides along with the refresh.
      { cluster: config.name, allUsers: options.allUsers, intervalMs: () => refreshIntervalFor(options.refreshIntervalMs(), { focused: this.focused, following: this.followers.size > 0 }), liveUse: () => true, placement: () => this.placementWanted > 0 },
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
          // On start (first answer), and once more after an ending that accounting had not recorded yet.
          if (this.historyWanted) {
            this.historyWanted = false;
            const waiting = this.awaitingRecord;
            this.awaitingRecord = [];
            void this.refreshHistory().then(
              (history) => this.report(waiting, history, false),
              () => this.report(waiting, undefined, false),
            );
          }
        }
        this.changeEmitter.fire();
      }),
      this.monitor.onFinishedJob((job) => this.jobEnded(job)),
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

  private jobEnded(job: FinishedJobInfo): void {
    // The monitor reports the endings of one refresh back to back: one history fetch for all.
    this.endedBatch.push(job);
    if (this.endedBatch.length > 1) return;
    queueMicrotask(() => {
      const batch = this.endedBatch;
      this.endedBatch = [];
      void this.reportEndings(batch);
    });
  }

  private async reportEndings(batch: FinishedJobInfo[]): Promise<void> {
    let history: History | undefined;
    try {
      history = await this.refreshHistory();
    } catch {
      history = undefined;
    }
    this.report(batch, history, true);
  }

  private report(jobs: FinishedJobInfo[], history: History | undefined, mayWait: boolean): void {
    for (const job of jobs) {
      const record = history?.jobs.find((j) => j.jobId === job.jobId || j.jobIdRaw === job.jobId);
      // slurmdbd may record the end a moment after squeue forgets the job: fetch again after the
      // next refresh and report then (with or without the record).
      if (mayWait && history?.source === 'slurmdbd' && !record) {
        this.awaitingRecord.push(job);
        this.historyWanted = true;
        continue;
      }
      const report: FinishedJobReport = { ...job };
      if (record && history?.source === 'slurmdbd') {
        report.accounting = record;
        report.efficiency = jobEfficiency(record);
      }
      this.finishEmitter.fire(report);
    }
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
    return !!this.monitor.state?.jobs.some((j) => j.jobId === jobId || j.jobIdNumeric === jobId);
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

  /** Refreshes now (starting to watch if needed) and resolves when done; failures show in the status. */
  async refresh(): Promise<void> {
    if (this.userDisconnected) return;
    this.watch();
    await this.monitor.refresh().catch(() => undefined);
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
  async remoteDir(folderName: string): Promise<string> {
    await this.ready();
    return this.connection.remoteDir(folderName);
  }

  /** The file transfer on the cluster's connection (SFTP on the shared SSH connection, or local files). */
  async transfer(): Promise<FileTransfer> {
    await this.ready();
    const sftp = await this.connection.sftp();
    if (!sftp) return this.localTransfer;
    if (this.sftpTransfer?.sftp !== sftp || !this.sftpTransfer.transfer.isOpen) {
      this.sftpTransfer = { sftp, transfer: new SftpFileTransfer(sftp, this.connection) };
    }
    return this.sftpTransfer.transfer;
  }

  private async remoteWorkspace(folder: LocalFolder, control: TransferControl = {}): Promise<RemoteWorkspace> {
    return {
      runner: this.connection,
      transfer: await this.transfer(),
      localRoot: folder.root,
      remoteRoot: await this.remoteDir(folder.name),
      excludeGlobs: folder.excludeGlobs,
      signal: control.signal,
      onProgress: control.onProgress,
    };
  }

  /** Syncs a workspace folder to its remote copy (incremental, atomic per file). */
  async sync(folder: LocalFolder, control?: TransferControl): Promise<SyncSummary> {
    return (await syncWorkspace(await this.remoteWorkspace(folder, control))).summary;
  }

  /** Uploads a few files of a folder (upload on save). Returns the relative paths uploaded. */
  async upload(folder: LocalFolder, files: readonly string[]): Promise<string[]> {
    return uploadFiles({ ...(await this.remoteWorkspace(folder)), files });
  }

  /** Syncs, then `sbatch --parsable` in the remote folder; the new job shows at the next refresh. */
  async submit(folder: LocalFolder, script: string, control?: TransferControl, extraArgs: readonly string[] = []): Promise<Submitted> {
    const submitted = await syncAndSubmit(await this.remoteWorkspace(folder, control), script, extraArgs);
    void this.actionRefresh.after({ listed: [submitted.jobId] });
    return submitted;
  }

  /** Syncs, then `sbatch --parsable [options]` in the remote folder with the script given as text on stdin. */
  async submitText(folder: LocalFolder, scriptText: string, options: readonly string[] = [], control?: TransferControl): Promise<Omit<Submitted, 'script'>> {
    const submitted = await syncAndSubmitText(await this.remoteWorkspace(folder, control), scriptText, options);
    void this.actionRefresh.after({ listed: [submitted.jobId] });
    return submitted;
  }

  /**
   * Syncs, then `sbatch --test-only` of the script in the remote folder, judged with the
   * cluster-aware checks: `verdict` never says "starts" for a job that pends forever or fails at launch.
   */
  async validate(folder: LocalFolder, script: string, control?: TransferControl): Promise<TestOnlyAnswer & { verdict: StartVerdict }> {
    scriptPathInWorkspace(folder.root, script);
    const workspace = await this.remoteWorkspace(folder, control);
    await syncWorkspace(workspace);
    throwIfCancelled(control?.signal);
    const text = await readFile(script, 'utf8');
    const estimate = await estimateStart(this.connection, { text, remoteRoot: workspace.remoteRoot, localRoot: folder.root, snapshot: this.state?.snapshot, signal: control?.signal });
    return { ...estimate.answer, verdict: estimate.verdict };
  }

  /**
   * "Will it start?" for a script's text as it is, without syncing: `sbatch --test-only` with the
   * text on stdin in the folder's remote copy, judged with the last snapshot's checks.
   */
  async estimateStart(folder: LocalFolder | undefined, text: string, signal?: AbortSignal): Promise<StartEstimate> {
    await this.ready();
    const remoteRoot = folder ? await this.connection.remoteDir(folder.name) : '~';
    return estimateStart(this.connection, { text, remoteRoot, localRoot: folder?.root, snapshot: this.state?.snapshot, signal });
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
  async jobAction(action: JobAction, jobIds: readonly string[]): Promise<JobActionResult[]> {
    let results: JobActionResult[];
    try {
      await this.ready();
      results = await runJobAction(this.connection, action, jobIds);
    } catch (error) {
      results = jobIds.map((jobId) => ({ jobId, ok: false, error: (error as Error).message }));
    }
    await this.actionRefresh.after(action === 'cancel' ? { gone: results.filter((r) => r.ok).map((r) => r.jobId) } : {});
    return results;
  }

  /** The job as `scontrol show job` knows it; undefined once slurmctld has forgotten it. */
  async job(jobId: string): Promise<ScontrolJob | undefined> {
    await this.ready();
    return readJob(this.connection, jobId);
  }

  /** The job's stdout and stderr paths; undefined once slurmctld has forgotten the job. */
  async outputPaths(jobId: string): Promise<{ stdout: string; stderr: string; workDir?: string } | undefined> {
    const job = await this.job(jobId);
    return job && { ...outputPathsOf(job), workDir: job.workDir };
  }

  /** The details document of a job (scontrol, else accounting). */
  async jobDetails(jobId: string): Promise<string> {
    await this.ready();
    return jobDetailsText(this.connection, this.name, jobId);
  }

  /**
   * A live follower of one output file of a job: its bytes streamed on the connection (resumed
   * from the offset after a reconnection), the job's state from the regular refresh, until it ends.
   */
  async followOutput(jobId: string, path: string, options?: OutputFollowerOptions): Promise<OutputFollower> {
    await this.ready();
    const source: JobStateSource = {
      lookup: (id) => this.monitor.state?.jobs.find((j) => j.jobId === id || j.jobIdNumeric === id) ?? (this.monitor.state ? 'absent' : undefined),
      onRefresh: (listener) => this.stateEmitter.on(() => listener()),
      paused: () => this.userDisconnected,
    };
    // The transfer is asked for at every read: after a reconnection it is a new SFTP session.
    const follower = new OutputFollower(this.connection, () => this.transfer(), jobId, path, options, source);
    this.followers.add(follower);
    void follower.done().finally(() => this.followers.delete(follower));
    this.monitor.reschedule();
    return follower;
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
    for (const follower of this.followers) follower.stop();
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
