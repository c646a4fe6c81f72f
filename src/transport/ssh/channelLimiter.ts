/**
 * At most `max` exec channels open at once on a connection (servers refuse more: OpenSSH's
 * MaxSessions is 10); later commands wait in a queue, in order, until one is released or their
 * signal fires.
 */
import { CancelledError } from '../../core/errors';

export class ChannelLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  /** Waits for a free channel; rejects with a CancelledError when `signal` fires first. */
  async acquire(signal: AbortSignal): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(new CancelledError('Cancelled while waiting for a free channel.'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** Gives the channel to the next waiting command, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
