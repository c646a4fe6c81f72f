/**
 * Reads the #SBATCH directives of a batch script exactly as sbatch does (src/sbatch/opt.c):
 * - a directive line starts with "#SBATCH" in column 0 (case-sensitive, no indentation);
 * - directives are read until the first line that is neither blank nor a comment;
 * - within a line, arguments are separated by whitespace, '...' and "..." group characters,
 *   a backslash escapes the next character, an unquoted # starts a comment, an unmatched
 *   quote is fatal;
 * - all arguments of a component are handed to getopt_long together (so "--time" on one line
 *   and "10" on the next form one option), long names may be abbreviated to a unique prefix;
 * - a #SBATCH line whose first word is "hetjob" (or the older "packjob"), in any case, starts
 *   the next heterogeneous component and the rest of that line is ignored; the word anywhere
 *   else on a line is silently dropped (recorded against sbatch 22.05);
 * - "#SLURM" lines are still read as directives (sbatch complains but accepts them).
 * The words of a line: tokenize.ts; getopt over a component's words: getopt.ts; comment lines
 * that look like directives: lookalike.ts.
 */
import type { SbatchOption } from './options';
import { range, type Range, type SbatchDiagnostic } from './types';
import { CELL_MAGIC, isSpace, KEYWORD, LEGACY_KEYWORD, tokenizeDirectiveLine, type SbatchToken } from './tokenize';
import { flushComponent } from './getopt';
import { classifyComment } from './lookalike';

export interface SbatchDirective {
  /** Line of the option name. */
  line: number;
  /** Range of "#SBATCH" on that line. */
  keywordRange: Range;
  /** The option as written, e.g. "--time", "--part", "-t". */
  name: string;
  nameRange: Range;
  /** The option when sbatch knows it (also for an abbreviation or alias). */
  option?: SbatchOption;
  /** Value with quotes and escapes removed (undefined when none was given). */
  value?: string;
  valueRange?: Range;
  /** How the value was attached: --opt=value, --opt value, -nVALUE, -n VALUE, or no value. */
  valueStyle: 'equals' | 'separate' | 'attached' | 'none';
  /** Heterogeneous job component, 0-based. */
  component: number;
  /** True when written as a unique prefix of the long name (getopt accepts it). */
  abbreviated?: boolean;
}

export interface SbatchLine {
  line: number;
  keywordRange: Range;
  tokens: SbatchToken[];
  component: number;
  /** The line separates heterogeneous components (its first word is hetjob/packjob). */
  separator: boolean;
  /** Column where an unquoted trailing comment starts, if any. */
  commentStart?: number;
  /** Length of the line (without "\r"). */
  length: number;
}

export type IgnoredKind =
  /** A real #SBATCH line after the first command: sbatch never reads it. */
  | 'after-command'
  /** "#SBTACH", "# SBATCH", "#sbatch": not a directive although it looks like one. */
  | 'lookalike'
  /** "  #SBATCH": indented, so sbatch ignores it. */
  | 'indented'
  /** "##SBATCH": commented out on purpose (usually). */
  | 'commented';

export interface IgnoredDirective {
  kind: IgnoredKind;
  line: number;
  /** Range of the marker (e.g. "# SBATCH" or "#SBATCH"). */
  range: Range;
  /** The marker text as written. */
  marker: string;
  /** The whole line (without line break), for quick fixes that move or rewrite it. */
  text: string;
}

export interface ParsedScript {
  directives: SbatchDirective[];
  lines: SbatchLine[];
  /** Number of heterogeneous components (1 for an ordinary job). */
  componentCount: number;
  /** First line that is neither blank nor a comment (sbatch stops there); undefined if none. */
  firstCommandLine?: number;
  shebang?: { interpreter: string; range: Range };
  /**
   * The script is a notebook's `%%sbatch [options]` cell: line 0 is the magic (neither a command
   * nor a directive), the script starts on line 1, and a missing "#!" line is supplied at submission.
   */
  cellMagic?: Range;
  ignored: IgnoredDirective[];
  /** Errors sbatch reports while reading the directives (unknown option, missing value...). */
  problems: SbatchDiagnostic[];
  lineCount: number;
  hasCRLF: boolean;
  hasBOM: boolean;
  hasNul: boolean;
}

/** Parses a batch script's directives as sbatch reads them. Never throws. */
export function parseSbatchScript(text: string): ParsedScript {
  const result: ParsedScript = {
    directives: [],
    lines: [],
    componentCount: 1,
    ignored: [],
    problems: [],
    lineCount: 0,
    hasCRLF: false,
    hasBOM: text.charCodeAt(0) === 0xfeff,
    hasNul: false,
  };
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  let component = 0;
  // The argv of the current component: tokens with their line context.
  const pending: { token: SbatchToken; line: SbatchLine }[] = [];
  let headerDone = false;

  while (!headerDone) {
    let end = text.indexOf('\n', pos);
    if (end < 0) end = n;
    const lineText = text.slice(pos, end);
    const magicLine = lineNo === 0 && /^%%sbatch(\s|$)/.test(lineText);
    if (magicLine) {
      result.cellMagic = range(0, 0, CELL_MAGIC.length);
    } else if (lineNo === (result.cellMagic ? 1 : 0) && lineText.startsWith('#!')) {
      const body = lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText;
      result.shebang = { interpreter: body.slice(2).trim(), range: range(lineNo, 0, body.length) };
    }
    if (magicLine || lineText.startsWith(KEYWORD) || lineText.startsWith(LEGACY_KEYWORD)) {
      // The cell magic's options are sbatch options too (they override the #SBATCH lines); the script starts on the next line.
      component = readDirectiveLine(result, lineText, lineNo, component, pending);
    } else {
      // Blank or comment lines continue the header; anything else ends it.
      let i = 0;
      const len = lineText.length;
      while (i < len && isSpace(lineText.charCodeAt(i))) i++;
      if (i < len && lineText[i] !== '#') {
        headerDone = true;
        result.firstCommandLine = lineNo;
      } else if (i < len) {
        classifyComment(result, lineText, i, lineNo);
      }
    }
    if (headerDone) break;
    lineNo++;
    if (end >= n) break;
    pos = end + 1;
  }
  flushComponent(result, pending, component);
  if (headerDone) {
    // After the first command only real directives matter: jump between "#SBATCH" hits.
    let counted = pos;
    let hit = text.indexOf(KEYWORD, pos);
    while (hit >= 0) {
      lineNo += countNewlines(text, counted, hit);
      counted = hit;
      const lineStart = text.lastIndexOf('\n', hit - 1) + 1;
      let i = lineStart;
      while (i < hit && isSpace(text.charCodeAt(i))) i++;
      if (i === hit && lineNo !== result.firstCommandLine) {
        let lineEnd = text.indexOf('\n', hit);
        if (lineEnd < 0) lineEnd = n;
        const whole = text.slice(lineStart, lineEnd).replace(/\r$/, '');
        result.ignored.push({ kind: 'after-command', line: lineNo, range: range(lineNo, hit - lineStart, hit - lineStart + KEYWORD.length), marker: KEYWORD, text: whole });
      }
      hit = text.indexOf(KEYWORD, hit + KEYWORD.length);
    }
    lineNo += countNewlines(text, counted, n) + 1;
  }
  result.lineCount = lineNo;
  result.hasCRLF = text.indexOf('\r\n') >= 0;
  result.hasNul = text.indexOf('\0') >= 0;
  return result;
}

/** Reads one "#SBATCH" (or legacy "#SLURM") line; returns the (possibly incremented) component index. */
function readDirectiveLine(
  result: ParsedScript,
  lineText: string,
  lineNo: number,
  component: number,
  pending: { token: SbatchToken; line: SbatchLine }[],
): number {
  const clean = lineText.endsWith('\r') ? lineText.slice(0, -1) : lineText;
  const magic = lineNo === 0 && lineText.startsWith(CELL_MAGIC);
  const keywordLength = lineText.startsWith(KEYWORD) ? KEYWORD.length : magic ? CELL_MAGIC.length : LEGACY_KEYWORD.length;
  const tk = tokenizeDirectiveLine(lineText, keywordLength);
  const raw = (t: SbatchToken) => lineText.slice(t.start, t.end);
  const first = tk.tokens[0];
  // sbatch 22.05: a line whose first word is hetjob/packjob (any case, unquoted) separates
  // components, and the rest of that line is ignored; the word elsewhere is silently dropped.
  const separator = first !== undefined && HET_WORD.test(raw(first));
  if (separator) {
    flushComponent(result, pending, component);
    pending.length = 0;
    component++;
    result.componentCount = component + 1;
  }
  const sl: SbatchLine = {
    line: lineNo,
    keywordRange: range(lineNo, 0, keywordLength),
    tokens: tk.tokens,
    component,
    separator,
    length: clean.length,
    ...(tk.commentStart !== undefined ? { commentStart: tk.commentStart } : {}),
  };
  result.lines.push(sl);
  if (lineText.startsWith(LEGACY_KEYWORD)) {
    result.problems.push({
      range: sl.keywordRange,
      severity: 'warning',
      code: 'legacy-keyword',
      message: 'sbatch still reads "#SLURM" lines but prints an error asking to change them to "#SBATCH".',
      fixes: [{ title: 'Change to #SBATCH', edits: [{ range: sl.keywordRange, newText: KEYWORD }], preferred: true }],
    });
  }
  if (separator) {
    if (/^packjob$/i.test(raw(first))) {
      result.problems.push({
        range: range(lineNo, first.start, first.end),
        severity: 'warning',
        code: 'deprecated-option',
        message: 'The "packjob" separator is deprecated; use "hetjob".',
        fixes: [{ title: 'Change to hetjob', edits: [{ range: range(lineNo, first.start, first.end), newText: 'hetjob' }], preferred: true }],
      });
    }
    if (tk.tokens.length > 1) {
      const last = tk.tokens[tk.tokens.length - 1];
      result.problems.push({
        range: range(lineNo, tk.tokens[1].start, last.end),
        severity: 'warning',
        code: 'hetjob-in-line',
        message: `sbatch ignores everything after "${raw(first)}" on a separator line; put these options on their own #SBATCH line below it.`,
      });
    }
  }
  if (tk.unmatched) {
    result.problems.push({
      range: range(lineNo, tk.unmatched.column, clean.length),
      severity: 'error',
      code: 'unmatched-quote',
      message: `Unmatched ${tk.unmatched.quote}: sbatch stops with "Unmatched \`${tk.unmatched.quote}\`".`,
    });
  }
  if (tk.emptyWordAt !== undefined) {
    result.problems.push({
      range: range(lineNo, tk.emptyWordAt, clean.length),
      severity: 'warning',
      code: 'empty-word',
      message: 'sbatch stops reading a line at an empty quoted word (""); the rest of this line is ignored.',
    });
  }
  if (tk.leadingColon !== undefined) {
    result.problems.push({
      range: range(lineNo, tk.leadingColon, tk.leadingColon + 1),
      severity: 'error',
      code: 'unexpected-colon',
      message: 'An argument starting with ":" is fatal for sbatch ("Unexpected `:`"). Separate heterogeneous components with "#SBATCH hetjob".',
    });
  }
  if (!separator) {
    for (const token of tk.tokens) {
      if (HET_WORD.test(raw(token))) {
        result.problems.push({
          range: range(lineNo, token.start, token.end),
          severity: 'warning',
          code: 'hetjob-in-line',
          message: `sbatch silently drops "${raw(token)}" here: only a line starting with it separates heterogeneous components.`,
        });
        continue;
      }
      pending.push({ token, line: sl });
    }
  }
  return component;
}

const HET_WORD = /^(hetjob|packjob)$/i;

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let i = text.indexOf('\n', from);
  while (i >= 0 && i < to) {
    count++;
    i = text.indexOf('\n', i + 1);
  }
  return count;
}
