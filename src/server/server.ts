/**
 * The SBATCH language server: glues the core linter (src/core/sbatch) and the ShellCheck
 * adapter to an LSP connection. Each LSP concern is a plain module beside this one
 * (completion, hover, symbols, code actions); this file only keeps per-document state.
 *
 * A broken document, a bad snapshot or a failing ShellCheck never stops the server: every
 * handler is guarded and logs to the connection's console.
 */
import {
  CodeActionKind,
  DidChangeConfigurationNotification,
  TextDocumentSyncKind,
  TextDocuments,
} from 'vscode-languageserver';
import type {
  CodeAction,
  CodeLens,
  Connection,
  Diagnostic,
  InitializeParams,
  InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseClusterSnapshot, type ClusterSnapshot } from '../core/cluster/snapshot';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lintParsed, parseSbatchScript, summarizeRequest } from '../core/sbatch';
import type { ParsedScript } from '../core/sbatch/parse';
import type { SbatchDiagnostic } from '../core/sbatch/types';
import { CLUSTER_SNAPSHOT_NOTIFICATION, type ServerInitializationOptions } from '../core/cluster/protocol';
import { codeActionsFor, toLspDiagnostic } from './codeActions';
import { COMPLETION_TRIGGERS, completionsAt, resolveCompletion } from './completion';
import { hoverAt } from './hover';
import { ShellcheckScheduler, shellcheckExecutable, type ShellcheckTrigger } from './shellcheck';
import { documentSymbols } from './symbols';

export interface ServerSettings {
  /** `auto`, `off` or a path to shellcheck. */
  shellcheck: string;
}

interface Analysis {
  version: number;
  parsed: ParsedScript;
  diagnostics: SbatchDiagnostic[];
  summary?: string;
}

interface DocumentState {
  analysis?: Analysis;
  /** The latest ShellCheck diagnostics (kept until newer ones replace them). */
  shellcheck: Diagnostic[];
}

export interface StartServerOptions {
  /** A fixed wait before ShellCheck runs after a change (ms); by default it adapts to ShellCheck's speed. */
  shellcheckDelayMs?: number;
}

/** The `hpcWorkbench.lint.shellcheck` value from any of the shapes clients send settings in. */
function shellcheckFromSettings(settings: unknown): string | undefined {
  if (!settings || typeof settings !== 'object') return undefined;
  const s = settings as Record<string, unknown>;
  const hw = (s.hpcWorkbench ?? s) as Record<string, unknown>;
  const lint = hw.lint as Record<string, unknown> | undefined;
  const value = lint?.shellcheck ?? hw['lint.shellcheck'] ?? hw.shellcheck ?? s['hpcWorkbench.lint.shellcheck'];
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'auto' : 'off';
  return undefined;
}

function checkedSnapshot(value: unknown, log: (m: string) => void): ClusterSnapshot | null {
  if (value === null || value === undefined) return null;
  try {
    return parseClusterSnapshot(JSON.stringify(value), 'pushed cluster snapshot');
  } catch (err) {
    log(`ignoring the cluster snapshot: ${(err as Error).message}`);
    return null;
  }
}

/** The request summary of every component, one line each (undefined without directives). */
function summaryMarkdown(parsed: ParsedScript): string | undefined {
  const lines: string[] = [];
  for (let c = 0; c < parsed.componentCount; c++) {
    const s = summarizeRequest(parsed, c);
    if (!s?.text) continue;
    lines.push(parsed.componentCount > 1 ? `**Component ${c}**: ${s.text}` : `**Request**: ${s.text}`);
  }
  return lines.length ? lines.join('\n\n') : undefined;
}

/** For output paths relative to a script on disk: does the directory exist? */
function directoryCheck(uri: string): ((dir: string) => boolean | undefined) | undefined {
  if (!uri.startsWith('file:')) return undefined;
  let base: string;
  try {
    base = path.dirname(fileURLToPath(uri));
  } catch {
    return undefined;
  }
  return (dir: string) => {
    try {
      return fs.statSync(path.resolve(base, dir)).isDirectory();
    } catch {
      return false;
    }
  };
}

export function startServer(connection: Connection, options: StartServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const state = new Map<string, DocumentState>();
  let snapshot: ClusterSnapshot | null = null;
  const settings: ServerSettings = { shellcheck: 'auto' };
  let canPullConfiguration = false;
  let canRegisterConfiguration = false;

  const log = (message: string): void => connection.console.log(message);
  const logError = (what: string, err: unknown): void => {
    connection.console.error(`${what}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  };
  /** Runs a handler; an exception is logged and the fallback returned instead. */
  const guard = <T>(what: string, fallback: T, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      logError(what, err);
      return fallback;
    }
  };

  const stateOf = (uri: string): DocumentState => {
    let s = state.get(uri);
    if (!s) {
      s = { shellcheck: [] };
      state.set(uri, s);
    }
    return s;
  };

  const analyze = (doc: TextDocument): Analysis => {
    const s = stateOf(doc.uri);
    if (s.analysis && s.analysis.version === doc.version) return s.analysis;
    const text = doc.getText();
    const parsed = parseSbatchScript(text);
    // The summary is shown as a code lens and on hover, not as a diagnostic.
    const diagnostics = lintParsed(parsed, text, {
      summary: false,
      ...(snapshot ? { cluster: snapshot } : {}),
      directoryExists: directoryCheck(doc.uri),
    });
    let summary: string | undefined;
    try {
      summary = summaryMarkdown(parsed);
    } catch (err) {
      logError('summary', err);
    }
    s.analysis = { version: doc.version, parsed, diagnostics, summary };
    return s.analysis;
  };

  const publish = (doc: TextDocument): void => {
    const s = stateOf(doc.uri);
    const ours = guard('lint', [] as Diagnostic[], () => analyze(doc).diagnostics.map(toLspDiagnostic));
    void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [...ours, ...s.shellcheck] });
  };

  const scheduler = new ShellcheckScheduler(
    (uri, version, diagnostics) => {
      const doc = documents.get(uri);
      if (!doc || doc.version !== version) return;
      stateOf(uri).shellcheck = diagnostics;
      guard('publish', undefined, () => publish(doc));
    },
    log,
    options.shellcheckDelayMs === undefined ? {} : { delayMs: options.shellcheckDelayMs },
  );

  const runShellcheck = (doc: TextDocument, trigger: ShellcheckTrigger): void => {
    const executable = shellcheckExecutable(settings.shellcheck);
    if (!executable) {
      scheduler.cancel(doc.uri);
      return;
    }
    scheduler.schedule(doc.uri, doc.version, doc.getText(), executable, trigger);
  };

  // Bursts of changes are linted once, on the latest version; our own diagnostics go out first
  // (with ShellCheck's latest), ShellCheck is started or scheduled after them and merged in later.
  const queued = new Map<string, ShellcheckTrigger>();
  const validate = (doc: TextDocument, trigger: ShellcheckTrigger): void => {
    const already = queued.get(doc.uri);
    queued.set(doc.uri, already === 'open' || already === 'save' ? already : trigger);
    if (already) return;
    setImmediate(() => {
      const why = queued.get(doc.uri) ?? trigger;
      queued.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (!current) return;
      guard('validate', undefined, () => publish(current));
      guard('shellcheck', undefined, () => runShellcheck(current, why));
    });
  };

  const revalidateAll = (withShellcheck: boolean): void => {
    for (const doc of documents.all()) {
      const s = stateOf(doc.uri);
      s.analysis = undefined;
      if (withShellcheck) {
        if (!shellcheckExecutable(settings.shellcheck)) s.shellcheck = [];
        // Another executable (or none): whatever runs is of no use any more.
        scheduler.cancel(doc.uri);
        guard('shellcheck', undefined, () => runShellcheck(doc, 'open'));
      }
      guard('validate', undefined, () => publish(doc));
    }
  };

  const applyShellcheckSetting = (value: string | undefined): void => {
    if (value === undefined || value === settings.shellcheck) return;
    settings.shellcheck = value;
    scheduler.resetMissing();
    revalidateAll(true);
  };

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as Record<keyof ServerInitializationOptions, unknown>;
    settings.shellcheck = shellcheckFromSettings(init) ?? 'auto';
    snapshot = checkedSnapshot(init.clusterSnapshot ?? init.snapshot, log);
    canPullConfiguration = params.capabilities.workspace?.configuration === true;
    canRegisterConfiguration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Full, save: { includeText: false } },
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: true },
        hoverProvider: true,
        documentSymbolProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'sbatch-language-server' },
    };
  });

  connection.onInitialized(() => {
    if (canRegisterConfiguration) {
      connection.client.register(DidChangeConfigurationNotification.type, undefined).catch(() => undefined);
    }
    if (canPullConfiguration) {
      // Clients that answer workspace/configuration (VS Code, Neovim) get asked directly.
      connection.workspace
        .getConfiguration('hpcWorkbench')
        .then((cfg: unknown) => applyShellcheckSetting(shellcheckFromSettings({ hpcWorkbench: cfg })))
        .catch(() => undefined);
    }
  });

  connection.onDidChangeConfiguration((params) => {
    guard('configuration', undefined, () => {
      const pushed = shellcheckFromSettings(params.settings);
      if (pushed !== undefined) {
        applyShellcheckSetting(pushed);
      } else if (canPullConfiguration) {
        connection.workspace
          .getConfiguration('hpcWorkbench')
          .then((cfg: unknown) => applyShellcheckSetting(shellcheckFromSettings({ hpcWorkbench: cfg })))
          .catch(() => undefined);
      }
    });
  });

  connection.onNotification(CLUSTER_SNAPSHOT_NOTIFICATION, (params: { snapshot?: unknown } | null) => {
    guard('cluster snapshot', undefined, () => {
      snapshot = checkedSnapshot(params?.snapshot, log);
      log(snapshot ? `cluster snapshot: ${snapshot.cluster} (${snapshot.partitions.length} partitions, ${snapshot.nodes.length} nodes)` : 'cluster snapshot cleared');
      revalidateAll(false);
    });
  });

  documents.onDidOpen((e) => validate(e.document, 'open'));
  // onDidOpen is followed by onDidChangeContent for the same version: validate keeps 'open'.
  documents.onDidChangeContent((e) => validate(e.document, 'change'));
  documents.onDidSave((e) => guard('shellcheck', undefined, () => runShellcheck(e.document, 'save')));
  documents.onDidClose((e) => {
    scheduler.cancel(e.document.uri);
    state.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onCompletion((params) =>
    guard('completion', [], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
      return completionsAt(line.replace(/\r?\n$/, ''), params.position, snapshot);
    }),
  );

  connection.onCompletionResolve((item) => guard('completion resolve', item, () => resolveCompletion(item)));

  connection.onHover((params) =>
    guard('hover', null, () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return null;
      const analysis = analyze(doc);
      const line = doc.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
      return hoverAt(analysis.parsed, line.replace(/\r?\n$/, ''), params.position, () => analysis.summary);
    }),
  );

  connection.onDocumentSymbol((params) =>
    guard('symbols', [], () => {
      const doc = documents.get(params.textDocument.uri);
      return doc ? documentSymbols(analyze(doc).parsed) : [];
    }),
  );

  connection.onCodeAction((params) =>
    guard('code actions', [] as CodeAction[], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      return codeActionsFor(doc, analyze(doc).diagnostics, stateOf(doc.uri).shellcheck, params.range, params.context);
    }),
  );

  connection.onCodeLens((params) =>
    guard('code lens', [] as CodeLens[], () => {
      const doc = documents.get(params.textDocument.uri);
      if (!doc) return [];
      const analysis = analyze(doc);
      const first = analysis.parsed.directives[0];
      if (!first || !analysis.summary) return [];
      return [{ range: first.keywordRange, command: { title: analysis.summary.replace(/\*\*/g, ''), command: '' } }];
    }),
  );

  connection.onShutdown(() => scheduler.dispose());
  documents.listen(connection);
}
