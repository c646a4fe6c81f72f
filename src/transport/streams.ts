/**
 * Long-lived processes and byte streams on a cluster's connection, for services that outlive one
 * command (Jupyter Server): a process whose stdin, stdout and stderr stay open while it runs, and
 * a stream to a Unix socket on the cluster. Over SSH both are channels of the one connection
 * (an exec channel; an `direct-streamlocal@openssh.com` channel); locally a child process and
 * `net.connect`. No vscode here.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import type { Duplex, Readable, Writable } from 'node:stream';

/** A running process: its pipes, its end, and a way to end it. */
export interface StreamProcess {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves with the exit code (null: killed, or the connection went) once it has ended. */
  readonly exited: Promise<number | null>;
  /** Ends it now (SIGKILL over SSH where the server allows, then the channel closes). */
  kill(): void;
}

/** What a transport offers beyond commands: long-lived processes and Unix-socket streams. */
export interface StreamHost {
  /** Starts `command` (shell text built by core/shellQuote) and returns at once. */
  spawnShell(command: string): Promise<StreamProcess>;
  /** Opens a new stream to the Unix socket at `path` on the host. */
  openUnixSocket(path: string): Promise<Duplex>;
}

/**
 * The local half: `sh -c` in a session of its own (so that the process and its children can be
 * told apart from this one), and a direct connection to the socket.
 */
export const localStreamHost: StreamHost = {
  async spawnShell(command: string): Promise<StreamProcess> {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const exited = new Promise<number | null>((resolve) => {
      child.on('error', () => resolve(127));
      child.on('close', (code) => resolve(code));
    });
    child.stdin.on('error', () => undefined);
    return {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      exited,
      kill: () => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      },
    };
  },
  openUnixSocket(path: string): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(path);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    });
  },
};
