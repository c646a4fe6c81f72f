/**
 * Jupyter on a cluster's login node, without VS Code: one Jupyter Server per cluster, started on
 * first need over the cluster's connection (core/notebook/jupyterLaunch.ts: a Unix socket in a
 * private 0700 folder, a random token sent on stdin), reached through that same connection (each
 * HTTP request and WebSocket is a new stream to the socket: no local listener), and spoken to
 * with @jupyterlab/services. Kernels (one per notebook) run cells; the server stops when its last
 * kernel is shut down, when the connection goes (its stdin closes), or on dispose.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Kernel, KernelMessage, ServerConnection } from '@jupyterlab/services';
import { isMissingJupyter, INSTALL_HINT, jupyterLaunchArgv, redact, socketPathFrom } from '../core/notebook/jupyterLaunch';
import { kernelOutput, type KernelOutput } from '../core/notebook/kernelOutput';
import { CancelledError } from '../core/errors';
import type { StreamProcess } from '../transport/streams';
import { streamFetch, streamWebSocket } from '../transport/streamHttp';
import { Emitter } from './events';

/** What the server needs from the cluster's connection. */
export interface JupyterHost {
  spawn(argv: readonly string[]): Promise<StreamProcess>;
  openUnixSocket(path: string): Promise<Duplex>;
}

/** No Jupyter Server on the cluster (or the configured command is wrong): says what to install. */
export class JupyterUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JupyterUnavailableError';
  }
}

/** @jupyterlab/services costs a few hundred ms to load: required with the first kernel. */
function services(): typeof import('@jupyterlab/services') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@jupyterlab/services') as typeof import('@jupyterlab/services');
}

export interface JupyterServerOptions {
  /** `hpcWorkbench.notebook.jupyterCommand` or the entry's `jupyterCommand` (undefined: the default). */
  command?: string;
  /** The server's root and working folder (created if missing). */
  rootDir: string;
  /** How long to wait for the server to answer (default 120 s: slow on a loaded login node). */
  readyTimeoutMs?: number;
  signal?: AbortSignal;
  /** For messages: the cluster's name. */
  cluster?: string;
}

const STDERR_KEEP = 16 * 1024;

/** One running Jupyter Server. */
export class JupyterServer {
  private stopping: Promise<void> | undefined;
  private ended = false;
  private readonly exitEmitter = new Emitter<void>();
  /** Its log (stderr), last 16 KB, token removed. */
  private log = '';

  private constructor(
    private readonly process: StreamProcess,
    private readonly token: string,
    readonly socketPath: string,
    readonly settings: ServerConnection.ISettings,
    /** Resolves with the exit code once it has ended. */
    readonly exited: Promise<number | null>,
  ) {
    process.stderr.on('data', (chunk: Buffer) => this.addLog(chunk.toString('utf8')));
    void exited.then(() => {
      this.ended = true;
      this.exitEmitter.fire();
      this.exitEmitter.clear();
    });
  }

  private addLog(text: string): void {
    this.log = redact((this.log + text).slice(-STDERR_KEEP), this.token);
  }

  get alive(): boolean {
    return !this.ended;
  }

  /** The server's recent log, token removed. */
  get recentLog(): string {
    return this.log;
  }

  onDidExit(listener: () => void): () => void {
    if (this.ended) {
      listener();
      return () => undefined;
    }
    return this.exitEmitter.on(listener);
  }

  /** Starts the server and resolves once it answers its API; rejects with what went wrong. */
  static async start(host: JupyterHost, options: JupyterServerOptions): Promise<JupyterServer> {
    const where = options.cluster ? ` on ${options.cluster}` : '';
    const token = randomBytes(24).toString('hex');
    const proc = await host.spawn(jupyterLaunchArgv(options.command, options.rootDir));
    proc.stdin.write(`${token}\n`);
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    proc.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP)));
    let exitCode: number | null | undefined;
    let exitedEarly = false;
    const exited = proc.exited.then((code) => {
      proc.stdin.end();
      exitCode = code;
      exitedEarly = true;
      return code;
    });
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    const fail = (error: Error): never => {
      proc.stdin.end();
      proc.kill();
      throw error;
    };
    let socketPath: string | undefined;
    let settings: ServerConnection.ISettings | undefined;
    for (let wait = 100; ; wait = Math.min(wait * 1.5, 1000)) {
      if (options.signal?.aborted) fail(new CancelledError('Starting Jupyter Server was cancelled.'));
      if (exitedEarly) {
        const log = redact(stderr, token).trim();
        const tail = log.split('\n').slice(-12).join('\n');
        if (isMissingJupyter(exitCode ?? null, log)) {
          fail(new JupyterUnavailableError(`Jupyter Server could not start${where}: ${tail || `exit code ${exitCode}`}\n${INSTALL_HINT}`));
        }
        fail(new Error(`Jupyter Server exited${where} before answering (exit code ${exitCode ?? 'none'}):\n${tail}`));
      }
      socketPath ??= socketPathFrom(stdout);
      if (socketPath) {
        settings ??= makeSettings(host, socketPath, token);
        if (await answers(settings)) break;
      }
      if (Date.now() > deadline) fail(new Error(`Jupyter Server did not answer${where} within ${Math.round((options.readyTimeoutMs ?? 120_000) / 1000)} s.\n${redact(stderr, token).trim().split('\n').slice(-12).join('\n')}`));
      await new Promise<void>((resolve) => setTimeout(resolve, wait));
    }
    const server = new JupyterServer(proc, token, socketPath, settings!, exited);
    server.addLog(stderr);
    return server;
  }

  /** Starts a kernel and resolves once it has answered kernel_info. */
  async startKernel(name = 'python3'): Promise<Kernel.IKernelConnection> {
    const { KernelAPI, KernelConnection } = services();
    let model: Kernel.IModel;
    try {
      model = await KernelAPI.startNew({ name }, this.settings);
    } catch (error) {
      const message = (error as Error).message;
      if (/No such kernel|NoSuchKernel/i.test(message) || /No such kernel/i.test(this.log)) {
        throw new JupyterUnavailableError(`Jupyter Server has no "${name}" kernel: ${message}\n${INSTALL_HINT}`);
      }
      throw error;
    }
    const kernel = new KernelConnection({ model, serverSettings: this.settings, username: 'hpc-workbench', handleComms: false });
    await kernel.info;
    return kernel;
  }

  /** Stops the server (its kernels with it): closes its stdin, waits a bounded time, then kills it. */
  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = (async () => {
        if (this.ended) return;
        this.process.stdin.end();
        const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 15_000).unref());
        if ((await Promise.race([this.exited, timer])) === 'late') this.process.kill();
        await this.exited;
      })();
    }
    return this.stopping;
  }
}

function makeSettings(host: JupyterHost, socketPath: string, token: string): ServerConnection.ISettings {
  const open = () => host.openUnixSocket(socketPath);
  return services().ServerConnection.makeSettings({
    baseUrl: 'http://localhost/',
    wsUrl: 'ws://localhost/',
    token,
    // The token goes in a header, never in a URL (URLs end up in error messages).
    appendToken: false,
    fetch: streamFetch(open),
    Request,
    Headers,
    WebSocket: streamWebSocket(open, { Authorization: `token ${token}` }) as unknown as typeof WebSocket,
  });
}

/** Whether the server answers its API (GET /api/status with the token). */
async function answers(settings: ServerConnection.ISettings): Promise<boolean> {
  try {
    const response = await settings.fetch(new settings.Request(`${settings.baseUrl}api/status`, { headers: { Authorization: `token ${settings.token}` }, signal: AbortSignal.timeout(10_000) }));
    return response.ok;
  } catch {
    return false;
  }
}

/** What a cell's run tells its caller as it goes. */
export interface ExecuteHandlers {
  onOutput(output: KernelOutput): void;
  /** `input()` in the cell: resolves with the answer, or undefined when the user dismissed the prompt. */
  onInput?(prompt: string, password: boolean): Promise<string | undefined>;
  onExecutionCount?(count: number): void;
}

export interface ExecuteResult {
  status: 'ok' | 'error' | 'aborted';
  executionCount?: number;
}

/** A notebook's kernel on the cluster. */
export class JupyterKernel {
  private readonly deathEmitter = new Emitter<string>();
  private dead = false;

  constructor(
    private readonly connection: Kernel.IKernelConnection,
    readonly server: JupyterServer,
    /** The kernel's working folder (chdir after start and restart). */
    readonly cwd: string,
    private readonly onShutdown: (kernel: JupyterKernel) => void,
  ) {
    const unsubscribe = server.onDidExit(() => this.die('Jupyter Server stopped (the connection to the cluster ended or the server exited).'));
    connection.statusChanged.connect((_, status) => {
      if (status === 'dead') this.die('The kernel died.');
    });
    this.deathEmitter.on(() => unsubscribe());
  }

  get id(): string {
    return this.connection.id;
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Fires once, with the reason, when the kernel or its server is gone. */
  onDidDie(listener: (reason: string) => void): () => void {
    return this.deathEmitter.on(listener);
  }

  private die(reason: string): void {
    if (this.dead) return;
    this.dead = true;
    this.deathEmitter.fire(reason);
    this.deathEmitter.clear();
    this.connection.dispose();
    this.onShutdown(this);
  }

  /** Moves the kernel to its folder, silently (no output, no execution count). */
  async chdir(): Promise<void> {
    const code = `import os as _hpcw_os\n_hpcw_os.chdir(${JSON.stringify(this.cwd)})\ndel _hpcw_os`;
    const future = this.connection.requestExecute({ code, silent: true, store_history: false, allow_stdin: false, stop_on_error: false });
    const reply = await future.done;
    if (reply.content.status !== 'ok') throw new Error(`The kernel could not change to ${this.cwd}.`);
  }

  /** Runs `code`; resolves when the kernel has answered (after every output), rejects if it goes away. */
  async execute(code: string, handlers: ExecuteHandlers): Promise<ExecuteResult> {
    if (this.dead) throw new Error('The kernel is no longer running.');
    const future = this.connection.requestExecute({ code, silent: false, store_history: true, allow_stdin: handlers.onInput !== undefined, stop_on_error: true });
    future.onIOPub = (msg: KernelMessage.IIOPubMessage) => {
      if (msg.header.msg_type === 'execute_input') {
        const count = (msg.content as { execution_count?: number }).execution_count;
        if (typeof count === 'number') handlers.onExecutionCount?.(count);
        return;
      }
      const output = kernelOutput(msg.header.msg_type, msg.content);
      if (output) handlers.onOutput(output);
    };
    future.onStdin = (msg: KernelMessage.IStdinMessage) => {
      if (msg.header.msg_type !== 'input_request' || !handlers.onInput) return;
      const content = msg.content as KernelMessage.IInputRequestMsg['content'];
      const header = msg.header as KernelMessage.IInputReplyMsg['parent_header'];
      void handlers.onInput(content.prompt, content.password).then(
        (value) => {
          if (value === undefined) void this.interrupt().catch(() => undefined);
          // The kernel waits for a reply either way; an interrupt then ends the cell.
          this.connection.sendInputReply({ status: 'ok', value: value ?? '' }, header);
        },
        () => undefined,
      );
    };
    const death = new Promise<never>((_, reject) => {
      const off = this.onDidDie((reason) => reject(new Error(reason)));
      void future.done.then(off, off);
    });
    const reply = await Promise.race([future.done, death]);
    const status = reply.content.status;
    return { status: status === 'ok' ? 'ok' : status === 'error' ? 'error' : 'aborted', executionCount: reply.content.execution_count ?? undefined };
  }

  async interrupt(): Promise<void> {
    if (!this.dead) await this.connection.interrupt();
  }

  /** Restarts the kernel (a fresh Python process, same folder). */
  async restart(): Promise<void> {
    if (this.dead) throw new Error('The kernel is no longer running.');
    await this.connection.restart();
    await this.connection.info;
    await this.chdir();
  }

  /** Shuts the kernel down (the server stops with its last kernel). */
  async shutdown(): Promise<void> {
    if (this.dead) return;
    try {
      if (this.server.alive) await this.connection.shutdown();
    } catch {
      // The server or the connection went first: the kernel is gone with it.
    } finally {
      this.die('The kernel was shut down.');
    }
  }
}

export interface StartKernelOptions {
  command?: string;
  /** The remote folder: the server's root (when it starts) and the kernel's working folder. */
  cwd: string;
  signal?: AbortSignal;
  readyTimeoutMs?: number;
}

/** One cluster's Jupyter: one server, started on first need, and its kernels. */
export class ClusterJupyter {
  private server: Promise<JupyterServer> | undefined;
  private readonly kernels = new Set<JupyterKernel>();
  private disposed = false;
  /** Kernels being started: the server must not stop under them. */
  private starting = 0;

  constructor(
    private readonly host: JupyterHost,
    private readonly cluster: string,
  ) {}

  /** The running server, if any (tests, bench). */
  async runningServer(): Promise<JupyterServer | undefined> {
    const server = await this.server?.catch(() => undefined);
    return server?.alive ? server : undefined;
  }

  get kernelCount(): number {
    return this.kernels.size;
  }

  private async ensureServer(options: StartKernelOptions): Promise<JupyterServer> {
    if (this.disposed) throw new Error(`${this.cluster} is closed.`);
    const current = await this.server?.catch(() => undefined);
    if (current?.alive) return current;
    const starting = JupyterServer.start(this.host, { command: options.command, rootDir: options.cwd, signal: options.signal, readyTimeoutMs: options.readyTimeoutMs, cluster: this.cluster });
    this.server = starting;
    starting.then(
      (server) => server.onDidExit(() => {
        if (this.server === starting) this.server = undefined;
      }),
      () => {
        if (this.server === starting) this.server = undefined;
      },
    );
    return starting;
  }

  /** Starts a python3 kernel in `cwd` (starting the server first when needed). */
  async startKernel(options: StartKernelOptions): Promise<JupyterKernel> {
    this.starting++;
    let kernel: JupyterKernel;
    try {
      const server = await this.ensureServer(options);
      const connection = await server.startKernel('python3');
      kernel = new JupyterKernel(connection, server, options.cwd, (k) => this.forget(k));
      this.kernels.add(kernel);
    } catch (error) {
      this.starting--;
      // No kernel came of it (no ipykernel, say): a server without kernels does not stay.
      if (this.kernels.size === 0 && this.starting === 0) this.forgetServer();
      throw error;
    }
    this.starting--;
    try {
      await kernel.chdir();
    } catch (error) {
      await kernel.shutdown().catch(() => undefined);
      throw error;
    }
    return kernel;
  }

  private forget(kernel: JupyterKernel): void {
    this.kernels.delete(kernel);
    // The last kernel is gone: stop the server (unless a new one is being started right now).
    if (this.kernels.size === 0 && this.starting === 0) this.forgetServer();
  }

  private forgetServer(): void {
    const server = this.server;
    this.server = undefined;
    void server?.then((s) => s.stop(), () => undefined);
  }

  /** Shuts every kernel down and stops the server. */
  async shutdown(): Promise<void> {
    await Promise.all([...this.kernels].map((k) => k.shutdown().catch(() => undefined)));
    const server = this.server;
    this.server = undefined;
    await server?.then((s) => s.stop(), () => undefined);
  }

  dispose(): void {
    this.disposed = true;
    void this.shutdown();
  }
}
