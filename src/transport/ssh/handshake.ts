/**
 * One SSH handshake: TCP connect (or use the socket a jump host or ProxyCommand gives), verify the
 * host key (hostKeyPolicy.ts), authenticate (authPlan.ts), all within `readyTimeoutMs` not
 * counting the time the user takes to answer. Resolves with the ready ssh2 client.
 */
import type { Duplex } from 'node:stream';
import { Client, type ConnectConfig } from 'ssh2';
import { AuthPlan } from './authPlan';
import { mapConnectError, SshError } from './errors';
import { HandshakeControl } from './handshakeContext';
import { hostKeyAlgorithmsFor, knownHostKeysFor, verifyHostKey, type KnownHostKeys } from './hostKeyPolicy';
import type { SshTarget } from './sshConfig';
import type { ResolvedSshOptions, SshCallbacks } from './types';

export interface HandshakeInput {
  target: SshTarget;
  /** The stream to run SSH over (jump host channel, ProxyCommand); undefined for a TCP connection. */
  sock: Duplex | undefined;
  callbacks: SshCallbacks;
  options: Pick<ResolvedSshOptions, 'readyTimeoutMs' | 'keepaliveIntervalMs' | 'keepaliveCountMax' | 'agentSocket' | 'debug'>;
}

/** TCP connect (or use `sock`), verify the host key, authenticate. */
export async function handshake(input: HandshakeInput): Promise<Client> {
  const known = await knownHostKeysFor(input.target);
  const agent = agentSocket(input.options.agentSocket);
  const client = new Client();
  return new Promise<Client>((resolve, reject) => {
    const control: HandshakeControl<Client> = new HandshakeControl(resolve, reject, input.options.readyTimeoutMs, () => {
      control.fail(new SshError(`Cannot connect to ${input.target.alias}: no answer within ${Math.round(input.options.readyTimeoutMs / 1000)} s.`, 'timeout'));
      client.end();
      client.destroy();
    });
    const plan = new AuthPlan(input.target, agent, input.callbacks, control);
    watchHandshake(client, input.target, control, plan);
    if (input.sock?.destroyed) {
      // A proxy that already ended (e.g. a ProxyCommand that exited at once).
      control.fail(new SshError(`Connection to ${input.target.alias} closed before the handshake.`, 'network'));
      return;
    }
    control.startClock();
    try {
      client.connect(connectConfig(input, known, control, plan));
      // No Nagle: every command is a few small packets each way, and Nagle's wait for the
      // peer's (delayed) ACK added about 40 ms to each round trip (measured: `true` 60 → 20 ms).
      client.setNoDelay(true);
    } catch (error) {
      control.fail(mapConnectError(error, input.target));
    }
  });
}

/** The agent socket to offer: the option when given (null: none), else SSH_AUTH_SOCK. */
function agentSocket(option: string | null | undefined): string | undefined {
  return option === undefined ? process.env.SSH_AUTH_SOCK : (option ?? undefined);
}

/** ssh2's settings: our host-key check and authentication plan, our clock (ssh2's is off). */
function connectConfig(input: HandshakeInput, known: KnownHostKeys, control: HandshakeControl<Client>, plan: AuthPlan): ConnectConfig {
  const { target, callbacks, options } = input;
  const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
    void verifyHostKey({ target, known, key, callbacks, context: control }).then((refusal) => {
      if (refusal) control.refuse(refusal);
      verify(!refusal);
    });
  };
  const preferred = hostKeyAlgorithmsFor(target, known);
  return {
    host: target.host,
    port: target.port,
    username: target.user,
    sock: input.sock as ConnectConfig['sock'],
    readyTimeout: 0,
    keepaliveInterval: options.keepaliveIntervalMs,
    keepaliveCountMax: options.keepaliveCountMax,
    hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
    authHandler: plan.handler as unknown as ConnectConfig['authHandler'],
    algorithms: preferred ? { serverHostKey: preferred as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } : undefined,
    debug: options.debug,
  };
}

/** Settles the handshake from the client's events: ready, or the clearest reason it failed. */
function watchHandshake(client: Client, target: SshTarget, control: HandshakeControl<Client>, plan: AuthPlan): void {
  client.once('ready', () => {
    if (!control.succeed(client)) client.end();
  });
  client.on('error', (error: Error & { level?: string }) => {
    if (control.isSettled) return;
    if (control.refusal) return control.fail(control.refusal);
    if (error.level === 'client-authentication' || /authentication methods failed/i.test(error.message)) return control.fail(plan.permissionDenied());
    control.fail(mapConnectError(error, target));
  });
  client.on('close', () => {
    if (control.refusal) return control.fail(control.refusal);
    control.fail(new SshError(`Connection to ${target.alias} closed during the handshake.`, 'network'));
  });
}
