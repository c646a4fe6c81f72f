/**
 * The way to a host: directly over TCP, through a ProxyCommand, or through jump hosts (ProxyJump,
 * each hop a channel of the connection before it), then the handshake over that.
 */
import type { Duplex } from 'node:stream';
import type { Client } from 'ssh2';
import { sleep } from './abortable';
import { SshError } from './errors';
import { startProxyCommand } from './proxyCommand';
import type { SshTarget } from './sshConfig';

/** A ready connection and the jump-host connections it goes through (closed with it). */
export interface Route {
  client: Client;
  jumps: Client[];
}

/** Runs the handshake with `target` over `sock` (undefined: a TCP connection of its own). */
export type Handshake = (target: SshTarget, sock: Duplex | undefined) => Promise<Client>;

/**
 * Opens the connection to `target`, through its jump hosts first.
 * @param signal cuts short the wait for a failed ProxyCommand's exit status (dispose)
 */
export async function openRoute(target: SshTarget, handshake: Handshake, signal: AbortSignal, jumps: Client[] = []): Promise<Route> {
  if (target.proxyCommand) return openThroughProxyCommand(target, handshake, signal, jumps);
  let sock: Duplex | undefined;
  if (target.proxyJump) {
    const jump = await openRoute(target.proxyJump, handshake, signal, jumps);
    jumps = [...jump.jumps, jump.client];
    sock = await forwardThrough(jump.client, target, jumps);
  }
  try {
    return { client: await handshake(target, sock), jumps };
  } catch (error) {
    for (const c of jumps) c.end();
    throw error;
  }
}

/** A channel from the last jump host to `target`'s SSH port; closes the jumps when refused. */
function forwardThrough(jump: Client, target: SshTarget, jumps: Client[]): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    jump.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => {
      if (err) {
        for (const c of jumps) c.end();
        reject(new SshError(`Cannot reach ${target.host} port ${target.port} through jump host ${target.proxyJump!.alias}: ${err.message}`, 'network'));
      } else resolve(stream);
    });
  });
}

async function openThroughProxyCommand(target: SshTarget, handshake: Handshake, signal: AbortSignal, jumps: Client[]): Promise<Route> {
  const proxy = startProxyCommand(target);
  try {
    const client = await handshake(target, proxy.sock);
    client.on('close', () => proxy.child.kill());
    return { client, jumps };
  } catch (error) {
    for (const c of jumps) c.end();
    // The command's own exit status explains more than "connection lost": wait for it briefly.
    const why = await Promise.race([proxy.failure, sleep(2000, signal).then(() => undefined)]);
    proxy.child.kill();
    if (why) throw new SshError(`Cannot connect to ${target.alias}: ${why.message}`, 'network');
    throw error;
  }
}
