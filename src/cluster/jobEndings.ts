/**
 * The reports of my jobs that ended (`Cluster.onDidFinishJob`): the monitor's endings of one
 * refresh are batched into one history fetch, each report carries the job's accounting record and
 * efficiency when slurmdbd has them, and an ending whose record slurmdbd did not have yet is
 * reported after the next refresh's history fetch (with or without the record).
 */
import type { FinishedJobInfo } from '../core/slurm/monitor';
import { jobEfficiency, type Efficiency } from '../core/slurm/efficiency';
import type { AccountedJobDetail } from '../core/slurm/sacct';
import type { History } from './accounting';

/** A job of mine that ended, with its accounting record and efficiency when slurmdbd has them. */
export interface FinishedJobReport extends FinishedJobInfo {
  accounting?: AccountedJobDetail;
  efficiency?: Efficiency;
}

export class JobEndings {
  /** The history is wanted at the next successful refresh: on start, and after an ending not recorded yet. */
  private historyWanted = true;
  private endedBatch: FinishedJobInfo[] = [];
  /** Endings whose record slurmdbd did not have yet: reported after the next refresh's history fetch. */
  private awaitingRecord: FinishedJobInfo[] = [];

  constructor(
    /** Fetches the history now. */
    private readonly refreshHistory: () => Promise<History>,
    /** Delivers one report. */
    private readonly fire: (report: FinishedJobReport) => void,
  ) {}

  /** After each successful refresh: on start (first answer), and once more after an ending that accounting had not recorded yet. */
  refreshed(): void {
    if (!this.historyWanted) return;
    this.historyWanted = false;
    const waiting = this.awaitingRecord;
    this.awaitingRecord = [];
    void this.refreshHistory().then(
      (history) => this.report(waiting, history, false),
      () => this.report(waiting, undefined, false),
    );
  }

  /** The monitor saw one of my jobs leave the queue. */
  jobEnded(job: FinishedJobInfo): void {
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
      this.fire(report);
    }
  }
}
