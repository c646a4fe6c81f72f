/**
 * The one way tests wait for a state: poll a predicate until it yields a value. The bound is a
 * guard against hanging, never a timing assertion: keep it generous (a busy machine is slow).
 * No vscode and no node-only imports, so the VS Code suites can use it too.
 */

export interface UntilOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Pause between two tries (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, for the error message ("the job to run"). */
  what?: string;
}

export class UntilTimeoutError extends Error {}

type Falsy = undefined | null | false;

/**
 * Calls `predicate` until it returns (or resolves to) something other than undefined, null or
 * false, and resolves with that. A predicate that throws is a failure, not a "not yet": wrap it
 * when an error means "try again". Rejects with UntilTimeoutError after `timeoutMs`, naming
 * `what` and, when the predicate gave one, the last value seen by `describe`.
 */
export async function until<T>(predicate: () => T | Falsy | Promise<T | Falsy>, options: UntilOptions & { describe?: () => string } = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value !== undefined && value !== null && value !== false) return value as T;
    if (Date.now() >= deadline) {
      const detail = options.describe ? ` (${options.describe()})` : '';
      throw new UntilTimeoutError(`Gave up waiting for ${options.what ?? 'a condition'} after ${timeoutMs} ms${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `until` for a predicate whose errors mean "not yet" (a server still starting, a file not yet written). */
export function untilNoError<T>(attempt: () => T | Promise<T>, options: UntilOptions = {}): Promise<T> {
  let last: unknown;
  return until(
    async () => {
      try {
        return { value: await attempt() };
      } catch (err) {
        last = err;
        return undefined;
      }
    },
    { ...options, describe: () => `last error: ${last instanceof Error ? last.message : String(last)}` },
  ).then((r) => r.value);
}
