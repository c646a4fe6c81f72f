/**
 * ProxyCommand: runs the command with `sh -c` (tokens already expanded by sshConfig.ts) and makes
 * its stdout/stdin the connection's socket. When the command fails, its exit status and stderr
 * explain why, better than "connection closed" does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import type { SshTarget } from './sshConfig';

/** Runs a ProxyCommand; its stdout/stdin become the connection's socket. */
export function startProxyCommand(target: SshTarget): { sock: Duplex; child: ChildProcess; failure: Promise<Error | undefined> } {
  const child = spawn('/bin/sh', ['-c', `exec ${target.proxyCommand!}`], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  const stdin = child.stdin!;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < 2000) stderr += chunk.toString('utf8');
  });
  const sock = new Duplex({
    read() {
      stdout.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (stdin.writable) stdin.write(chunk, () => callback());
      else callback();
    },
    final(callback) {
      stdin.end();
      callback();
    },
    destroy(error, callback) {
      child.kill();
      callback(error);
    },
  });
  // Errors reach the SSH client while it listens; afterwards they have nowhere to go.
  sock.on('error', () => undefined);
  stdin.on('error', () => undefined);
  stdout.on('data', (chunk: Buffer) => {
    if (!sock.push(chunk)) stdout.pause();
  });
  let resolveFailure: (error: Error | undefined) => void = () => undefined;
  const failure = new Promise<Error | undefined>((resolve) => (resolveFailure = resolve));
  child.on('error', (error) => {
    const failed = new Error(`ProxyCommand failed: ${error.message}`);
    resolveFailure(failed);
    sock.destroy(failed);
  });
  // End the socket only once the command has exited and its output is read, so that its exit
  // status can be reported ('close' would also wait for stdin, which stays open).
  let exitCode: number | null | undefined;
  let outputsEnded = 0;
  const settle = () => {
    if (exitCode === undefined || outputsEnded < 2) return;
    const code = exitCode;
    if (code) {
      const failed = new Error(`ProxyCommand exited with ${code}${stderr.trim() ? `: ${stderr.trim()}` : ''}`);
      resolveFailure(failed);
      sock.destroy(failed);
    } else {
      resolveFailure(undefined);
      sock.push(null);
    }
  };
  stdout.on('end', () => {
    outputsEnded++;
    settle();
  });
  child.stderr!.on('end', () => {
    outputsEnded++;
    settle();
  });
  child.on('exit', (code) => {
    exitCode = code;
    settle();
  });
  return { sock, child, failure };
}
