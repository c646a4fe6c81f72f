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

/**
 * Debounces ShellCheck per document: `schedule` restarts the document's timer; a newer request
 * cancels the run in flight. Results reach `onResult` only for the latest request.
 */
export class ShellcheckScheduler {
  private readonly pending = new Map<string, { timer: NodeJS.Timeout; abort: AbortController }>();
  private missingReported = new Set<string>();

  constructor(
    private readonly onResult: (uri: string, version: number, diagnostics: Diagnostic[]) => void,
    private readonly log: (message: string) => void,
    public delayMs = 500,
  ) {}

  schedule(uri: string, version: number, text: string, executable: string | undefined): void {
    this.cancel(uri);
    if (!executable) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      void runShellcheck(executable, text, { signal: abort.signal }).then((result) => {
        if (abort.signal.aborted) return;
        this.pending.delete(uri);
        if (result.problem) {
          if (!result.missing || !this.missingReported.has(executable)) this.log(`shellcheck: ${result.problem}`);
          if (result.missing) this.missingReported.add(executable);
          // A missing or failing ShellCheck leaves our own diagnostics as they are.
          if (result.diagnostics.length === 0) {
            this.onResult(uri, version, []);
            return;
          }
        }
        this.onResult(uri, version, result.diagnostics);
      });
    }, this.delayMs);
    this.pending.set(uri, { timer, abort });
  }

  cancel(uri: string): void {
    const p = this.pending.get(uri);
    if (!p) return;
    clearTimeout(p.timer);
    p.abort.abort();
    this.pending.delete(uri);
  }

  /** Forgets that an executable was missing (e.g. after the setting changed). */
  resetMissing(): void {
    this.missingReported.clear();
  }

  dispose(): void {
    for (const uri of [...this.pending.keys()]) this.cancel(uri);
  }
}
