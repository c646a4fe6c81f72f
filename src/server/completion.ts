/**
 * Completion in `#SBATCH` lines: option names (long and short, with their value's syntax), and
 * values — the catalogue's enumerations, the cluster's partitions, QOS, accounts, gres, features
 * and nodes from the snapshot, and `%` patterns in --output/--error/--input.
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import type { CompletionItem, Position } from 'vscode-languageserver';
import type { ClusterSnapshot } from '../core/cluster/snapshot';
import { FILENAME_PATTERNS, OPTIONS, type SbatchOption } from '../core/sbatch/options';
import { cursorContext, DIRECTIVE_KEYWORD } from './cursor';
import { optionDocumentation } from './hover';

/** Characters after which clients should ask for completion. */
export const COMPLETION_TRIGGERS = ['-', '=', '%', ',', ':', ' '];

const FILENAME_OPTIONS = new Set(['output', 'error', 'input']);
const MAX_LINE = 10_000;

function rangeOn(line: number, start: number, end: number) {
  return { start: { line, character: start }, end: { line, character: end } };
}

function optionItems(prefix: string, line: number, start: number, end: number): CompletionItem[] {
  const items: CompletionItem[] = [];
  const range = rangeOn(line, start, end);
  const dashed = prefix.startsWith('-');
  const shortOnly = prefix.length === 2 && prefix[0] === '-' && prefix[1] !== '-';
  for (const opt of OPTIONS) {
    if (opt.commandLineOnly || opt.removed) continue;
    const valueHint = opt.arg === 'none' ? '' : opt.arg === 'optional' ? `[=${opt.placeholder.replace(/^\[=?|\]$/g, '')}]` : `=${opt.placeholder}`;
    // The documentation comes with completionItem/resolve: a list of every option stays small.
    const data: OptionItemData = { sbatchOption: opt.long };
    const tags = opt.deprecated ? [1 /* CompletionItemTag.Deprecated */ as const] : undefined;
    const sortGroup = opt.deprecated ? '2' : '1';
    if (!shortOnly) {
      const label = `--${opt.long}`;
      items.push({
        label,
        kind: CompletionItemKind.Property,
        detail: `${label}${valueHint}${opt.short ? `  (-${opt.short})` : ''}`,
        labelDetails: { detail: valueHint.length > 0 ? valueHint.slice(0, 40) : undefined, description: opt.short ? `-${opt.short}` : undefined },
        data,
        tags,
        sortText: `${sortGroup}${opt.long}`,
        filterText: dashed ? label : opt.long,
        textEdit: { range, newText: opt.arg === 'required' ? `${label}=` : label },
        // Values come next: ask for their completion right away.
        command: opt.arg === 'required' ? { title: 'values', command: 'editor.action.triggerSuggest' } : undefined,
      });
    }
    if (opt.short && (shortOnly || prefix === '-' || prefix === '')) {
      const label = `-${opt.short}`;
      items.push({
        label,
        kind: CompletionItemKind.Property,
        detail: `${label}${opt.arg === 'none' ? '' : ` ${opt.placeholder}`}  (--${opt.long})`,
        labelDetails: { description: `--${opt.long}` },
        data,
        tags,
        sortText: `0${opt.short}`,
        filterText: label,
        textEdit: { range, newText: opt.arg === 'required' ? `${label} ` : label },
      });
    }
  }
  return items;
}

/** What an option-name item carries until it is resolved. */
export interface OptionItemData {
  sbatchOption: string;
}

/** completionItem/resolve: adds the option's documentation. */
export function resolveCompletion(item: CompletionItem): CompletionItem {
  const name = (item.data as OptionItemData | undefined)?.sbatchOption;
  const opt = name ? OPTIONS.find((o) => o.long === name) : undefined;
  if (opt && !item.documentation) item.documentation = { kind: MarkupKind.Markdown, value: optionDocumentation(opt) };
  return item;
}

function valueItem(label: string, range: ReturnType<typeof rangeOn>, extra: Partial<CompletionItem> = {}): CompletionItem {
  return { label, kind: CompletionItemKind.Value, textEdit: { range, newText: label }, filterText: label, ...extra };
}

function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

function clusterValues(opt: SbatchOption, snapshot: ClusterSnapshot, range: ReturnType<typeof rangeOn>): CompletionItem[] {
  const source = `cluster ${snapshot.cluster}`;
  switch (opt.valueKind) {
    case 'partition':
      return snapshot.partitions.map((p) => {
        const limits = [
          p.isDefault ? 'default' : '',
          p.state && p.state !== 'up' ? p.state : '',
          `MaxTime ${p.maxTimeMinutes === null ? 'UNLIMITED' : formatMinutes(p.maxTimeMinutes)}`,
          `${p.totalNodes} nodes`,
          `${p.totalCpus} CPUs`,
          p.maxNodes !== null ? `MaxNodes ${p.maxNodes}` : '',
        ].filter(Boolean);
        return valueItem(p.name, range, {
          kind: CompletionItemKind.Enum,
          detail: limits.join(', '),
          labelDetails: { description: p.isDefault ? 'default' : undefined },
          documentation: `Partition of ${source}: ${limits.join(', ')}. Nodes: ${p.nodes.slice(0, 20).join(',')}${p.nodes.length > 20 ? ',…' : ''}`,
          sortText: `${p.isDefault ? '0' : '1'}${p.name}`,
        });
      });
    case 'qos':
      return (snapshot.qos ?? []).map((q) => valueItem(q, range, { kind: CompletionItemKind.Enum, detail: `QOS on ${source}` }));
    case 'account':
      return (snapshot.accounts ?? []).map((a) => valueItem(a, range, { kind: CompletionItemKind.Enum, detail: `account on ${source}` }));
    case 'gres': {
      const gres = snapshot.nodes.flatMap((n) => n.gres);
      const labels = unique(gres.flatMap((g) => (g.type ? [g.name, `${g.name}:${g.type}`] : [g.name])));
      return labels.map((l) => {
        const max = Math.max(0, ...gres.filter((g) => l === g.name || l === `${g.name}:${g.type}`).map((g) => g.count));
        return valueItem(l, range, { kind: CompletionItemKind.Enum, detail: `gres on ${source}, up to ${max} per node`, textEdit: { range, newText: `${l}:1` } });
      });
    }
    case 'gpuCount': {
      const types = unique(snapshot.nodes.flatMap((n) => n.gres.filter((g) => g.name === 'gpu' && g.type).map((g) => g.type as string)));
      return types.map((t) => valueItem(`${t}:`, range, { kind: CompletionItemKind.Enum, detail: `GPU type on ${source}`, textEdit: { range, newText: `${t}:1` } }));
    }
    case 'constraint':
    case 'featureList':
      return unique(snapshot.nodes.flatMap((n) => n.features)).sort().map((f) => valueItem(f, range, { kind: CompletionItemKind.Enum, detail: `node feature on ${source}` }));
    case 'nodelist':
      return snapshot.nodes.map((n) => valueItem(n.name, range, { kind: CompletionItemKind.Enum, detail: `${n.state}, ${n.cpus} CPUs, ${n.realMemoryMiB} MiB` }));
    case 'clusterList':
      return [valueItem(snapshot.cluster, range, { kind: CompletionItemKind.Enum, detail: 'the connected cluster' })];
    default:
      return [];
  }
}

function formatMinutes(min: number): string {
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  const m = min % 60;
  const hm = `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:00`;
  return d > 0 ? `${d}-${hm}` : hm;
}

function filenamePatternItems(line: number, lineText: string, valueStart: number, character: number): CompletionItem[] {
  // Replace a "%" (and a width like "%4") typed just before the cursor.
  const typed = lineText.slice(valueStart, character);
  const m = /%[0-9]*$/.exec(typed);
  const start = m ? character - m[0].length : character;
  const width = m ? m[0].slice(1) : '';
  const range = rangeOn(line, start, character);
  return FILENAME_PATTERNS.filter((p) => p.pattern.startsWith('%')).map((p) => {
    const text = width ? `%${width}${p.pattern.slice(1)}` : p.pattern;
    return {
      label: text,
      kind: CompletionItemKind.Constant,
      detail: p.description,
      documentation: { kind: MarkupKind.Markdown, value: `\`${p.pattern}\` in a file name: ${p.description}` },
      filterText: text,
      sortText: `0${p.pattern}`,
      textEdit: { range, newText: text },
    };
  });
}

/** Completion items at `position`, whose line holds `lineText` (without its line break). */
export function completionsAt(lineText: string, position: Position, snapshot?: ClusterSnapshot | null): CompletionItem[] {
  // Bounded work per keystroke: nobody completes inside a line this long.
  if (lineText.length > MAX_LINE) return [];
  const ctx = cursorContext(lineText, Math.min(position.character, lineText.length));
  switch (ctx.kind) {
    case 'none':
      return [];
    case 'keyword':
      return [
        {
          label: DIRECTIVE_KEYWORD,
          kind: CompletionItemKind.Keyword,
          detail: 'sbatch directive',
          documentation: 'A `#SBATCH` line gives sbatch options inside the script. sbatch reads them only at the start of a line and only before the first command.',
          textEdit: { range: rangeOn(position.line, ctx.start, ctx.end), newText: `${DIRECTIVE_KEYWORD} --\${1}` },
          insertTextFormat: InsertTextFormat.Snippet,
          command: { title: 'options', command: 'editor.action.triggerSuggest' },
        },
      ];
    case 'option':
      return optionItems(ctx.prefix, position.line, ctx.start, ctx.end);
    case 'value': {
      const { option } = ctx;
      const range = rangeOn(position.line, ctx.start, ctx.end);
      const items: CompletionItem[] = [];
      if (snapshot) items.push(...clusterValues(option, snapshot, range));
      for (const v of option.values ?? []) {
        items.push(valueItem(v, range, {
          kind: CompletionItemKind.EnumMember,
          detail: `--${option.long}`,
          sortText: `5${String(items.length).padStart(4, '0')}`,
          command: v.endsWith('=') || v.endsWith(':') ? { title: 'more', command: 'editor.action.triggerSuggest' } : undefined,
        }));
      }
      if (FILENAME_OPTIONS.has(option.long)) {
        items.push(...filenamePatternItems(position.line, lineText, ctx.valueStart, Math.min(position.character, lineText.length)));
      }
      return items;
    }
  }
}
