/**
 * The sbatch linter: what sbatch would reject, what it silently ignores, and (with a cluster
 * snapshot) what the cluster can never run. Codes are documented in README.md. This file reads
 * the script as a whole; one directive: lintDirective.ts; a component's options together:
 * lintCombinations.ts; against a cluster snapshot: lintCluster.ts.
 */
import type { ClusterSnapshot } from '../cluster/snapshot';
import type { SbatchOption } from './options';
import { parseSbatchScript, type ParsedScript } from './parse';
import { summarizeRequest } from './summary';
import { range, type SbatchDiagnostic, type SbatchFix } from './types';
import { checkDirective } from './lintDirective';
import { checkCombinations, checkDuplicates, checkOutputDirs } from './lintCombinations';
import { checkCluster } from './lintCluster';

export interface LintOptions {
  cluster?: ClusterSnapshot;
  /**
   * Tells whether a directory exists, for --output/--error paths relative to the script's
   * directory. Return undefined when unknown. Without it, no path checks are made.
   */
  directoryExists?: (relativeDir: string) => boolean | undefined;
  /** Add the request summary as an information diagnostic on the first directive (default true). */
  summary?: boolean;
}

export function lintSbatch(text: string, options: LintOptions = {}): SbatchDiagnostic[] {
  const parsed = parseSbatchScript(text);
  return lintParsed(parsed, text, options);
}

export function lintParsed(parsed: ParsedScript, text: string, options: LintOptions = {}): SbatchDiagnostic[] {
  const out: SbatchDiagnostic[] = [...parsed.problems];
  checkScriptShape(parsed, text, out);
  checkIgnored(parsed, out);
  const cluster = options.cluster;
  const version = cluster?.slurmVersion;
  for (const d of parsed.directives) checkDirective(d, cluster, out);
  for (let c = 0; c < parsed.componentCount; c++) {
    checkDuplicates(parsed, c, out);
    checkCombinations(parsed, c, version, out);
    if (options.directoryExists) checkOutputDirs(parsed, c, options.directoryExists, version, out);
    if (cluster) checkCluster(parsed, c, cluster, out);
  }
  if (options.summary !== false) {
    const first = parsed.directives.find((d) => d.option);
    const summary = summarizeRequest(parsed);
    if (first && summary) {
      out.push({
        range: first.keywordRange,
        severity: 'information',
        code: 'request-summary',
        message: `Request: ${summary.text}${parsed.componentCount > 1 ? ` (component 0 of ${parsed.componentCount})` : ''}`,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function checkScriptShape(parsed: ParsedScript, text: string, out: SbatchDiagnostic[]): void {
  if (text.trim() === '') {
    out.push({ range: range(0, 0, 0), severity: 'error', code: 'empty-script', message: 'The script is empty; sbatch rejects it.' });
    return;
  }
  if (parsed.hasBOM) {
    out.push({
      range: range(0, 0, 1),
      severity: 'error',
      code: 'byte-order-mark',
      message: 'The file starts with a UTF-8 byte order mark: sbatch sees no "#!" line and rejects the script, and would read none of its directives. Save without BOM.',
      fixes: [{ title: 'Remove the byte order mark', edits: [{ range: range(0, 0, 1), newText: '' }], preferred: true }],
    });
  } else if (!parsed.shebang && !parsed.cellMagic) {
    out.push({
      range: range(0, 0, firstLineLength(text)),
      severity: 'error',
      code: 'missing-shebang',
      message: 'sbatch rejects scripts whose first line is not "#!" followed by an interpreter, e.g. #!/bin/bash.',
      fixes: [{ title: 'Insert #!/bin/bash', edits: [{ range: range(0, 0, 0), newText: '#!/bin/bash\n' }], preferred: true }],
    });
  }
  if (parsed.hasCRLF) {
    const line = lineOfFirstCR(text);
    out.push({
      range: range(line.line, line.column, line.column + 1),
      severity: 'error',
      code: 'dos-line-endings',
      message: 'The script has DOS line breaks (\\r\\n); sbatch rejects it. Convert it to Unix line endings (LF).',
    });
  }
  if (parsed.hasNul) {
    out.push({ range: range(0, 0, 0), severity: 'error', code: 'nul-character', message: 'The script contains a NUL character; Slurm refuses such scripts.' });
  }
}

function firstLineLength(text: string): number {
  const nl = text.indexOf('\n');
  return nl < 0 ? text.length : nl;
}

function lineOfFirstCR(text: string): { line: number; column: number } {
  const at = text.indexOf('\r\n');
  let line = 0;
  let last = -1;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i;
  }
  return { line, column: at - last - 1 };
}

function checkIgnored(parsed: ParsedScript, out: SbatchDiagnostic[]): void {
  for (const ig of parsed.ignored) {
    if (ig.kind === 'after-command' && parsed.hasBOM && parsed.firstCommandLine === 0) continue; // the BOM error says it all
    if (ig.kind === 'after-command') {
      const fixes: SbatchFix[] = [];
      if (parsed.firstCommandLine !== undefined) {
        const moved = ig.text.trimStart();
        fixes.push({
          title: 'Move the directive above the first command',
          preferred: true,
          edits: [
            { range: range(parsed.firstCommandLine, 0, 0), newText: moved + '\n' },
            { range: { start: { line: ig.line, character: 0 }, end: { line: ig.line + 1, character: 0 } }, newText: '' },
          ],
        });
      }
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'directive-after-command',
        message: `sbatch ignores this directive: directives are only read before the first command (line ${(parsed.firstCommandLine ?? 0) + 1}).`,
        fixes,
      });
    } else if (ig.kind === 'lookalike') {
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'misspelled-directive',
        message: `"${ig.marker}" is not a directive: sbatch only reads lines that start with exactly "#SBATCH", so this line is an ordinary comment.`,
        fixes: [{ title: 'Change to #SBATCH', edits: [{ range: ig.range, newText: '#SBATCH' }], preferred: true }],
      });
    } else if (ig.kind === 'indented') {
      out.push({
        range: ig.range,
        severity: 'warning',
        code: 'indented-directive',
        message: 'sbatch ignores an indented #SBATCH: the keyword must start in the first column.',
        fixes: [{ title: 'Remove the indentation', edits: [{ range: range(ig.line, 0, ig.range.end.character), newText: '#SBATCH' }], preferred: true }],
      });
    } else {
      out.push({
        range: ig.range,
        severity: 'hint',
        code: 'commented-directive',
        message: `"${ig.marker}" is commented out: sbatch does not read it.`,
        fixes: [{ title: 'Enable the directive', edits: [{ range: ig.range, newText: '#SBATCH' }] }],
      });
    }
  }
}

/** Re-exported for the server: the option a directive refers to. */
export type { SbatchOption };
