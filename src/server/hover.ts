/**
 * Hover: the documentation of every option (syntax, description, environment variable,
 * deprecation), of every `%` filename pattern, and the request summary on the `#SBATCH` keyword.
 */
import { MarkupKind } from 'vscode-languageserver';
import type { Hover, Position } from 'vscode-languageserver';
import { FILENAME_PATTERNS, type SbatchOption } from '../core/sbatch/options';
import type { ParsedScript, SbatchDirective } from '../core/sbatch/parse';
import type { Range } from '../core/sbatch/types';

/** Markdown documentation of one option, as hover and completion show it. */
export function optionDocumentation(opt: SbatchOption): string {
  const forms: string[] = [];
  const value = opt.placeholder;
  if (opt.arg === 'none') {
    forms.push(`#SBATCH --${opt.long}`);
    if (opt.short) forms.push(`#SBATCH -${opt.short}`);
  } else if (opt.arg === 'optional') {
    forms.push(`#SBATCH --${opt.long}${value.startsWith('[') ? value : `[=${value}]`}`);
    if (opt.short) forms.push(`#SBATCH -${opt.short}${value.replace(/^\[=?/, '[')}`);
  } else {
    forms.push(`#SBATCH --${opt.long}=${value}`);
    if (opt.short) forms.push(`#SBATCH -${opt.short} ${value}`);
  }
  const parts = [
    `**--${opt.long}**${opt.short ? ` (-${opt.short})` : ''}`,
    '```sbatch\n' + forms.join('\n') + '\n```',
    opt.description,
  ];
  const facts: string[] = [];
  if (opt.env) facts.push(`Environment variable: \`${opt.env}\` (an \`#SBATCH\` line overrides it, the command line overrides both).`);
  if (opt.aliases?.length) facts.push(`Also accepted as ${opt.aliases.map((a) => `\`--${a}\``).join(', ')}.`);
  if (opt.since) facts.push(`Since Slurm ${opt.since}.`);
  if (opt.deprecated) {
    const d = opt.deprecated;
    facts.push(
      `**Deprecated**${d.since ? ` since Slurm ${d.since}` : ''}${d.replacement ? `: use \`--${d.replacement}\`` : ''}${d.note ? ` (${d.note})` : ''}.`,
    );
  }
  if (opt.removed) facts.push(`**Removed** in Slurm ${opt.removed}: sbatch of that version rejects it.`);
  if (opt.commandLineOnly) facts.push('Meaningful on the command line only, not in a script.');
  if (facts.length) parts.push(facts.join('\n\n'));
  return parts.join('\n\n');
}

function contains(r: Range | undefined, p: Position): boolean {
  if (!r) return false;
  if (p.line < r.start.line || p.line > r.end.line) return false;
  if (p.line === r.start.line && p.character < r.start.character) return false;
  if (p.line === r.end.line && p.character > r.end.character) return false;
  return true;
}

const FILENAME_OPTIONS = new Set(['output', 'error', 'input']);

/** The `%` pattern (with an optional width, e.g. %4a) around `character` of `lineText`. */
export function filenamePatternAt(lineText: string, character: number): { text: string; start: number; end: number; letter: string } | undefined {
  const re = /%(?:%|([0-9]*)([A-Za-z]))|\\\\/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(lineText))) {
    const start = m.index;
    const end = start + m[0].length;
    if (character >= start && character <= end) {
      const letter = m[0] === '\\\\' ? '\\\\' : m[0] === '%%' ? '%%' : `%${m[2]}`;
      return { text: m[0], start, end, letter };
    }
    if (start > character) break;
  }
  return undefined;
}

function filenamePatternHover(d: SbatchDirective, lineText: string, position: Position): Hover | undefined {
  if (!d.option || !FILENAME_OPTIONS.has(d.option.long) || !contains(d.valueRange, position)) return undefined;
  const at = filenamePatternAt(lineText, position.character);
  if (!at) return undefined;
  const known = FILENAME_PATTERNS.find((p) => p.pattern === at.letter);
  const width = /^%([0-9]+)/.exec(at.text)?.[1];
  const value = known
    ? `\`${at.text}\` — ${known.description}${width ? ` Zero-padded to ${width} digits.` : ''}`
    : `\`${at.text}\` is not a pattern sbatch knows: it is kept as written.`;
  return {
    contents: { kind: MarkupKind.Markdown, value },
    range: { start: { line: position.line, character: at.start }, end: { line: position.line, character: at.end } },
  };
}

/**
 * The hover at `position`. `lineText` is the text of that line; `summary` gives the request
 * summary (markdown) shown on a `#SBATCH` keyword.
 */
export function hoverAt(parsed: ParsedScript, lineText: string, position: Position, summary: () => string | undefined): Hover | null {
  const onLine = parsed.directives.filter((d) => d.line === position.line || d.valueRange?.start.line === position.line);
  for (const d of onLine) {
    if (contains(d.nameRange, position) && d.option) {
      return { contents: { kind: MarkupKind.Markdown, value: optionDocumentation(d.option) }, range: d.nameRange };
    }
    const pattern = filenamePatternHover(d, lineText, position);
    if (pattern) return pattern;
    if (contains(d.valueRange, position) && d.option) {
      return { contents: { kind: MarkupKind.Markdown, value: optionDocumentation(d.option) }, range: d.valueRange };
    }
  }
  const keyword = parsed.lines.find((l) => l.line === position.line);
  if (keyword && contains(keyword.keywordRange, position)) {
    const text = summary();
    if (text) return { contents: { kind: MarkupKind.Markdown, value: text }, range: keyword.keywordRange };
  }
  return null;
}
