/**
 * Diagnostics and quick fixes: the core linter's diagnostics in LSP form (source `sbatch`),
 * its fixes as quick-fix code actions, and ShellCheck's suggested fixes plus a "disable this
 * check on this line" action for ShellCheck diagnostics.
 */
import { CodeActionKind, DiagnosticSeverity, DiagnosticTag } from 'vscode-languageserver';
import type { CodeAction, CodeActionContext, Diagnostic, Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { SbatchDiagnostic } from '../core/sbatch/types';
import type { ShellcheckFixData } from './shellcheck';

const SEVERITY: Record<SbatchDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** Codes whose directive has no effect: shown faded (Unnecessary). */
const UNNECESSARY = /^(directive-after-command|after-command|ignored-|commented-directive|indented-directive)/;
const DEPRECATED = /deprecated/;

export function toLspDiagnostic(d: SbatchDiagnostic): Diagnostic {
  const tags: DiagnosticTag[] = [];
  if (UNNECESSARY.test(d.code)) tags.push(DiagnosticTag.Unnecessary);
  if (DEPRECATED.test(d.code)) tags.push(DiagnosticTag.Deprecated);
  return {
    range: d.range,
    severity: SEVERITY[d.severity] ?? DiagnosticSeverity.Warning,
    code: d.code,
    source: 'sbatch',
    message: d.message,
    ...(tags.length ? { tags } : {}),
  };
}

function intersects(a: Range, b: Range): boolean {
  const before = (p: { line: number; character: number }, q: { line: number; character: number }) =>
    p.line < q.line || (p.line === q.line && p.character < q.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a.code === b.code && a.message === b.message && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character;
}

/** The code actions for `range` of `doc`. */
export function codeActionsFor(
  doc: TextDocument,
  ours: SbatchDiagnostic[],
  shellcheck: Diagnostic[],
  range: Range,
  context: CodeActionContext,
): CodeAction[] {
  if (context.only && !context.only.some((k) => k === CodeActionKind.QuickFix || k.startsWith(CodeActionKind.QuickFix + '.') || CodeActionKind.QuickFix.startsWith(k))) {
    return [];
  }
  const actions: CodeAction[] = [];
  for (const d of ours) {
    if (!d.fixes?.length || !intersects(d.range, range)) continue;
    const diagnostic = toLspDiagnostic(d);
    for (const fix of d.fixes) {
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: fix.preferred ?? d.fixes.length === 1,
        edit: { changes: { [doc.uri]: fix.edits.map((e) => ({ range: e.range, newText: e.newText })) } },
      });
    }
  }
  // ShellCheck: those we published (their fixes travel in `data`, which some clients drop).
  const requested = context.diagnostics.filter((d) => d.source === 'shellcheck');
  const candidates = shellcheck.filter((d) => intersects(d.range, range) && (requested.length === 0 || requested.some((r) => sameDiagnostic(r, d))));
  const disabled = new Set<string>();
  for (const d of candidates) {
    const fix = (d.data as ShellcheckFixData | undefined)?.shellcheckFix;
    if (fix?.length) {
      actions.push({
        title: `Apply ShellCheck's fix for ${d.code}`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: true,
        edit: { changes: { [doc.uri]: fix } },
      });
    }
    const key = `${d.range.start.line}:${d.code}`;
    if (disabled.has(key)) continue;
    disabled.add(key);
    const line = d.range.start.line;
    const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
    const indent = /^[ \t]*/.exec(text)?.[0] ?? '';
    actions.push({
      title: `Disable ShellCheck ${d.code} for this line`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      edit: { changes: { [doc.uri]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# shellcheck disable=${d.code}\n` }] } },
    });
  }
  return actions;
}
