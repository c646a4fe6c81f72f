/**
 * Document symbols: one per directive (name and value), grouped under their heterogeneous
 * component when the script has several.
 */
import { SymbolKind } from 'vscode-languageserver';
import type { DocumentSymbol } from 'vscode-languageserver';
import type { ParsedScript, SbatchDirective } from '../core/sbatch/parse';
import type { Range } from '../core/sbatch/types';

function lineRange(parsed: ParsedScript, d: SbatchDirective): Range {
  const line = parsed.lines.find((l) => l.line === d.line);
  const start = d.keywordRange.start;
  const endLine = d.valueRange && d.valueRange.end.line > d.line ? d.valueRange.end : undefined;
  const end = endLine ?? { line: d.line, character: Math.max(line?.length ?? 0, d.valueRange?.end.character ?? d.nameRange.end.character) };
  return { start, end };
}

function directiveSymbol(parsed: ParsedScript, d: SbatchDirective): DocumentSymbol {
  const name = d.option ? `--${d.option.long}` : d.name;
  return {
    name: name || '(empty)',
    detail: d.value ?? '',
    kind: d.option?.arg === 'none' ? SymbolKind.Boolean : SymbolKind.Property,
    range: lineRange(parsed, d),
    selectionRange: d.nameRange,
    ...(d.option?.deprecated ? { tags: [1 /* SymbolTag.Deprecated */ as const] } : {}),
  };
}

function span(ranges: Range[]): Range {
  return { start: ranges[0].start, end: ranges[ranges.length - 1].end };
}

export function documentSymbols(parsed: ParsedScript): DocumentSymbol[] {
  const symbols = parsed.directives.map((d) => ({ d, s: directiveSymbol(parsed, d) }));
  if (parsed.componentCount <= 1) return symbols.map((x) => x.s);
  const groups: DocumentSymbol[] = [];
  for (let c = 0; c < parsed.componentCount; c++) {
    const children = symbols.filter((x) => x.d.component === c).map((x) => x.s);
    // The component's range runs from its first line (or its separator) to its last directive.
    const separator = parsed.lines.find((l) => l.separator && l.component === c);
    const ranges = [
      ...(separator ? [{ start: separator.keywordRange.start, end: { line: separator.line, character: separator.length } }] : []),
      ...children.map((s) => s.range),
    ].sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
    if (ranges.length === 0) continue;
    const range = span(ranges);
    groups.push({
      name: `hetjob component ${c}`,
      detail: `${children.length} directive${children.length === 1 ? '' : 's'}`,
      kind: SymbolKind.Namespace,
      range,
      selectionRange: ranges[0],
      children,
    });
  }
  return groups;
}
