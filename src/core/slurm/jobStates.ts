/**
 * Slurm's job states, in the classes the product acts on. One definition for the monitor (which
 * jobs have finished and how), output following (when to stop), job actions (did the action take
 * effect), the explorer (held jobs, recent jobs) and the tests.
 *
 * Slurm shows one word: a base state (PENDING, RUNNING, SUSPENDED, COMPLETED, CANCELLED, FAILED,
 * TIMEOUT, NODE_FAIL, PREEMPTED, BOOT_FAIL, DEADLINE, OUT_OF_MEMORY) or, in its place, a flag that
 * says more (CONFIGURING, COMPLETING, REQUEUED, RESIZING, SIGNALING, STAGE_OUT, ...). sacct may add
 * words (`CANCELLED by 1000`) and squeue's short form a `+`; only the first word counts here.
 *
 * COMPLETING is a class of its own: the job's processes have all ended, but Slurm still runs its
 * epilog and the job still holds its nodes; its final state (COMPLETED, FAILED, ...) and exit code
 * are not known yet. So it is
 *  - not final: output following goes on, and no "job finished" notification is given until the
 *    final state is there to report (the notification says how it ended);
 *  - not active either: nothing more will run, so a cancel has nothing left to stop (a job seen
 *    COMPLETING after `scancel` counts as cancelled), and it is what a running job passes through
 *    on its way back to the queue after `scontrol requeue`.
 */

/** Still to run or running: the job is in the queue and not yet ending. */
export const ACTIVE_STATES: readonly string[] = [
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
  'RESV_DEL_HOLD',
];

/** The processes have ended; the job still holds its nodes (see above). */
export const COMPLETING_STATE = 'COMPLETING';

/** The states a finished job is reported in (what scontrol and sacct show once a job is over). */
export const FINAL_STATES: readonly string[] = [
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'SPECIAL_EXIT',
  'REVOKED',
];

/** The final states of a job that ended without completing: an array task in one is worth resubmitting. */
export const FAILED_END_STATES: readonly string[] = ['FAILED', 'CANCELLED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'];

/** The first word of a state as Slurm prints it (`CANCELLED by 1000` → CANCELLED, `COMPLETING+` → COMPLETING). */
export function baseState(state: string): string {
  return state.trim().split(/\s+/)[0].replace(/\+$/, '').toUpperCase();
}

export type JobStateClass = 'active' | 'completing' | 'final';

/** Which class a state is in. A state this list does not know is final: Slurm no longer counts the job as running. */
export function jobStateClass(state: string): JobStateClass {
  const base = baseState(state);
  if (ACTIVE_STATES.includes(base)) return 'active';
  if (base === COMPLETING_STATE) return 'completing';
  return 'final';
}

export function isActiveState(state: string): boolean {
  return jobStateClass(state) === 'active';
}

export function isCompletingState(state: string): boolean {
  return jobStateClass(state) === 'completing';
}

/** The job will not run any more and its end is known (neither active nor completing). */
export function isFinalState(state: string): boolean {
  return jobStateClass(state) === 'final';
}

/** One of FINAL_STATES: a state a finished job can be reported in. */
export function isReportedFinalState(state: string): boolean {
  return FINAL_STATES.includes(baseState(state));
}

/** Ended without completing (one of FAILED_END_STATES). */
export function isFailedEndState(state: string): boolean {
  return FAILED_END_STATES.includes(baseState(state));
}

/** Held: pending because a user or an administrator held it (`scontrol hold`), not waiting for resources. */
export function isHeldJob(job: { state: string; reason: string }): boolean {
  return baseState(job.state) === 'PENDING' && /JobHeld(User|Admin)/.test(job.reason);
}
