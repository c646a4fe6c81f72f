/**
 * The ShellCheck adapter: runs `shellcheck --format=json1 -` on a script's text and maps its
 * comments to LSP diagnostics (source `shellcheck`, code `SC1234`) and its suggested fixes to
 * text edits. `#SBATCH` lines are comments to ShellCheck, so they never produce noise.
 *
 * It never throws: a missing or failing ShellCheck yields no diagnostics and a reason to log.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Diagnostic, TextEdit } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';

/** The `hpcWorkbench.lint.shellcheck` setting: `auto`, `off`, or a path to the executable. */
export type ShellcheckSetting = string;

/** The executable to run for a setting, or undefined when ShellCheck is off. */
export function shellcheckExecutable(setting: ShellcheckSetting | undefined): string | undefined {
  const value = (setting ?? 'auto').trim();
  if (value === 'off' || value === 'false') return undefined;
  if (value === '' || value === 'auto' || value === 'true') return 'shellcheck';
  if (value === '~' || value.startsWith('~/')) return path.join(os.homedir(), value.slice(1));
  return value;
}

/** One ShellCheck comment as `--format=json1` prints it (1-based lines and columns; a tab is 1 column). */
export interface ShellcheckComment {
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  level: 'error' | 'warning' | 'info' | 'style' | string;
  code: number;
  message: string;
  fix?: { replacements: ShellcheckReplacement[] } | null;
}

export interface ShellcheckReplacement {
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  replacement: string;
  precedence?: number;
  insertionPoint?: string;
}

export interface ShellcheckResult {
  diagnostics: Diagnostic[];
  /** Set when ShellCheck could not run or its output was not understood. */
  problem?: string;
  /** True when the executable does not exist (ENOENT): callers may stop trying. */
  missing?: boolean;
}

/** The data attached to each ShellCheck diagnostic, for its code action. */
export interface ShellcheckFixData {
  shellcheckFix: TextEdit[];
}

const SEVERITY: Record<string, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  style: DiagnosticSeverity.Hint,
};

/** The shell dialect ShellCheck should assume: from the shebang when it names one it knows, else bash. */
export function shellDialect(text: string): 'bash' | 'sh' | 'dash' | 'ksh' {
  const m = /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(\w+)/.exec(text.slice(0, 200));
  const name = m?.[1];
  return name === 'sh' || name === 'dash' || name === 'ksh' ? name : 'bash';
}

/** Maps ShellCheck's json1 output to diagnostics; throws when the output is not json1. */
export function parseShellcheckJson1(output: string): Diagnostic[] {
  const parsed = JSON.parse(output) as { comments?: ShellcheckComment[] };
  if (!parsed || !Array.isArray(parsed.comments)) throw new Error('no "comments" array');
  return parsed.comments.map(toDiagnostic);
}

function toDiagnostic(c: ShellcheckComment): Diagnostic {
  const diagnostic: Diagnostic = {
    range: {
      start: { line: Math.max(0, c.line - 1), character: Math.max(0, c.column - 1) },
      end: { line: Math.max(0, c.endLine - 1), character: Math.max(0, c.endColumn - 1) },
    },
    severity: SEVERITY[c.level] ?? DiagnosticSeverity.Warning,
    code: `SC${c.code}`,
    codeDescription: { href: `https://www.shellcheck.net/wiki/SC${c.code}` },
    source: 'shellcheck',
    message: c.message,
  };
  const replacements = c.fix?.replacements;
  if (Array.isArray(replacements) && replacements.length > 0) {
    const edits: TextEdit[] = replacements
      // ShellCheck orders replacements by precedence; edits must not depend on order in LSP,
      // and ShellCheck's never overlap, so they are passed on as they are.
      .map((r) => ({
        range: {
          start: { line: r.line - 1, character: r.column - 1 },
          end: { line: r.endLine - 1, character: r.endColumn - 1 },
        },
        newText: r.replacement,
      }));
    diagnostic.data = { shellcheckFix: edits } satisfies ShellcheckFixData;
  }
  return diagnostic;
}

export interface RunShellcheckOptions {
  /** Kills ShellCheck after this many milliseconds (default 30 s: it is slow on very long scripts). */
  timeoutMs?: number;
  /** Aborts the run (the process is killed); the result is then empty. */
  signal?: AbortSignal;
}

/** Runs ShellCheck on `text` (from stdin). Never rejects. */
export function runShellcheck(executable: string, text: string, opts: RunShellcheckOptions = {}): Promise<ShellcheckResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: ShellcheckResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const args = ['--format=json1', '--shell=' + shellDialect(text), '--color=never', '-'];
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(executable, args, { stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
    } catch (err) {
      resolve({ diagnostics: [], problem: `cannot start ${executable}: ${(err as Error).message}` });
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    const onAbort = (): void => {
      child.kill('SIGKILL');
      finish({ diagnostics: [] });
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish({ diagnostics: [], problem: `${executable} took longer than ${opts.timeoutMs ?? 30000} ms; stopped` });
    }, opts.timeoutMs ?? 30000);
    if (opts.signal?.aborted) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort);
    child.stdout?.on('data', (b: Buffer) => stdout.push(b));
    child.stderr?.on('data', (b: Buffer) => stderr.push(b));
    child.on('error', (err: NodeJS.ErrnoException) => {
      finish({
        diagnostics: [],
        problem: err.code === 'ENOENT' ? `${executable} not found` : `${executable} failed: ${err.message}`,
        missing: err.code === 'ENOENT',
      });
    });
    child.on('close', (code) => {
      const out = Buffer.concat(stdout).toString('utf8');
      // Exit 0: clean; 1: comments found; anything else: ShellCheck itself failed.
      if (code !== 0 && code !== 1) {
        const err = Buffer.concat(stderr).toString('utf8').trim();
        finish({ diagnostics: [], problem: `${executable} exited with ${code}${err ? `: ${err.slice(0, 500)}` : ''}` });
        return;
      }
      try {
        finish({ diagnostics: parseShellcheckJson1(out) });
      } catch (err) {
        finish({ diagnostics: [], problem: `unexpected output from ${executable} (${(err as Error).message})` });
      }
    });
    // EPIPE when ShellCheck exits early is reported through 'error'/'close' above.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(text);
  });
}

/** Why ShellCheck is asked to run: opening and saving run it at once, typing after a short wait. */
export type ShellcheckTrigger = 'open' | 'save' | 'change';

export interface ShellcheckSchedulerOptions {
  /**
   * A fixed wait after a change in milliseconds; when unset the wait adapts: a quarter of the
   * duration of the last completed run, kept between `minDelayMs` and `maxDelayMs`.
   */
  delayMs?: number;
  /** Shortest adaptive wait (default 15 ms). */
  minDelayMs?: number;
  /** Longest adaptive wait (default 100 ms): keystroke → diagnostics stays near ShellCheck's own time. */
  maxDelayMs?: number;
  /** Passed to each run (default 30 s). */
  timeoutMs?: number;
}

interface DocumentRun {
  /** The waiting timer of a change, if any. */
  timer?: NodeJS.Timeout;
  /** The run in flight: its version and the handle that kills its process. */
  running?: { version: number; abort: AbortController };
  /** The version whose ShellCheck result was last delivered. */
  doneVersion?: number;
}

/**
 * Runs ShellCheck per document: at once on open and save; after a change, after a short wait
 * that adapts to how long ShellCheck takes here (a fast ShellCheck runs on almost every pause in
 * typing; a slow one, whose runs cost more when thrown away, waits a little longer, so the wait
 * is at most a quarter of the run it precedes and never more than 100 ms). A run
 * made stale by a newer version is killed at once (its process, by its handle), never awaited;
 * results reach `onResult` only for the version that was asked for last.
 */
export class ShellcheckScheduler {
  private readonly docs = new Map<string, DocumentRun>();
  private missingReported = new Set<string>();
  /** Duration of the last completed run (ms); undefined before the first. */
  private lastRunMs: number | undefined;
  private readonly opts: ShellcheckSchedulerOptions;

  constructor(
    private readonly onResult: (uri: string, version: number, diagnostics: Diagnostic[]) => void,
    private readonly log: (message: string) => void,
    options: ShellcheckSchedulerOptions | number = {},
  ) {
    this.opts = typeof options === 'number' ? { delayMs: options } : options;
  }

  /** The wait after a change that the next run would get (ms). */
  get changeDelayMs(): number {
    if (this.opts.delayMs !== undefined) return this.opts.delayMs;
    const min = this.opts.minDelayMs ?? 15;
    const max = this.opts.maxDelayMs ?? 100;
    const estimate = this.lastRunMs === undefined ? max / 2 : this.lastRunMs / 4;
    return Math.round(Math.min(max, Math.max(min, estimate)));
  }

  schedule(uri: string, version: number, text: string, executable: string | undefined, trigger: ShellcheckTrigger = 'change'): void {
    if (!executable) {
      this.cancel(uri);
      return;
    }
    const doc = this.docs.get(uri) ?? {};
    this.docs.set(uri, doc);
    if (doc.timer) clearTimeout(doc.timer);
    doc.timer = undefined;
    if (doc.running) {
      // Already checking this very text (e.g. a save right after the change): let it finish.
      if (doc.running.version === version) return;
      // Stale: kill it now rather than wait for an answer nobody wants.
      doc.running.abort.abort();
      doc.running = undefined;
    }
    if (trigger !== 'change') {
      if (trigger === 'save' && doc.doneVersion === version) return; // nothing changed since the last result
      this.start(uri, doc, version, text, executable);
      return;
    }
    doc.timer = setTimeout(() => {
      doc.timer = undefined;
      this.start(uri, doc, version, text, executable);
    }, this.changeDelayMs);
  }

  private start(uri: string, doc: DocumentRun, version: number, text: string, executable: string): void {
    const abort = new AbortController();
    doc.running = { version, abort };
    const t0 = performance.now();
    void runShellcheck(executable, text, { signal: abort.signal, timeoutMs: this.opts.timeoutMs }).then((result) => {
      if (abort.signal.aborted) return;
      if (doc.running?.abort === abort) doc.running = undefined;
      if (this.docs.get(uri) !== doc) return; // cancelled meanwhile
      doc.doneVersion = version;
      if (result.problem) {
        if (!result.missing || !this.missingReported.has(executable)) this.log(`shellcheck: ${result.problem}`);
        if (result.missing) this.missingReported.add(executable);
        // A missing or failing ShellCheck leaves our own diagnostics as they are.
        this.onResult(uri, version, result.diagnostics);
        return;
      }
      this.lastRunMs = performance.now() - t0;
      this.onResult(uri, version, result.diagnostics);
    });
  }

  cancel(uri: string): void {
    const doc = this.docs.get(uri);
    if (!doc) return;
    if (doc.timer) clearTimeout(doc.timer);
    doc.running?.abort.abort();
    this.docs.delete(uri);
  }

  /** Forgets that an executable was missing (e.g. after the setting changed). */
  resetMissing(): void {
    this.missingReported.clear();
  }

  dispose(): void {
    for (const uri of [...this.docs.keys()]) this.cancel(uri);
  }
}
