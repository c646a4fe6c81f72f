/**
 * One persistent SSH connection per cluster (ssh2), multiplexing every command and the SFTP
 * session as channels: the connection's state machine (idle → connecting → connected, lost →
 * reconnecting with backoff, failed, closed) and the commands run on it. The handshake, host-key
 * policy, authentication and ProxyCommand live beside it in this folder. No vscode import: the
 * UI lives behind `SshCallbacks`.
 */
import { EventEmitter } from 'node:events';
import type { SFTPWrapper } from 'ssh2';
import { shellCommand } from '../../core/shellQuote';
import type { CommandRunner, ExecOptions, ExecResult } from '../../core/transport';
import { commandSignal, raceSignal, sleep } from './abortable';
import { ChannelLimiter } from './channelLimiter';
import { openStreamLocal, runChannel, sftpSession, spawnChannel } from './channels';
import type { Duplex } from 'node:stream';
import type { StreamHost, StreamProcess } from '../streams';
import { CancelledError, throwIfCancelled } from '../../core/errors';
import { isRetryable, mapConnectError, SshError, type ConnectFailure } from './errors';
import { handshake } from './handshake';
import { closeLive, watchLive, type Live } from './live';
import { openRoute, type Handshake } from './route';
import { backoffDelay, DEFAULT_BACKOFF } from './sshBackoff';
import type { SshTarget } from './sshConfig';
import type { ResolvedSshOptions, SshCallbacks, SshState, SshStateChange, SshTransportOptions } from './types';

export class SshTransport implements CommandRunner, StreamHost {
  private _state: SshState = 'idle';
  private lastError: string | undefined;
  private readonly events = new EventEmitter();
  private live: Live | undefined;
  private connecting: Promise<Live> | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private everConnected = false;
  private lastFailure: ConnectFailure | undefined;
  private disposed = false;
  /** Incremented by disconnect(): an attempt started before it does not install its connection. */
  private generation = 0;
  private readonly disposeController = new AbortController();
  private readonly channels: ChannelLimiter;
  private home: Promise<string> | undefined;
  private readonly options: ResolvedSshOptions;

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
    this.channels = new ChannelLimiter(this.options.maxChannels);
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
      if (!failure || !isRetryable(failure) || caller === 'immediate') waitMs = 0;
      if (caller === 'command' && failure) {
        if (!(failure instanceof SshError && failure.retryable)) throw failure;
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
      const live = await this.open();
      if (this.disposed || generation !== this.generation) {
        // disconnect() or dispose() was called while connecting.
        closeLive(live, `Disconnected from ${this.target.alias}.`);
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
      if (!this.disposed) this.setState(isRetryable(mapped) && this.everConnected ? 'reconnecting' : 'failed', mapped.message);
      throw mapped;
    }
  }

  /** Opens the connection (through its jump hosts or ProxyCommand) and follows it. */
  private async open(): Promise<Live> {
    const connectOne: Handshake = (target, sock) => handshake({ target, sock, callbacks: this.callbacks, options: this.options });
    const { client, jumps } = await openRoute(this.target, connectOne, this.disposeController.signal);
    const live: Live = { client, jumps, inflight: new Set(), closed: false };
    this.watch(live);
    return live;
  }

  /** Follows a live connection: when it closes, commands in flight fail and the state says so. */
  private watch(live: Live): void {
    watchLive(live, this.target.alias, (lost) => {
      if (this.live !== live) return;
      this.live = undefined;
      if (this.disposed) return;
      this.failures = Math.max(this.failures, 1);
      this.nextAttemptAt = Date.now() + backoffDelay(this.failures, this.options.backoff);
      this.lastFailure = lost;
      this.setState('reconnecting', lost.message);
    });
  }

  /**
   * Runs a command (built from argv with shellCommand) on a channel of the shared connection.
   * Rejects with a CancelledError when `options.signal` fires, an SshError on timeout or failure.
   */
  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const command = shellCommand(argv, { cwd: options.cwd, env: options.env });
    const run = commandSignal(options.signal, options.timeoutMs);
    const name = argv[0];
    try {
      // An already aborted signal never fires again: do not start the command at all.
      throwIfCancelled(run.signal);
      await this.channels.acquire(run.signal);
      try {
        return await this.runWithRetries(command, options.stdin, run.signal, options.onStdout);
      } finally {
        this.channels.release();
      }
    } catch (error) {
      if (!run.signal.aborted) throw error;
      if (run.timedOut()) throw new SshError(`Command timed out after ${options.timeoutMs} ms on ${this.target.alias}: ${name}`, 'timeout');
      throw new CancelledError(`Command aborted: ${name}`);
    } finally {
      run.dispose();
    }
  }

  /** Runs `command` once connected; a channel the server refuses to open is asked again (4 times). */
  private async runWithRetries(command: string, stdin: string | undefined, signal: AbortSignal, onStdout?: (chunk: Buffer) => void): Promise<ExecResult> {
    const live = await this.ensureLive('command', signal);
    // A server may refuse a channel (a lower MaxSessions, a session still closing): wait, retry.
    for (let attempt = 0; ; attempt++) {
      try {
        return await runChannel(this.live && !this.live.closed ? this.live : live, this.target.alias, command, stdin, signal, onStdout);
      } catch (error) {
        if (!(error instanceof SshError && error.kind === 'channel' && error.opening) || attempt >= 4) throw error;
        await sleep(100 * 2 ** attempt, signal);
        if (signal.aborted) throw error;
      }
    }
  }

  /**
   * Starts a long-lived process (shell text from core/shellQuote) on a channel of the connection;
   * it ends when it exits or the connection goes. Not counted against the command limit.
   */
  async spawnShell(command: string): Promise<StreamProcess> {
    return spawnChannel(await this.ensureLive('command'), this.target.alias, command);
  }

  /** A new stream to a Unix socket on the server, over the same connection (no second login). */
  async openUnixSocket(path: string): Promise<Duplex> {
    return openStreamLocal(await this.ensureLive('command'), this.target.alias, path);
  }

  /** The SFTP session of the connection (opened once, reopened when closed or after reconnecting). */
  async sftp(): Promise<SFTPWrapper> {
    return sftpSession(await this.ensureLive('command'), this.target.alias);
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
    if (live) closeLive(live, `Disconnected from ${this.target.alias}.`);
    this.failures = 0;
    this.nextAttemptAt = 0;
    this.lastFailure = undefined;
    this.everConnected = false;
    if (!this.disposed) this.setState('idle');
  }

  /** Closes everything for good. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeController.abort();
    const live = this.live;
    this.live = undefined;
    if (live) closeLive(live, `The connection to ${this.target.alias} is closed.`);
    this.setState('closed');
    this.events.removeAllListeners();
  }
}
