/**
 * The channels of a live connection: a command (exec), a long-lived process (exec, pipes kept
 * open), a stream to a remote Unix socket, and the SFTP subsystem.
 */
import type { Duplex } from 'node:stream';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { ExecResult } from '../../core/transport';
import { CancelledError } from '../../core/errors';
import { SshError } from './errors';
import type { Live } from './live';
import type { StreamProcess } from '../streams';

/**
 * Asks the server to send `KILL` to the channel's process (OpenSSH: to its process group). ssh2's
 * `channel.signal` sends nothing once the channel's stdin was ended, which every command's is at
 * once (so that a command reading its stdin sees its end): the request goes through the
 * connection's protocol directly then. Servers without signal support ignore it.
 */
function killRemote(channel: ClientChannel): void {
  const inner = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal?(id: number, name: string): void } } };
  const protocol = inner._client?._protocol;
  try {
    // 'eof': our side ended its stdin, the channel is still open.
    const state = inner.outgoing?.state;
    if ((state === 'open' || state === 'eof') && typeof inner.outgoing?.id === 'number' && typeof protocol?.signal === 'function') protocol.signal(inner.outgoing.id, 'KILL');
    else channel.signal('KILL');
  } catch {
    // The connection went meanwhile: nothing left to kill through it.
  }
}

/**
 * Runs `command` on a new channel of `live`: resolves with its output and exit status; rejects
 * when the connection goes, the server refuses the channel (`opening` set), or with a
 * CancelledError when `signal` fires (the command is killed). With `onStdout`, a long-lived
 * stream: its output goes to `onStdout` as it arrives, and its stdin closes only with the channel.
 */
export function runChannel(
  live: Live,
  alias: string,
  command: string,
  stdin: string | undefined,
  signal: AbortSignal,
  /** A stream: stdout chunks handed over as they come, stdin left open until the channel closes. */
  onStdout?: (chunk: Buffer) => void,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    if (live.closed) return reject(new SshError(`Connection to ${alias} lost.`, 'lost'));
    let done = false;
    let channel: ClientChannel | undefined;
    const finish = (error: Error | undefined, result?: ExecResult) => {
      if (done) return;
      done = true;
      live.inflight.delete(onLost);
      signal.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve(result!);
    };
    const onLost = (error: Error) => {
      channel?.destroy();
      finish(error);
    };
    const onAbort = () => {
      if (channel) {
        killRemote(channel);
        channel.close();
      }
      finish(new CancelledError());
    };
    live.inflight.add(onLost);
    signal.addEventListener('abort', onAbort, { once: true });
    live.client.exec(command, (err, stream) => {
      if (err) {
        const gone = live.closed || /not connected|No response from server/i.test(err.message);
        return finish(
          gone
            ? new SshError(`Connection to ${alias} lost.`, 'lost')
            : Object.assign(new SshError(`Could not open a channel on ${alias}: ${err.message}`, 'channel'), { opening: true }),
        );
      }
      channel = stream;
      if (done) {
        stream.close();
        return;
      }
      const out: Buffer[] = [];
      const errs: Buffer[] = [];
      let code: number | null | undefined;
      let exited = false;
      stream.on('data', (chunk: Buffer) => {
        if (!onStdout) out.push(chunk);
        else if (!done) onStdout(chunk);
      });
      stream.stderr.on('data', (chunk: Buffer) => errs.push(chunk));
      stream.on('exit', (c: number | null) => {
        exited = true;
        code = typeof c === 'number' ? c : null;
      });
      stream.on('close', () => {
        if (!exited) {
          // No exit status: the channel died with the connection.
          setImmediate(() => finish(new SshError(`Connection to ${alias} lost while running ${command.split(' ')[0]}.`, 'lost')));
          return;
        }
        finish(undefined, { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code: code ?? null });
      });
      stream.on('error', (e: Error) => finish(new SshError(`Channel error on ${alias}: ${e.message}`, 'channel')));
      if (onStdout) {
        if (stdin !== undefined) stream.write(stdin);
      } else if (stdin !== undefined) stream.end(stdin);
      else stream.end();
    });
  });
}

/** The SFTP session of `live`: opened once, opened again after it closed or failed to open. */
export function sftpSession(live: Live, alias: string): Promise<SFTPWrapper> {
  if (!live.sftp) {
    const opening = new Promise<SFTPWrapper>((resolve, reject) => {
      live.client.sftp((err, sftp) => {
        if (err) return reject(new SshError(`Could not open SFTP on ${alias}: ${err.message}`, 'channel'));
        sftp.on('close', () => {
          if (live.sftp === opening) live.sftp = undefined;
        });
        resolve(sftp);
      });
    });
    live.sftp = opening;
    opening.catch(() => {
      if (live.sftp === opening) live.sftp = undefined;
    });
  }
  return live.sftp;
}

/**
 * Starts `command` on a new exec channel of `live` and returns at once with its pipes; `exited`
 * resolves when the channel closes (with null when the connection went or no status came).
 */
export function spawnChannel(live: Live, alias: string, command: string): Promise<StreamProcess> {
  return new Promise<StreamProcess>((resolve, reject) => {
    if (live.closed) return reject(new SshError(`Connection to ${alias} lost.`, 'lost'));
    live.client.exec(command, (err, stream) => {
      if (err) return reject(new SshError(`Could not open a channel on ${alias}: ${err.message}`, 'channel'));
      let code: number | null = null;
      const onLost = (): void => {
        stream.destroy();
      };
      live.inflight.add(onLost);
      const exited = new Promise<number | null>((done) => {
        stream.on('exit', (c: number | null) => (code = typeof c === 'number' ? c : null));
        stream.on('close', () => {
          live.inflight.delete(onLost);
          done(code);
        });
      });
      stream.on('error', () => undefined);
      resolve({
        stdin: stream,
        stdout: stream,
        stderr: stream.stderr,
        exited,
        kill: () => {
          // Where the server does not support signals, closing the channel ends the stdin the process waits on.
          killRemote(stream);
          stream.close();
        },
      });
    });
  });
}

/** Opens a stream to the Unix socket `path` on the server (OpenSSH's streamlocal forwarding). */
export function openStreamLocal(live: Live, alias: string, path: string): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    if (live.closed) return reject(new SshError(`Connection to ${alias} lost.`, 'lost'));
    live.client.openssh_forwardOutStreamLocal(path, (err, stream) => {
      if (err) {
        return reject(
          new SshError(
            `${alias} refused a stream to ${path}: ${err.message}. The server must allow Unix-socket forwarding (sshd_config AllowStreamLocalForwarding yes, the default).`,
            'channel',
          ),
        );
      }
      const onLost = (): void => {
        stream.destroy();
      };
      live.inflight.add(onLost);
      stream.on('close', () => live.inflight.delete(onLost));
      resolve(stream);
    });
  });
}
