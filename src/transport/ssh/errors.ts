/**
 * Errors of the SSH transport, with messages meant for users, and the mapping of socket and ssh2
 * errors to them. A cancellation (an aborted command, a prompt the user dismissed, an unknown host
 * key not trusted) is not an SshError but core's `CancelledError`.
 */
import { CancelledError } from '../../core/errors';
import type { SshTarget } from './sshConfig';

export type SshErrorKind = 'network' | 'timeout' | 'lost' | 'auth' | 'hostkey' | 'key' | 'closed' | 'channel';

/** Why a connection attempt ended: an SshError, or the user's cancel. */
export type ConnectFailure = SshError | CancelledError;

/** True for failures that may go away by themselves (network), false for those needing the user. */
export function isRetryable(failure: ConnectFailure): boolean {
  return failure instanceof SshError && failure.retryable;
}

/** An error of the SSH transport with a message meant for users. */
export class SshError extends Error {
  /** True when the server refused to open a channel (the command did not start). */
  opening?: boolean;

  constructor(
    message: string,
    readonly kind: SshErrorKind,
  ) {
    super(message);
    this.name = 'SshError';
  }

  /** True for failures that may go away by themselves (network), false for those needing the user. */
  get retryable(): boolean {
    return this.kind === 'network' || this.kind === 'timeout' || this.kind === 'lost' || this.kind === 'channel';
  }
}

/** `user@alias`, as messages about authentication name the account. */
export function describeTarget(target: SshTarget): string {
  return `${target.user}@${target.alias}`;
}

/** Maps socket and ssh2 errors to messages a user can act on; SshErrors and cancellations pass. */
export function mapConnectError(error: unknown, target: SshTarget): ConnectFailure {
  if (error instanceof SshError || error instanceof CancelledError) return error;
  const e = error as NodeJS.ErrnoException & { level?: string };
  const where = target.port === 22 ? target.host : `${target.host} port ${target.port}`;
  const name = target.alias === target.host ? where : `${target.alias} (${where})`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return new SshError(`Cannot connect to ${name}: connection refused (is sshd running there?).`, 'network');
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError(`Cannot connect to ${name}: could not resolve host name ${target.host}.`, 'network');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new SshError(`Cannot connect to ${name}: host unreachable.`, 'network');
    case 'ETIMEDOUT':
      return new SshError(`Cannot connect to ${name}: connection timed out.`, 'timeout');
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshError(`Connection to ${name} was reset.`, 'network');
    default:
      break;
  }
  if (e.level === 'client-timeout') return new SshError(`Cannot connect to ${name}: timed out during the SSH handshake.`, 'timeout');
  return new SshError(`Cannot connect to ${name}: ${e.message ?? String(error)}`, 'network');
}
