/**
 * Jupyter on a cluster's login node, without VS Code: the notebooks' kernels (one per notebook,
 * spoken to with @jupyterlab/services) and `ClusterJupyter`, one cluster's server (jupyterServer.ts:
 * the process itself), started on first need. Kernels run cells; the server stops when its last
 * kernel is shut down, when the connection goes (its stdin closes), or on dispose.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import { kernelOutput, type KernelOutput } from '../core/notebook/kernelOutput';
import { Emitter } from './events';
import { JupyterServer, type JupyterHost } from './jupyterServer';

export { JupyterServer, JupyterUnavailableError, type JupyterHost, type JupyterServerOptions } from './jupyterServer';

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
