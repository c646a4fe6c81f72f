/**
 * Errors every layer shares. Pure: no vscode, no Node I/O.
 *
 * A cancelled operation (an AbortSignal fired, the user dismissed a prompt) is a
 * `CancelledError`, whichever transport or step noticed it: SSH commands and prompts, SFTP and
 * local file transfers, the sync, local processes. Callers test for it with `isCancelled`.
 * Its `name` is 'AbortError', as for Node's and the web platform's own aborts (and as callers
 * of the SSH transport already checked), so `isCancelled` also recognises those where one slips
 * through (e.g. `signal.throwIfAborted()`'s DOMException).
 */
export class CancelledError extends Error {
  /** Node's code for an aborted operation. */
  readonly code = 'ABORT_ERR';

  constructor(message = 'Cancelled.', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}

/** True when `error` means the operation was cancelled (by a signal or by the user), not that it failed. */
export function isCancelled(error: unknown): boolean {
  return error instanceof CancelledError || (typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError');
}

/** Throws a CancelledError with `message` when `signal` has fired. */
export function throwIfCancelled(signal: AbortSignal | undefined, message = 'Cancelled.'): void {
  if (signal?.aborted) throw new CancelledError(message, { cause: signal.reason });
}

/** `error` itself, unless it is a cancellation in another form (Node's AbortError): then a CancelledError. */
export function asCancelledError(error: unknown, message = 'Cancelled.'): unknown {
  if (error instanceof CancelledError || !isCancelled(error)) return error;
  return new CancelledError(message, { cause: error });
}
