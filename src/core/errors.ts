/**
 * Errors every layer shares. A cancelled operation (an AbortSignal fired, the user dismissed a
 * prompt) is a `CancelledError`, whichever transport or step noticed it.
 */
export class CancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** True for a cancellation, including the forms Node and ssh2 use (AbortError, code 'aborted'). */
export function isCancelled(error: unknown): boolean {
  if (error instanceof CancelledError) return true;
  const e = error as { name?: unknown; code?: unknown } | undefined;
  return e?.name === 'AbortError' || e?.name === 'CancelledError' || e?.code === 'aborted';
}
