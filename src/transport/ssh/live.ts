/** A live connection as the transport keeps it: the client, its jumps, what runs on it. */
import type { Client, SFTPWrapper } from 'ssh2';
import { SshError } from './errors';

export interface Live {
  client: Client;
  /** Jump-host connections this one goes through (closed with it). */
  jumps: Client[];
  sftp?: Promise<SFTPWrapper>;
  /** Rejecters of the commands running on it, called when it goes away. */
  inflight: Set<(error: Error) => void>;
  closed: boolean;
}

/** Closes `live` on purpose: commands in flight fail with `message`. */
export function closeLive(live: Live, message: string): void {
  if (live.closed) return;
  live.closed = true;
  const error = new SshError(message, 'closed');
  for (const reject of [...live.inflight]) reject(error);
  live.inflight.clear();
  live.client.end();
  for (const c of live.jumps) c.end();
}

/**
 * Follows `live`: when it (or a jump host) goes away, marks it closed, fails the commands in
 * flight with a "lost" error, and tells `onLost`.
 */
export function watchLive(live: Live, alias: string, onLost: (lost: SshError) => void): void {
  const onGone = (why?: string) => {
    if (live.closed) return;
    live.closed = true;
    for (const c of live.jumps) c.end();
    const lost = new SshError(`Connection to ${alias} lost${why ? ` (${why})` : ''}.`, 'lost');
    for (const reject of [...live.inflight]) reject(lost);
    live.inflight.clear();
    onLost(lost);
  };
  live.client.on('error', (err: Error & { level?: string }) => onGone(err.level === 'client-timeout' ? 'no answer to keep-alives' : err.message));
  live.client.on('close', () => onGone());
  for (const jump of live.jumps) jump.on('close', () => onGone(`jump host closed`));
}
