/**
 * One persistent SSH connection per cluster (ssh2), multiplexing every command and the SFTP
 * session as channels. Host keys are checked against known_hosts like OpenSSH; authentication
 * uses the agent, identity files (passphrases asked through callbacks, optionally remembered in
 * a secret store), keyboard-interactive and password prompts — asked once per connection.
 * When the connection is lost, commands in flight fail and the next command reconnects with
 * exponential backoff. No vscode import: the UI lives behind `SshCallbacks`.
 */
import { EventEmitter } from 'node:events';
import { promises as fs } from 'node:fs';
import { Client, utils, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { Duplex } from 'node:stream';
import { spawn, type ChildProcess } from 'node:child_process';
import { shellCommand } from '../core/shellQuote';
import type { CommandRunner, ExecOptions, ExecResult } from '../core/transport';
import { appendKnownHost, checkHostKey, keyTypeOfBlob, knownKeyTypes, readKnownHosts, sha256Fingerprint } from './knownHosts';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './sshBackoff';
import type { SshTarget } from './sshConfig';

export type SshState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface SshStateChange {
  state: SshState;
  /** Message of the error that caused this state (failed / reconnecting). */
  error?: string;
}

export interface SshPrompt {
  title: string;
  prompt: string;
  /** False for secrets (passwords, one-time codes): the input must be hidden. */
  echo: boolean;
}

export interface HostKeyInfo {
  /** The host as looked up in known_hosts (HostKeyAlias or host name). */
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Where the key will be recorded when accepted. */
  knownHostsFile: string;
}

export interface PassphraseAnswer {
  passphrase: string;
  /** Store it in `callbacks.secrets` once it has proven right. */
  remember?: boolean;
}

/** Where remembered secrets go (VS Code SecretStorage in the extension). */
export interface SshSecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The UI the transport needs; every method returning undefined/false means the user cancelled. */
export interface SshCallbacks {
  /** Keyboard-interactive and password prompts (2FA codes too). */
  prompt(prompt: SshPrompt): Promise<string | undefined>;
  /** The passphrase of an encrypted private key; `retry` is true after a wrong one. */
  askPassphrase(keyPath: string, retry: boolean): Promise<PassphraseAnswer | undefined>;
  /** An unknown host key: true to trust it (it is then recorded in known_hosts). */
  confirmUnknownHostKey(info: HostKeyInfo): Promise<boolean>;
  secrets?: SshSecretStore;
}

export interface SshTransportOptions {
  /** Time allowed for TCP connect + handshake + authentication, not counting user prompts (20 s). */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Concurrent exec channels; more commands wait in a queue (8; OpenSSH's MaxSessions is 10). */
  maxChannels?: number;
  backoff?: BackoffPolicy;
  /** Agent socket; default SSH_AUTH_SOCK; null to not use an agent. */
  agentSocket?: string | null;
  /** Receives ssh2's debug lines (never secrets). */
  debug?: (line: string) => void;
}

export type SshErrorKind = 'network' | 'timeout' | 'lost' | 'auth' | 'cancelled' | 'hostkey' | 'key' | 'closed' | 'channel';

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

interface Live {
  client: Client;
  /** Jump-host connections this one goes through (closed with it). */
  jumps: Client[];
  sftp?: Promise<SFTPWrapper>;
  inflight: Set<(error: Error) => void>;
  closed: boolean;
}

const PASSPHRASE_SECRET = (keyPath: string) => `ssh-passphrase:${keyPath}`;

function describe(target: SshTarget): string {
  return `${target.user}@${target.alias}`;
}

/** Maps socket and ssh2 errors to messages a user can act on. */
export function mapConnectError(error: unknown, target: SshTarget): SshError {
  if (error instanceof SshError) return error;
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

/** A key file loaded for publickey authentication. */
interface LoadedKey {
  path: string;
  data: Buffer;
  passphrase?: string;
}

export class SshTransport implements CommandRunner {
  private _state: SshState = 'idle';
  private lastError: string | undefined;
  private readonly events = new EventEmitter();
  private live: Live | undefined;
  private connecting: Promise<Live> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private everConnected = false;
  private lastFailure: SshError | undefined;
  private disposed = false;
  /** Incremented by disconnect(): an attempt started before it does not install its connection. */
  private generation = 0;
  private readonly disposeController = new AbortController();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private home: Promise<string> | undefined;
  private readonly options: Required<Omit<SshTransportOptions, 'debug' | 'agentSocket'>> & Pick<SshTransportOptions, 'debug' | 'agentSocket'>;

  /** Number of SSH connections (TCP + handshake) established so far, for diagnostics and tests. */
  connectionCount = 0;

  constructor(
    readonly target: SshTarget,
    private readonly callbacks: SshCallbacks,
    options: SshTransportOptions = {},
  ) {
    this.options = {
      readyTimeoutMs: options.readyTimeoutMs ?? target.connectTimeoutMs ?? 20_000,
      keepaliveIntervalMs: options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      maxChannels: options.maxChannels ?? 8,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      agentSocket: options.agentSocket,
      debug: options.debug,
    };
  }

  get state(): SshState {
    return this._state;
  }

  /** The message of the last connection error, if the state is failed or reconnecting. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Calls `listener` on every state change; returns a function that removes it. */
  onStateChange(listener: (change: SshStateChange) => void): { dispose(): void } {
    this.events.on('state', listener);
    return { dispose: () => this.events.off('state', listener) };
  }

  private setState(state: SshState, error?: string): void {
    this.lastError = error;
    if (state === this._state && error === undefined) return;
    this._state = state;
    this.events.emit('state', { state, error } satisfies SshStateChange);
  }

  /**
   * Connects if not connected (idempotent; concurrent callers share one attempt). After a network
   * failure the attempt waits for the backoff delay, unless `immediate` (a user's explicit retry).
   * After an authentication or host-key failure only `connect()` tries again: commands do not
   * prompt the user again by themselves.
   */
  async connect(options: { immediate?: boolean } = {}): Promise<void> {
    await this.ensureLive(options.immediate ? 'immediate' : 'connect');
  }

  /** Commands wait for a reconnection due this soon; later ones fail at once with the reason. */
  static readonly MAX_COMMAND_WAIT_MS = 5000;

  private async ensureLive(caller: 'command' | 'connect' | 'immediate', signal?: AbortSignal): Promise<Live> {
    if (this.disposed) throw new SshError(`The connection to ${this.target.alias} is closed.`, 'closed');
    if (this.live && !this.live.closed) return this.live;
    if (!this.connecting) {
      const failure = this.lastFailure;
      let waitMs = Math.max(0, this.nextAttemptAt - Date.now());
      if (!failure || !failure.retryable || caller === 'immediate') waitMs = 0;
      if (caller === 'command' && failure) {
        if (!failure.retryable) throw failure;
        if (waitMs > SshTransport.MAX_COMMAND_WAIT_MS) {
          throw new SshError(`${failure.message} Retrying in ${Math.ceil(waitMs / 1000)} s.`, failure.kind);
        }
      }
      const attempt = this.attempt(waitMs);
      this.connecting = attempt;
      const done = () => {
        if (this.connecting === attempt) this.connecting = undefined;
      };
      attempt.then(done, done);
    }
    return raceSignal(this.connecting, signal);
  }

  private async attempt(waitMs: number): Promise<Live> {
    const generation = this.generation;
    if (waitMs > 0) {
      if (this.everConnected) this.setState('reconnecting', this.lastError);
      await sleep(waitMs, this.disposeController.signal);
    }
    if (this.disposed) throw new SshError(`The connection to ${this.target.alias} is closed.`, 'closed');
    this.setState(this.everConnected ? 'reconnecting' : 'connecting', this.everConnected ? this.lastError : undefined);
    try {
      const live = await this.open(this.target, [], 0);
      if (this.disposed || generation !== this.generation) {
        // disconnect() or dispose() was called while connecting.
        this.closeLive(live, `Disconnected from ${this.target.alias}.`);
        throw new SshError(`Disconnected from ${this.target.alias}.`, 'closed');
      }
      this.live = live;
      this.failures = 0;
      this.nextAttemptAt = 0;
      this.lastFailure = undefined;
      this.everConnected = true;
      this.connectionCount++;
      this.setState('connected');
      return live;
    } catch (error) {
      const mapped = mapConnectError(error, this.target);
      // Superseded by disconnect()/dispose(): leave their state alone.
      if (this.disposed || generation !== this.generation) throw mapped;
      this.failures++;
      this.nextAttemptAt = Date.now() + backoffDelay(this.failures, this.options.backoff);
      this.lastFailure = mapped;
      if (!this.disposed) this.setState(mapped.retryable && this.everConnected ? 'reconnecting' : 'failed', mapped.message);
      throw mapped;
    }
  }

  /** Opens the connection to `target`, through its jump hosts first. */
  private async open(target: SshTarget, jumps: Client[], depth: number): Promise<Live> {
    let sock: Duplex | undefined;
    let proxyProcess: ChildProcess | undefined;
    let proxyFailure: Promise<Error | undefined> | undefined;
    if (target.proxyCommand) {
      ({ sock, child: proxyProcess, failure: proxyFailure } = startProxyCommand(target));
    } else if (target.proxyJump) {
      const jump = await this.open(target.proxyJump, jumps, depth + 1);
      jumps = [...jump.jumps, jump.client];
      sock = await new Promise<Duplex>((resolve, reject) => {
        jump.client.forwardOut('127.0.0.1', 0, target.host, target.port, (err, stream) => {
          if (err) {
            for (const c of jumps) c.end();
            reject(new SshError(`Cannot reach ${target.host} port ${target.port} through jump host ${target.proxyJump!.alias}: ${err.message}`, 'network'));
          } else resolve(stream);
        });
      });
    }
    try {
      const client = await this.handshake(target, sock);
      if (proxyProcess) {
        const child = proxyProcess;
        client.on('close', () => child.kill());
      }
      const live: Live = { client, jumps, inflight: new Set(), closed: false };
      if (depth === 0) this.watch(live);
      return live;
    } catch (error) {
      for (const c of jumps) c.end();
      if (proxyProcess && proxyFailure) {
        // The command's own exit status explains more than "connection lost": wait for it briefly.
        const why = await Promise.race([proxyFailure, sleep(2000, this.disposeController.signal).then(() => undefined)]);
        proxyProcess.kill();
        if (why) throw new SshError(`Cannot connect to ${target.alias}: ${why.message}`, 'network');
      }
      throw error;
    }
  }

  /** Follows a live connection: when it closes, commands in flight fail and the state says so. */
  private watch(live: Live): void {
    const onGone = (why?: string) => {
      if (live.closed) return;
      live.closed = true;
      for (const c of live.jumps) c.end();
      const lost = new SshError(`Connection to ${this.target.alias} lost${why ? ` (${why})` : ''}.`, 'lost');
      for (const reject of [...live.inflight]) reject(lost);
      live.inflight.clear();
      if (this.live === live) {
        this.live = undefined;
        if (!this.disposed) {
          this.failures = Math.max(this.failures, 1);
          this.nextAttemptAt = Date.now() + backoffDelay(this.failures, this.options.backoff);
          this.lastFailure = lost;
          this.setState('reconnecting', lost.message);
        }
      }
    };
    live.client.on('error', (err: Error & { level?: string }) => onGone(err.level === 'client-timeout' ? 'no answer to keep-alives' : err.message));
    live.client.on('close', () => onGone());
    for (const jump of live.jumps) jump.on('close', () => onGone(`jump host closed`));
  }

  /** TCP connect (or use `sock`), verify the host key, authenticate. */
  private async handshake(target: SshTarget, sock: Duplex | undefined): Promise<Client> {
    const keyHost = target.hostKeyAlias ?? target.host;
    const knownEntries = await readKnownHosts([...target.knownHostsFiles, ...(target.globalKnownHostsFiles ?? [])]);
    const preferred = preferredHostKeyAlgorithms(knownKeyTypes(knownEntries, keyHost, target.port));
    const agent = this.options.agentSocket === undefined ? process.env.SSH_AUTH_SOCK : this.options.agentSocket ?? undefined;
    const client = new Client();
    const label = describe(target);

    return new Promise<Client>((resolve, reject) => {
      let settled = false;
      let failure: SshError | undefined;
      let timer: NodeJS.Timeout | undefined;
      const startTimer = () => {
        stopTimer();
        timer = setTimeout(() => {
          fail(new SshError(`Cannot connect to ${target.alias}: no answer within ${Math.round(this.options.readyTimeoutMs / 1000)} s.`, 'timeout'));
          client.end();
          client.destroy();
        }, this.options.readyTimeoutMs);
      };
      const stopTimer = () => {
        if (timer) clearTimeout(timer);
        timer = undefined;
      };
      /** Runs a user callback without the handshake clock ticking. */
      const askUser = async <T>(ask: () => Promise<T>): Promise<T> => {
        stopTimer();
        try {
          return await ask();
        } finally {
          if (!settled) startTimer();
        }
      };
      const fail = (error: SshError) => {
        if (settled) return;
        settled = true;
        stopTimer();
        reject(error);
      };

      // Host key check (before any authentication is sent).
      const hostVerifier = (key: Buffer, verify: (ok: boolean) => void) => {
        void (async () => {
          let keyType: string;
          try {
            keyType = keyTypeOfBlob(key);
          } catch {
            failure = new SshError(`The host key sent by ${target.alias} is invalid.`, 'hostkey');
            return verify(false);
          }
          const fingerprint = sha256Fingerprint(key);
          const check = checkHostKey(knownEntries, keyHost, target.port, key);
          if (check.status === 'known') return verify(true);
          if (check.status === 'revoked') {
            failure = new SshError(
              `The ${keyType} host key of ${target.alias} (${fingerprint}) is marked as revoked in ${check.entry.file} line ${check.entry.line}. Refusing to connect.`,
              'hostkey',
            );
            return verify(false);
          }
          if (check.status === 'changed') {
            failure = new SshError(
              `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${target.alias}! Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key has just been changed. The fingerprint of the ${keyType} key sent by the remote host is ${fingerprint}. Offending ${check.entry.keyType} key in ${check.entry.file}:${check.entry.line}. If the change is expected, remove the old key from ${check.entry.file} line ${check.entry.line} (e.g. ssh-keygen -R ${keyHost === target.host && target.port === 22 ? keyHost : `'[${keyHost}]:${target.port}'`} -f ${check.entry.file}). Connection refused; nothing was sent.`,
              'hostkey',
            );
            return verify(false);
          }
          const knownHostsFile = target.knownHostsFiles[0];
          if (!knownHostsFile || target.strictHostKeyChecking === 'yes') {
            failure = new SshError(
              `Host key verification failed: no ${keyType} key of ${target.alias} (${fingerprint}) is known${knownHostsFile ? ` in ${knownHostsFile}` : ''} and StrictHostKeyChecking is yes.`,
              'hostkey',
            );
            return verify(false);
          }
          let accepted = target.strictHostKeyChecking === 'accept-new';
          if (!accepted) {
            try {
              accepted = await askUser(() => this.callbacks.confirmUnknownHostKey({ host: keyHost, port: target.port, keyType, fingerprint, knownHostsFile }));
            } catch {
              accepted = false;
            }
          }
          if (!accepted) {
            failure = new SshError(`Host key of ${target.alias} (${keyType} ${fingerprint}) was not accepted; not connected.`, 'cancelled');
            return verify(false);
          }
          try {
            await appendKnownHost(knownHostsFile, keyHost, target.port, key, target.hashKnownHosts);
          } catch (error) {
            failure = new SshError(`Could not record the host key in ${knownHostsFile}: ${(error as Error).message}`, 'hostkey');
            return verify(false);
          }
          verify(true);
        })();
      };

      // Authentication, in OpenSSH's order: agent, identity files, keyboard-interactive, password.
      type Method = 'agent' | 'key' | 'keyboard-interactive' | 'password';
      const plan: Array<{ method: Method; path?: string }> = [];
      if (agent && !target.identitiesOnly) plan.push({ method: 'agent' });
      for (const path of target.identityFiles) plan.push({ method: 'key', path });
      plan.push({ method: 'keyboard-interactive' }, { method: 'keyboard-interactive' }, { method: 'keyboard-interactive' });
      plan.push({ method: 'password' }, { method: 'password' }, { method: 'password' });
      let serverMethods: string[] | undefined;
      let keyboardTried = false;
      const tried: string[] = [];
      const notes: string[] = [];

      const nextAuth = async (): Promise<Record<string, unknown> | false> => {
        while (plan.length > 0) {
          const step = plan.shift()!;
          const allowed = (m: string) => !serverMethods || serverMethods.includes(m);
          if (step.method === 'agent') {
            if (!allowed('publickey')) continue;
            tried.push('agent');
            return { type: 'agent', username: target.user, agent };
          }
          if (step.method === 'key') {
            if (!allowed('publickey')) continue;
            const key = await this.loadKey(step.path!, askUser, notes);
            if (!key) continue;
            tried.push(key.path);
            return { type: 'publickey', username: target.user, key: key.data, passphrase: key.passphrase };
          }
          if (step.method === 'keyboard-interactive') {
            if (!allowed('keyboard-interactive')) continue;
            keyboardTried = true;
            tried.push('keyboard-interactive');
            return {
              type: 'keyboard-interactive',
              username: target.user,
              prompt: (name: string, instructions: string, _lang: string, prompts: Array<{ prompt: string; echo?: boolean }>, finish: (answers: string[]) => void) => {
                void (async () => {
                  const answers: string[] = [];
                  for (const p of prompts) {
                    const answer = await askUser(() =>
                      this.callbacks.prompt({
                        title: name || `SSH ${label}`,
                        prompt: [instructions, p.prompt].filter((s) => s && s.trim()).join(' ').trim(),
                        echo: p.echo ?? false,
                      }),
                    ).catch(() => undefined);
                    if (answer === undefined) {
                      failure = new SshError(`Authentication cancelled for ${label}.`, 'cancelled');
                      plan.length = 0;
                      break;
                    }
                    answers.push(answer);
                  }
                  finish(answers);
                })();
              },
            };
          }
          if (step.method === 'password') {
            if (!allowed('password') || (keyboardTried && allowed('keyboard-interactive'))) continue;
            const password = await askUser(() => this.callbacks.prompt({ title: `SSH ${label}`, prompt: `Password for ${label}`, echo: false })).catch(() => undefined);
            if (password === undefined) {
              failure = new SshError(`Authentication cancelled for ${label}.`, 'cancelled');
              return false;
            }
            tried.push('password');
            return { type: 'password', username: target.user, password };
          }
        }
        return false;
      };

      const authHandler = (methodsLeft: string[] | null, _partial: boolean | null, callback: (next: unknown) => void) => {
        if (failure) return callback(false);
        // First ask with "none", like OpenSSH, to learn which methods the server accepts.
        if (!methodsLeft && !serverMethods) return callback({ type: 'none', username: target.user });
        if (methodsLeft) serverMethods = methodsLeft;
        nextAuth().then(
          (next) => callback(next),
          (error: unknown) => {
            failure = error instanceof SshError ? error : new SshError(String((error as Error)?.message ?? error), 'key');
            callback(false);
          },
        );
      };

      const config: ConnectConfig = {
        host: target.host,
        port: target.port,
        username: target.user,
        sock: sock as ConnectConfig['sock'],
        readyTimeout: 0,
        keepaliveInterval: this.options.keepaliveIntervalMs,
        keepaliveCountMax: this.options.keepaliveCountMax,
        hostVerifier: hostVerifier as ConnectConfig['hostVerifier'],
        authHandler: authHandler as unknown as ConnectConfig['authHandler'],
        algorithms: preferred ? { serverHostKey: preferred as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } : undefined,
        debug: this.options.debug,
      };

      client.once('ready', () => {
        if (settled) {
          client.end();
          return;
        }
        settled = true;
        stopTimer();
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string }) => {
        if (settled) return;
        if (failure) return fail(failure);
        if (error.level === 'client-authentication' || /authentication methods failed/i.test(error.message)) {
          const methods = serverMethods?.join(',') ?? 'publickey';
          const what = tried.length > 0 ? `tried ${tried.join(', ')}` : 'no usable key or agent';
          return fail(new SshError(`Permission denied (${methods}) for ${label}: ${what}.${notes.length ? ` ${notes.join(' ')}` : ''}`, 'auth'));
        }
        fail(mapConnectError(error, target));
      });
      client.on('close', () => {
        if (failure) return fail(failure);
        fail(new SshError(`Connection to ${target.alias} closed during the handshake.`, 'network'));
      });
      if (sock?.destroyed) {
        // A proxy that already ended (e.g. a ProxyCommand that exited at once).
        fail(new SshError(`Connection to ${target.alias} closed before the handshake.`, 'network'));
        return;
      }
      startTimer();
      try {
        client.connect(config);
      } catch (error) {
        fail(mapConnectError(error, target));
      }
    });
  }

  /**
   * Reads a private key; for an encrypted one, finds the passphrase in the secret store or asks
   * for it (three tries). Returns undefined when the key is missing or unusable (noted), throws
   * when the user cancels.
   */
  private async loadKey(path: string, askUser: <T>(ask: () => Promise<T>) => Promise<T>, notes: string[]): Promise<LoadedKey | undefined> {
    let data: Buffer;
    try {
      data = await fs.readFile(path);
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') notes.push(`Cannot read key file ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.message}.`);
      else if (!/\/\.ssh\/id_[a-z0-9_]+$/.test(path)) notes.push(`Key file ${path} does not exist.`);
      return undefined;
    }
    const plain = utils.parseKey(data);
    if (!(plain instanceof Error)) return { path, data };
    if (!/encrypted|passphrase/i.test(plain.message)) {
      notes.push(`Key file ${path} is not a usable private key (${plain.message}).`);
      return undefined;
    }
    const secrets = this.callbacks.secrets;
    const secretKey = PASSPHRASE_SECRET(path);
    const remembered = secrets ? await secrets.get(secretKey).catch(() => undefined) : undefined;
    if (remembered !== undefined) {
      if (!(utils.parseKey(data, remembered) instanceof Error)) return { path, data, passphrase: remembered };
      await secrets!.delete(secretKey).catch(() => undefined);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const answer = await askUser(() => this.callbacks.askPassphrase(path, attempt > 0)).catch(() => undefined);
      if (answer === undefined) throw new SshError(`Authentication cancelled (passphrase for ${path}).`, 'cancelled');
      if (!(utils.parseKey(data, answer.passphrase) instanceof Error)) {
        if (answer.remember && secrets) await secrets.store(secretKey, answer.passphrase).catch(() => undefined);
        return { path, data, passphrase: answer.passphrase };
      }
    }
    notes.push(`Wrong passphrase for ${path}.`);
    return undefined;
  }

  /** Runs a command (built from argv with shellCommand) on a channel of the shared connection. */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellCommand(argv, { cwd: options.cwd, env: options.env });
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, options.timeoutMs)
        : undefined;
    const onAbort = () => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) controller.abort();
    const name = argv[0];
    try {
      await this.acquireChannel(controller.signal);
      try {
        const live = await this.ensureLive('command', controller.signal);
        // A server may refuse a channel (a lower MaxSessions, a session still closing): wait, retry.
        for (let attempt = 0; ; attempt++) {
          try {
            return await this.runChannel(this.live && !this.live.closed ? this.live : live, command, options.stdin, controller.signal);
          } catch (error) {
            if (!(error instanceof SshError && error.kind === 'channel' && error.opening) || attempt >= 4) throw error;
            await sleep(100 * 2 ** attempt, controller.signal);
            if (controller.signal.aborted) throw error;
          }
        }
      } finally {
        this.releaseChannel();
      }
    } catch (error) {
      if (controller.signal.aborted) {
        if (timedOut) throw new SshError(`Command timed out after ${options.timeoutMs} ms on ${this.target.alias}: ${name}`, 'timeout');
        const abort = new Error(`Command aborted: ${name}`);
        abort.name = 'AbortError';
        throw abort;
      }
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async acquireChannel(signal: AbortSignal): Promise<void> {
    if (this.running < this.options.maxChannels) {
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
        reject(new Error('aborted'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private releaseChannel(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }

  private runChannel(live: Live, command: string, stdin: string | undefined, signal: AbortSignal): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      if (live.closed) return reject(new SshError(`Connection to ${this.target.alias} lost.`, 'lost'));
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
          try {
            channel.signal('KILL');
          } catch {
            // The server may not support signals.
          }
          channel.close();
        }
        finish(new Error('aborted'));
      };
      live.inflight.add(onLost);
      signal.addEventListener('abort', onAbort, { once: true });
      live.client.exec(command, (err, stream) => {
        if (err) {
          const gone = live.closed || /not connected|No response from server/i.test(err.message);
          return finish(
            gone
              ? new SshError(`Connection to ${this.target.alias} lost.`, 'lost')
              : Object.assign(new SshError(`Could not open a channel on ${this.target.alias}: ${err.message}`, 'channel'), { opening: true }),
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
        stream.on('data', (chunk: Buffer) => out.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => errs.push(chunk));
        stream.on('exit', (c: number | null) => {
          exited = true;
          code = typeof c === 'number' ? c : null;
        });
        stream.on('close', () => {
          if (!exited) {
            // No exit status: the channel died with the connection.
            setImmediate(() => finish(new SshError(`Connection to ${this.target.alias} lost while running ${command.split(' ')[0]}.`, 'lost')));
            return;
          }
          finish(undefined, { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(errs).toString('utf8'), code: code ?? null });
        });
        stream.on('error', (e: Error) => finish(new SshError(`Channel error on ${this.target.alias}: ${e.message}`, 'channel')));
        if (stdin !== undefined) stream.end(stdin);
        else stream.end();
      });
    });
  }

  /** The SFTP session of the connection (opened once, reopened when closed or after reconnecting). */
  async sftp(): Promise<SFTPWrapper> {
    const live = await this.ensureLive('command');
    if (!live.sftp) {
      const opening = new Promise<SFTPWrapper>((resolve, reject) => {
        live.client.sftp((err, sftp) => {
          if (err) return reject(new SshError(`Could not open SFTP on ${this.target.alias}: ${err.message}`, 'channel'));
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

  /** The remote home directory (absolute path), asked once. */
  homeDir(): Promise<string> {
    if (!this.home) {
      const asking = this.exec(['printenv', 'HOME']).then((r) => {
        const home = r.stdout.trim();
        if (r.code !== 0 || !home.startsWith('/')) throw new SshError(`Could not find the home directory on ${this.target.alias}.`, 'channel');
        return home;
      });
      this.home = asking;
      asking.catch(() => {
        if (this.home === asking) this.home = undefined;
      });
    }
    return this.home;
  }

  /** Closes the connection (commands in flight fail) and moves back to idle; connect() again works. */
  disconnect(): void {
    this.generation++;
    this.connecting = undefined;
    const live = this.live;
    this.live = undefined;
    if (live) this.closeLive(live, `Disconnected from ${this.target.alias}.`);
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.lastFailure = undefined;
    this.everConnected = false;
    if (!this.disposed) this.setState('idle');
  }

  private closeLive(live: Live, message: string): void {
    if (live.closed) return;
    live.closed = true;
    const error = new SshError(message, 'closed');
    for (const reject of [...live.inflight]) reject(error);
    live.inflight.clear();
    live.client.end();
    for (const c of live.jumps) c.end();
  }

  /** Closes everything for good. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeController.abort();
    const live = this.live;
    this.live = undefined;
    if (live) this.closeLive(live, `The connection to ${this.target.alias} is closed.`);
    this.setState('closed');
    this.events.removeAllListeners();
  }
}

/** ssh2 host key algorithms with those already known for the host first (as OpenSSH orders them). */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] | undefined {
  if (knownTypes.length === 0) return undefined;
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const first: string[] = [];
  for (const type of knownTypes) {
    const algorithms = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
    for (const a of algorithms) if (defaults.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...defaults.filter((a) => !first.includes(a))];
}

/** Runs a ProxyCommand; its stdout/stdin become the connection's socket. */
function startProxyCommand(target: SshTarget): { sock: Duplex; child: ChildProcess; failure: Promise<Error | undefined> } {
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}
