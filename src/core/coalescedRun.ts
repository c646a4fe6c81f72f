/**
 * One run of a task at a time, for refreshes: a caller arriving while a run is under way may want
 * to see something that happened after that run began (its own scancel, a job's end), so it gets
 * the next run, which every caller arriving meanwhile shares. At most one run in flight and one
 * queued, whatever the number of callers.
 */
export class CoalescedRun<T> {
  private inFlight: Promise<T> | undefined;
  private queued: Promise<T> | undefined;

  constructor(private readonly task: () => Promise<T>) {}

  run(): Promise<T> {
    if (!this.inFlight) return this.start();
    if (!this.queued) {
      this.queued = this.inFlight
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.start();
        });
    }
    return this.queued;
  }

  private start(): Promise<T> {
    const run = this.task().finally(() => {
      if (this.inFlight === run) this.inFlight = undefined;
    });
    this.inFlight = run;
    return run;
  }
}
