/**
 * Jupyter Server on a cluster's login node, the process only: started over the cluster's connection
 * (core/notebook/jupyterLaunch.ts: a Unix socket in a private 0700 folder, a random token sent on
 * stdin), waited for until it answers its API, reached through that same connection (each HTTP
 * request and WebSocket is a new stream to the socket: no local listener), stopped by closing its
 * stdin. The kernels it runs and the per-cluster bookkeeping are in jupyter.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Kernel, ServerConnection } from '@jupyterlab/services';
import { isMissingJupyter, INSTALL_HINT, jupyterLaunchArgv, redact, socketPathFrom } from '../core/notebook/jupyterLaunch';
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
