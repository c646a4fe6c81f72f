/**
 * A cluster's operations on one job: actions (cancel, hold, release, requeue, each verified, then
 * a targeted refresh), the job as `scontrol show job` knows it, its output paths, its details
 * document, and live output followers (their job state from the regular refresh). `Cluster`
 * delegates to it and stops its followers when disposed.
 */
import type { BatchSection } from '../core/slurm/batch';
import { runJobAction, type JobAction, type JobActionResult } from '../core/slurm/jobActions';
import type { ScontrolJob } from '../core/slurm/scontrol';
import type { FileTransfer } from '../transport/fileTransfer';
import type { Expectation } from './actionRefresh';
import type { ClusterConnection } from './connection';
import { jobDetailsText } from './jobDetails';
import { OutputFollower, outputPathsOf, readJob, type JobStateSource, type OutputFollowerOptions } from './outputFollower';

/** What the job operations need of their cluster. */
export interface JobHost {
  readonly connection: ClusterConnection;
  readonly clusterName: string;
  /** Connects if needed and starts watching. */
  ready(): Promise<void>;
  /** The refresh right after an action (actionRefresh.ts). */
  refreshAfter(expectation: Expectation): Promise<void>;
  /** The views' queue listing, for an action's round trip to carry and show at once. */
  queueListing(): { argv: string[]; read: (section: BatchSection) => void };
  /** The current file transfer (a new SFTP session after a reconnection). */
  transfer(): Promise<FileTransfer>;
  /** Where live followers learn the job's state: the regular refresh. */
  readonly stateSource: JobStateSource;
  /** A follower started or ended (the refresh interval depends on whether any is following). */
  followingChanged(): void;
}

export class JobOps {
  private readonly followers = new Set<OutputFollower>();

  constructor(private readonly host: JobHost) {}

  /** Whether any output is followed now. */
  get following(): boolean {
    return this.followers.size > 0;
  }

  async jobAction(action: JobAction, jobIds: readonly string[]): Promise<JobActionResult[]> {
    let results: JobActionResult[];
    try {
      await this.host.ready();
      // The queue is listed in the action's own round trip: the views show the change at once;
      // the refresh after it brings the rest (nodes, partitions).
      results = await runJobAction(this.host.connection, action, jobIds, { queue: this.host.queueListing() });
    } catch (error) {
      results = jobIds.map((jobId) => ({ jobId, ok: false, error: (error as Error).message }));
    }
    await this.host.refreshAfter(action === 'cancel' ? { gone: results.filter((r) => r.ok).map((r) => r.jobId) } : {});
    return results;
  }

  async job(jobId: string): Promise<ScontrolJob | undefined> {
    await this.host.ready();
    return readJob(this.host.connection, jobId);
  }

  async outputPaths(jobId: string): Promise<{ stdout: string; stderr: string; workDir?: string } | undefined> {
    const job = await this.job(jobId);
    return job && { ...outputPathsOf(job), workDir: job.workDir };
  }

  async jobDetails(jobId: string): Promise<string> {
    await this.host.ready();
    return jobDetailsText(this.host.connection, this.host.clusterName, jobId);
  }

  async followOutput(jobId: string, path: string, options?: OutputFollowerOptions): Promise<OutputFollower> {
    await this.host.ready();
    // The transfer is asked for at every read: after a reconnection it is a new SFTP session.
    const follower = new OutputFollower(this.host.connection, () => this.host.transfer(), jobId, path, options, this.host.stateSource);
    this.followers.add(follower);
    void follower.done().finally(() => this.followers.delete(follower));
    this.host.followingChanged();
    return follower;
  }

  /** Stops every follower (the cluster is disposed). */
  stopFollowers(): void {
    for (const follower of this.followers) follower.stop();
  }
}
