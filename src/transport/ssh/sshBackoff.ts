/**
 * Reconnection delays: exponential from `baseMs`, capped at `maxMs`, with jitter so that many
 * clients losing the same login node do not come back at the same instant. No vscode import.
 */

export interface BackoffPolicy {
  /** Delay before the first retry (default 1 s). */
  baseMs: number;
  /** Longest delay (default 60 s). */
  maxMs: number;
  /** Fraction of the delay that is random: 0.5 → between 50 % and 100 % of it (default 0.5). */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, jitter: 0.5 };

/** The ceiling of the delay after `failures` consecutive failures (1 → baseMs, 2 → 2·baseMs, ...). */
export function backoffCeiling(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** The delay to wait after `failures` consecutive failures; `random` returns a number in [0, 1). */
export function backoffDelay(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(failures, policy);
  return Math.round(ceiling * (1 - policy.jitter * random()));
}
