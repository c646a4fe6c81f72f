/**
 * A minimal LSP client for protocol tests and the bench: starts a language server as a child
 * process speaking LSP over stdio (vscode-jsonrpc), does the initialize handshake, keeps every
 * publishDiagnostics, and shuts the server down by its PID.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  Diagnostic,
  InitializeResult,
  PublishDiagnosticsParams,
  TextEdit,
} from 'vscode-languageserver-protocol';

/** The repository root (this file compiles to out/test/unit/lsp/). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
export const serverPath = path.join(repoRoot, 'dist', 'server.js');

export interface SessionOptions {
  command?: string;
  args?: string[];
  initializationOptions?: unknown;
  env?: NodeJS.ProcessEnv;
  rootUri?: string | null;
}

export class LspSession {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  initializeResult!: InitializeResult;
  private listeners: (() => void)[] = [];
  private exited = false;
  stderr = '';

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {
    child.on('exit', () => {
      this.exited = true;
      this.notify();
    });
    child.stderr.on('data', (b: Buffer) => (this.stderr += b.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.notify();
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => this.logs.push(p.message));
    // Requests some servers send; answer them like a plain client.
    connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
  }

  /** Starts the server (our dist/server.js by default) and completes the initialize handshake. */
  static async start(opts: SessionOptions = {}): Promise<LspSession> {
    const command = opts.command ?? process.execPath;
    const args = opts.args ?? [serverPath, '--stdio'];
    const child = spawn(command, args, { stdio: 'pipe', env: opts.env ?? process.env });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onError(() => undefined);
    const session = new LspSession(child, connection);
    connection.listen();
    session.initializeResult = await connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: opts.rootUri ?? null,
      capabilities: {
        textDocument: {
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
          completion: { completionItem: { snippetSupport: true, labelDetailsSupport: true } },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          synchronization: { didSave: true },
        },
        workspace: {},
      },
      initializationOptions: opts.initializationOptions,
      workspaceFolders: null,
    });
    await connection.sendNotification('initialized', {});
    return session;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  get alive(): boolean {
    return !this.exited && this.child.exitCode === null;
  }

  /** Resolves with the first publication (past or future) for `uri` that satisfies `pred`. */
  waitForDiagnostics(uri: string, pred: (d: Diagnostic[], p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 30000, after = 0): Promise<Diagnostic[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (let i = after; i < this.published.length; i++) {
          const p = this.published[i];
          if (p.uri === uri && pred(p.diagnostics, p)) {
            done();
            resolve(p.diagnostics);
            return true;
          }
        }
        if (this.exited) {
          done();
          reject(new Error(`server exited while waiting for diagnostics of ${uri}; stderr: ${this.stderr}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        const last = this.published.filter((p) => p.uri === uri).pop();
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(last?.diagnostics)}`));
      }, timeoutMs);
      const listener = (): void => void check();
      const done = (): void => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
      };
      this.listeners.push(listener);
      check();
    });
  }

  async open(uri: string, text: string, languageId = 'sbatch', version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  async change(uri: string, text: string, version: number): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  notify_(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** Resident set size of the server process in KiB (Linux /proc). */
  rssKiB(): number {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const status = require('node:fs').readFileSync(`/proc/${this.child.pid}/status`, 'utf8') as string;
      const m = /VmRSS:\s+(\d+)/.exec(status);
      return m ? Number(m[1]) : NaN;
    } catch {
      return NaN;
    }
  }

  /** shutdown + exit; kills the process (by its PID) if it does not exit within 3 s. */
  async stop(): Promise<void> {
    if (this.alive) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      } catch {
        // the server may already be gone
      }
      await new Promise<void>((resolve) => {
        if (!this.alive) return resolve();
        const t = setTimeout(() => {
          if (this.alive) this.child.kill('SIGKILL');
          resolve();
        }, 3000);
        this.child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    this.connection.dispose();
  }
}

/** Applies LSP text edits (non-overlapping) to `text`. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }): number =>
    p.line >= lineStarts.length ? text.length : Math.min(lineStarts[p.line] + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
