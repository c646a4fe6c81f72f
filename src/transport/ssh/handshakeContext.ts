/**
 * The bookkeeping one handshake shares between its steps (host-key check, authentication, the
 * client's events): the outcome (settled once), the reason recorded for a refusal, and the
 * handshake clock, which stops while the user is being asked something.
 */
import type { ConnectFailure } from './errors';

/** What the host-key check and the authentication plan may do to the handshake they run in. */
export interface HandshakeContext {
  /** Runs a user callback without the handshake clock ticking. */
  askUser<T>(ask: () => Promise<T>): Promise<T>;
  /** Records why the handshake must fail; ssh2 reports the failure later, with this reason. */
  refuse(error: ConnectFailure): void;
  /** The reason recorded by `refuse`, if any. */
  readonly refusal: ConnectFailure | undefined;
}

export class HandshakeControl<T> implements HandshakeContext {
  private settled = false;
  private timer: NodeJS.Timeout | undefined;
  refusal: ConnectFailure | undefined;

  /**
   * @param timeoutMs time allowed without an answer, user prompts not counted
   * @param onTimeout called when that time runs out (it fails the handshake and closes the client)
   */
  constructor(
    private readonly resolve: (value: T) => void,
    private readonly reject: (error: ConnectFailure) => void,
    private readonly timeoutMs: number,
    private readonly onTimeout: () => void,
  ) {}

  get isSettled(): boolean {
    return this.settled;
  }

  startClock(): void {
    this.stopClock();
    this.timer = setTimeout(this.onTimeout, this.timeoutMs);
  }

  stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  async askUser<R>(ask: () => Promise<R>): Promise<R> {
    this.stopClock();
    try {
      return await ask();
    } finally {
      if (!this.settled) this.startClock();
    }
  }

  refuse(error: ConnectFailure): void {
    this.refusal = error;
  }

  fail(error: ConnectFailure): void {
    if (this.settled) return;
    this.settled = true;
    this.stopClock();
    this.reject(error);
  }

  /** Settles with `value`; false when already settled (the caller must clean `value` up). */
  succeed(value: T): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.stopClock();
    this.resolve(value);
    return true;
  }
}
