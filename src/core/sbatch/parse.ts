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
 */
import { findOption, optionArgKinds, resolveLongOption, type SbatchOption } from './options';
import { range, type Range, type SbatchDiagnostic } from './types';
import { editDistance, foreignOptionTool, suggestOptionNames } from './suggest';

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

export interface SbatchToken {
  /** Text as sbatch sees it (quotes and backslashes removed). */
  text: string;
  start: number;
  end: number;
  /**
   * Where the characters of `text` come from: pairs [textIndex, rawColumn], one per run of
   * characters that are contiguous in the line (see `tokenColumn`).
   */
  segments: number[];
}

/** Raw column of character `index` of a token's text (`token.end` past the end). */
export function tokenColumn(token: SbatchToken, index: number): number {
  if (index >= token.text.length) return token.end;
  const seg = token.segments;
  let k = 0;
  while (k + 2 < seg.length && seg[k + 2] <= index) k += 2;
  return seg[k + 1] + (index - seg[k]);
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

/** C isspace() for the bytes sbatch sees. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

interface TokenizeResult {
  tokens: SbatchToken[];
  commentStart?: number;
  unmatched?: { quote: string; column: number };
  leadingColon?: number;
  /** Column of a "" word: sbatch ignores it and the rest of the line. */
  emptyWordAt?: number;
}

/** Splits the part of a #SBATCH line after the keyword into arguments, like _get_argument. */
export function tokenizeDirectiveLine(line: string, from: number): TokenizeResult {
  const tokens: SbatchToken[] = [];
  let p = from;
  const n = line.length;
  for (;;) {
    while (p < n && isSpace(line.charCodeAt(p))) p++;
    if (p >= n) return { tokens };
    if (line.charCodeAt(p) === 58 /* : */) return { tokens, leadingColon: p };
    const start = p;
    // The text is assembled from runs of raw characters (no per-character concatenation).
    const parts: string[] = [];
    const segments: number[] = [];
    let length = 0;
    let runStart = p;
    const closeRun = (end: number) => {
      if (end > runStart) {
        segments.push(length, runStart);
        parts.push(line.slice(runStart, end));
        length += end - runStart;
      }
    };
    let quote = 0;
    let quoteAt = -1;
    let comment = false;
    while (p < n && (quote !== 0 || !isSpace(line.charCodeAt(p)))) {
      const ch = line.charCodeAt(p);
      if (ch === 92 /* \\ */) {
        // The backslash disappears and the next character is taken literally.
        closeRun(p);
        p++;
        runStart = p;
        if (p < n && (quote !== 0 || !isSpace(line.charCodeAt(p)))) p++;
        continue;
      }
      if (quote !== 0) {
        if (ch === quote) {
          closeRun(p);
          quote = 0;
          p++;
          runStart = p;
          continue;
        }
      } else if (ch === 34 || ch === 39 /* " ' */) {
        closeRun(p);
        quote = ch;
        quoteAt = p;
        p++;
        runStart = p;
        continue;
      } else if (ch === 35 /* # */) {
        comment = true;
        break;
      }
      p++;
    }
    closeRun(p);
    const text = parts.length === 1 ? parts[0] : parts.join('');
    if (quote !== 0) {
      // sbatch stops here; keep the partial word so that the option before it has a value.
      tokens.push({ text, start, end: p, segments });
      return { tokens, unmatched: { quote: String.fromCharCode(quote), column: quoteAt } };
    }
    // A word of nothing but quotes ("") yields no argument, and sbatch then stops reading the line.
    if (text === '' && p > start) return { tokens, emptyWordAt: start };
    if (p > start) tokens.push({ text, start, end: p, segments });
    if (comment) return { tokens, commentStart: p };
  }
}

const KEYWORD = '#SBATCH';
const CELL_MAGIC = '%%sbatch';
const LEGACY_KEYWORD = '#SLURM';

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

const SBATCH_UPPER = 'SBATCH';

/** Looks at a comment line in the header for things that resemble a directive. */
function classifyComment(result: ParsedScript, lineText: string, hashAt: number, lineNo: number): void {
  if (lineText.startsWith('#!') && lineNo === 0) return;
  // Indented real keyword.
  if (hashAt > 0 && lineText.startsWith(KEYWORD, hashAt)) {
    result.ignored.push({ kind: 'indented', line: lineNo, range: range(lineNo, 0, hashAt + KEYWORD.length), marker: lineText.slice(0, hashAt + KEYWORD.length), text: lineText.replace(/\r$/, '') });
    return;
  }
  let p = hashAt;
  let hashes = 0;
  while (p < lineText.length && lineText[p] === '#') {
    p++;
    hashes++;
  }
  let q = p;
  while (q < lineText.length && (lineText[q] === ' ' || lineText[q] === '\t')) q++;
  let w = q;
  while (w < lineText.length && /[A-Za-z]/.test(lineText[w])) w++;
  const word = lineText.slice(q, w);
  if (word.length < 4 || word.length > 8) return;
  const upper = word.toUpperCase();
  // Only when followed by an option-like argument or end of line, to avoid prose ("# Sbatch script for...").
  const rest = lineText.slice(w).trimStart();
  const optionLike = rest === '' || rest === '\r' || rest.startsWith('-');
  if (!optionLike) return;
  if (upper === SBATCH_UPPER || (editDistance(upper, SBATCH_UPPER) <= 1 && upper.startsWith('SB')) || isTransposition(upper, SBATCH_UPPER)) {
    if (hashes >= 2 && q === p && word === SBATCH_UPPER) {
      result.ignored.push({ kind: 'commented', line: lineNo, range: range(lineNo, hashAt, w), marker: lineText.slice(hashAt, w), text: lineText.replace(/\r$/, '') });
      return;
    }
    if (hashes === 1 && q === p && word === SBATCH_UPPER) return; // cannot happen (real keyword)
    result.ignored.push({ kind: 'lookalike', line: lineNo, range: range(lineNo, hashAt, w), marker: lineText.slice(hashAt, w), text: lineText.replace(/\r$/, '') });
  }
}

function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = -1;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (diff >= 0) return i === diff + 1 && a[diff] === b[i] && a[i] === b[diff] && a.slice(i + 1) === b.slice(i + 1);
      diff = i;
    }
  }
  return false;
}

function tokenRange(line: SbatchLine, t: SbatchToken, from = 0, to?: number): Range {
  const e = to === undefined ? t.end : tokenColumn(t, to);
  return range(line.line, tokenColumn(t, from), e);
}

/** Runs getopt_long's logic over one component's arguments and records the directives. */
function flushComponent(result: ParsedScript, args: { token: SbatchToken; line: SbatchLine }[], component: number): void {
  let i = 0;
  while (i < args.length) {
    const { token, line } = args[i];
    const t = token.text;
    if (t === '--') {
      // getopt stops here; whatever follows is not an option.
      i++;
      if (i < args.length) {
        const next = args[i];
        result.problems.push({
          range: range(next.line.line, next.token.start, next.token.end),
          severity: 'error',
          code: 'invalid-directive',
          message: `sbatch rejects the script: "${next.token.text}" after "--" is not an option ("Invalid directive found in batch script").`,
        });
      }
      return;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const name = eq >= 0 ? t.slice(2, eq) : t.slice(2);
      const nameRange = tokenRange(line, token, 0, eq >= 0 ? eq : undefined);
      const res = resolveLongOption(name);
      if (res.kind === 'unknown' || res.kind === 'ambiguous') {
        if (res.kind === 'ambiguous') {
          result.problems.push({
            range: nameRange,
            severity: 'error',
            code: 'ambiguous-option',
            message: `"--${name}" is ambiguous for sbatch: it could be ${res.candidates.map((c) => '--' + c).join(', ')}.`,
            fixes: res.candidates.slice(0, 4).map((c) => ({ title: `Change to --${c}`, edits: [{ range: nameRange, newText: '--' + c }] })),
          });
        } else {
          result.problems.push(unknownOption('--' + name, nameRange, suggestOptionNames(name)));
        }
        i++;
        // A separate value ("--tmie 10") would be misread as another argument: skip a non-option.
        if (eq < 0 && i < args.length && !args[i].token.text.startsWith('-')) i++;
        continue;
      }
      const option = res.option;
      const d: SbatchDirective = {
        line: line.line,
        keywordRange: line.keywordRange,
        name: '--' + name,
        nameRange,
        option,
        valueStyle: 'none',
        component,
        ...(res.kind === 'prefix' ? { abbreviated: true } : {}),
      };
      if (eq >= 0) {
        d.value = t.slice(eq + 1);
        d.valueStyle = 'equals';
        d.valueRange = range(line.line, tokenColumn(token, eq) + 1, token.end);
        // A value only where no supported version takes one (else the linter decides per version).
        if (optionArgKinds(option).every((k) => k === 'none')) {
          result.problems.push({
            range: range(line.line, tokenColumn(token, eq), token.end),
            severity: 'error',
            code: 'unexpected-value',
            message: `--${option.long} takes no value; sbatch rejects "${t}".`,
            fixes: [{ title: `Remove the value`, edits: [{ range: range(line.line, tokenColumn(token, eq), token.end), newText: '' }] }],
          });
        }
        i++;
      } else if (option.arg === 'required') {
        if (i + 1 < args.length) {
          const v = args[i + 1];
          d.value = v.token.text;
          d.valueStyle = 'separate';
          d.valueRange = range(v.line.line, v.token.start, v.token.end);
          explainBorrowedValue(result, d, option, args, i + 1);
          i += 2;
        } else {
          result.problems.push({
            range: nameRange,
            severity: 'error',
            code: 'missing-value',
            message: `--${option.long} needs a value (${option.placeholder}).`,
          });
          i++;
        }
      } else {
        i++;
      }
      result.directives.push(d);
      continue;
    }
    if (t.startsWith('-') && t.length > 1) {
      // A cluster of short options: -vH, -n4, -n 4.
      let k = 1;
      let consumedNext = false;
      while (k < t.length) {
        const letter = t[k];
        const option = findOption(letter);
        const nameRange = tokenRange(line, token, k - (k === 1 ? 1 : 0), k + 1);
        if (!option || !option.short) {
          result.problems.push(unknownOption('-' + letter, nameRange, suggestOptionNames(letter)));
          // "-y 5": do not report the value as a second problem.
          if (k === t.length - 1 && i + 1 < args.length && !args[i + 1].token.text.startsWith('-')) consumedNext = true;
          break;
        }
        const d: SbatchDirective = {
          line: line.line,
          keywordRange: line.keywordRange,
          name: '-' + letter,
          nameRange,
          option,
          valueStyle: 'none',
          component,
        };
        if (option.arg === 'required') {
          if (k + 1 < t.length) {
            d.value = t.slice(k + 1);
            d.valueStyle = 'attached';
            d.valueRange = tokenRange(line, token, k + 1);
          } else if (i + 1 < args.length) {
            const v = args[i + 1];
            d.value = v.token.text;
            d.valueStyle = 'separate';
            d.valueRange = range(v.line.line, v.token.start, v.token.end);
            explainBorrowedValue(result, d, option, args, i + 1);
            consumedNext = true;
          } else {
            result.problems.push({
              range: nameRange,
              severity: 'error',
              code: 'missing-value',
              message: `-${letter} (--${option.long}) needs a value (${option.placeholder}).`,
            });
          }
          result.directives.push(d);
          break;
        }
        result.directives.push(d);
        k++;
      }
      i += consumedNext ? 2 : 1;
      continue;
    }
    // A non-option argument: getopt stops ('+' in sbatch's option string) and sbatch exits.
    result.problems.push({
      range: range(line.line, token.start, token.end),
      severity: 'error',
      code: 'invalid-directive',
      message: `"${t}" is not an option: sbatch rejects the script ("Invalid directive found in batch script"). Values of options that take an optional value must be attached with "=".`,
    });
    i++;
  }
}

/**
 * An option that needs a value and has none on its own line takes the next argument, even when
 * that looks like an option on a later line (`#SBATCH --job-name` then `#SBATCH -t 5`: the job
 * is named "-t", and "5" is then a stray word). Said on the option's own line, where the mistake is.
 */
function explainBorrowedValue(
  result: ParsedScript,
  d: SbatchDirective,
  option: SbatchOption,
  args: { token: SbatchToken; line: SbatchLine }[],
  at: number,
): void {
  const v = args[at];
  if (v.line.line === d.line || !v.token.text.startsWith('-') || v.token.text.length < 2) return;
  const next = args[at + 1];
  const stray = next && !next.token.text.startsWith('-') ? next.token.text : undefined;
  result.problems.push({
    range: d.nameRange,
    severity: 'warning',
    code: 'value-looks-like-option',
    message:
      `${d.name} has no value on this line, so sbatch takes "${v.token.text}" from line ${v.line.line + 1} as its value` +
      (option.long === 'job-name' ? ` (the job is named "${v.token.text}")` : '') +
      (stray !== undefined ? ` and then finds "${stray}" as a stray word` : ` instead of reading it as an option`) +
      `. Give ${d.name} its value (${option.placeholder}).`,
  });
}

function unknownOption(written: string, r: Range, suggestions: string[]): SbatchDiagnostic {
  const tool = written.startsWith('--') ? foreignOptionTool(written.slice(2)) : undefined;
  const tip = suggestions.length ? ` Did you mean ${suggestions.map((s) => (s.length === 1 ? '-' : '--') + s).join(' or ')}?` : '';
  return {
    range: r,
    severity: 'error',
    code: 'unknown-option',
    message: tool
      ? `"${written}" is an option of ${tool}, not of sbatch: pass it to the ${tool} command inside the script.${tip}`
      : `sbatch has no option "${written}".${tip}`,
    fixes: suggestions.map((s, idx) => ({
      title: `Change to ${(s.length === 1 ? '-' : '--') + s}`,
      edits: [{ range: r, newText: (s.length === 1 ? '-' : '--') + s }],
      ...(idx === 0 ? { preferred: true } : {}),
    })),
  };
}
