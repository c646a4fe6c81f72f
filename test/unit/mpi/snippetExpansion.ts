/**
 * Expands a VS Code snippet body the way the editor does when the user accepts every default:
 * `${N:default}` → default (nested placeholders expanded), `$N`/`${N}` → the value of tabstop N,
 * `${N|a,b|}` → a, `$0` → nothing; `\$`, `\}` and `\\` are escapes. Used by the tests that run
 * each snippet under a real launcher.
 */

interface Node {
  text?: string;
  tabstop?: number;
  children?: Node[];
  choice?: string;
}

function parse(src: string, start: number, inPlaceholder: boolean): { nodes: Node[]; end: number } {
  const nodes: Node[] = [];
  let text = '';
  let i = start;
  const flush = (): void => {
    if (text) nodes.push({ text });
    text = '';
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && i + 1 < src.length && '$}\\'.includes(src[i + 1])) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (inPlaceholder && c === '}') {
      flush();
      return { nodes, end: i + 1 };
    }
    if (c === '$') {
      const simple = /^\$(\d+)/.exec(src.slice(i));
      if (simple) {
        flush();
        nodes.push({ tabstop: Number(simple[1]) });
        i += simple[0].length;
        continue;
      }
      const braced = /^\$\{(\d+)(:|\||\})/.exec(src.slice(i));
      if (braced) {
        flush();
        const n = Number(braced[1]);
        i += braced[0].length;
        if (braced[2] === '}') {
          nodes.push({ tabstop: n });
        } else if (braced[2] === '|') {
          const close = src.indexOf('|}', i);
          if (close < 0) throw new Error(`Unclosed choice in snippet at ${i}`);
          nodes.push({ tabstop: n, choice: src.slice(i, close).split(',')[0] });
          i = close + 2;
        } else {
          const inner = parse(src, i, true);
          nodes.push({ tabstop: n, children: inner.nodes });
          i = inner.end;
        }
        continue;
      }
    }
    text += c;
    i++;
  }
  if (inPlaceholder) throw new Error('Unclosed placeholder in snippet');
  flush();
  return { nodes, end: i };
}

export function expandSnippet(body: string | string[]): string {
  const src = Array.isArray(body) ? body.join('\n') : body;
  const { nodes } = parse(src, 0, false);
  const values = new Map<number, string>();
  const render = (list: Node[]): string =>
    list
      .map((n) => {
        if (n.text !== undefined) return n.text;
        if (n.choice !== undefined) {
          if (!values.has(n.tabstop!)) values.set(n.tabstop!, n.choice);
          return values.get(n.tabstop!)!;
        }
        if (n.children) {
          const v = render(n.children);
          if (!values.has(n.tabstop!)) values.set(n.tabstop!, v);
          return values.get(n.tabstop!)!;
        }
        return `\0${n.tabstop}\0`; // a mirror: filled in once every placeholder is known
      })
      .join('');
  const first = render(nodes);
  return first.replace(/\0(\d+)\0/g, (_, n: string) => values.get(Number(n)) ?? '');
}
