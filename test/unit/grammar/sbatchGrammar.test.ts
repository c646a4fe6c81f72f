/**
 * Tokenizes scripts with the real TextMate engine (vscode-textmate + oniguruma) and checks the
 * scopes of `#SBATCH` lines and of the embedded shell. The shell grammar is VS Code's own
 * (shellscript extension, from the code-server install in .cache) when present, else a stub.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as vsctm from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '../../../..');
const SBATCH_GRAMMAR = path.join(ROOT, 'syntaxes/sbatch.tmLanguage.json');
const VSCODE_SHELL_GRAMMAR = path.join(
  ROOT,
  '.cache/code-server/node_modules/code-server/lib/vscode/extensions/shellscript/syntaxes/shell-unix-bash.tmLanguage.json',
);
const realShell = fs.existsSync(VSCODE_SHELL_GRAMMAR);

// Only used when VS Code's grammar is not installed: comments and shebang, like the real one.
const STUB_SHELL = {
  scopeName: 'source.shell',
  patterns: [
    {
      match: '(?:^|[ \\t]+)(#!.*|(#).*)',
      captures: { 1: { name: 'comment.line.number-sign.shell' }, 2: { name: 'punctuation.definition.comment.shell' } },
    },
  ],
};

let grammar: vsctm.IGrammar;

before(async () => {
  const wasm = fs.readFileSync(path.join(ROOT, 'node_modules/vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (sources: string[]) => new oniguruma.OnigScanner(sources),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName === 'source.sbatch') {
        return vsctm.parseRawGrammar(fs.readFileSync(SBATCH_GRAMMAR, 'utf8'), SBATCH_GRAMMAR);
      }
      if (scopeName === 'source.shell') {
        if (realShell) return vsctm.parseRawGrammar(fs.readFileSync(VSCODE_SHELL_GRAMMAR, 'utf8'), VSCODE_SHELL_GRAMMAR);
        return vsctm.parseRawGrammar(JSON.stringify(STUB_SHELL), 'stub-shell.json');
      }
      return null;
    },
  });
  const g = await registry.loadGrammar('source.sbatch');
  assert.ok(g, 'source.sbatch grammar loads');
  grammar = g;
});

interface Token {
  text: string;
  scopes: string[];
}

function tokenize(text: string): Token[][] {
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The scopes of the first token on `line` whose text is exactly `text`. */
function scopesOf(line: Token[], text: string): string[] {
  const t = line.find((tok) => tok.text === text);
  assert.ok(t, `no token ${JSON.stringify(text)} in ${JSON.stringify(line.map((x) => x.text))}`);
  return t.scopes;
}

function hasScope(scopes: string[], prefix: string): boolean {
  return scopes.some((s) => s === prefix || s.startsWith(prefix + '.'));
}

test('the grammar file declares source.sbatch and embeds source.shell', () => {
  const raw = JSON.parse(fs.readFileSync(SBATCH_GRAMMAR, 'utf8')) as { scopeName: string; patterns: { patterns: { include: string }[] }[] };
  assert.equal(raw.scopeName, 'source.sbatch');
  assert.ok(raw.patterns[0].patterns.some((p) => p.include === 'source.shell'));
});

test('every line is inside meta.embedded.block.shell (the embedded language of package.json)', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { grammars: { scopeName: string; embeddedLanguages?: Record<string, string> }[] };
  };
  const embedded = pkg.contributes.grammars.find((g) => g.scopeName === 'source.sbatch')?.embeddedLanguages ?? {};
  assert.equal(embedded['meta.embedded.block.shell'], 'shellscript');
  const lines = tokenize('#!/bin/bash\n#SBATCH -n 2\ncat <<EOF\n#SBATCH --not-a-directive\nEOF\necho done\n');
  for (const line of lines) for (const t of line) assert.ok(t.scopes.includes('meta.embedded.block.shell'), JSON.stringify(t));
});

test('a heredoc in the body stays a heredoc across lines', { skip: !realShell && 'needs the real shell grammar' }, () => {
  const lines = tokenize('#!/bin/bash\n#SBATCH -n 2\ncat <<EOF\n#SBATCH --not-a-directive\nEOF\necho done\n');
  assert.ok(lines[3].every((t) => !hasScope(t.scopes, 'meta.directive.sbatch')), JSON.stringify(lines[3]));
  assert.ok(lines[3].some((t) => t.scopes.some((s) => s.includes('heredoc'))), JSON.stringify(lines[3]));
});

test('a long option with = : keyword, option name, operator, value', () => {
  const [line] = tokenize('#SBATCH --time=01:00:00');
  assert.ok(hasScope(scopesOf(line, '#SBATCH'), 'keyword.control.directive.sbatch'));
  assert.ok(hasScope(scopesOf(line, 'time'), 'variable.parameter.option.sbatch'));
  assert.ok(hasScope(scopesOf(line, '--'), 'punctuation.definition.option.sbatch'));
  assert.ok(hasScope(scopesOf(line, '='), 'keyword.operator.assignment.sbatch'));
  assert.ok(hasScope(scopesOf(line, '01:00:00'), 'string.unquoted.value.sbatch'));
  for (const t of line) assert.ok(hasScope(t.scopes, 'meta.directive.sbatch'), `${t.text} is inside the directive`);
});

test('short options with glued and separate values', () => {
  const [glued, spaced] = tokenize('#SBATCH -n4\n#SBATCH -N 2-4');
  assert.ok(hasScope(scopesOf(glued, 'n'), 'variable.parameter.option.sbatch'));
  assert.ok(hasScope(scopesOf(glued, '4'), 'string.unquoted.value.sbatch'));
  assert.ok(hasScope(scopesOf(spaced, 'N'), 'variable.parameter.option.sbatch'));
  assert.ok(hasScope(scopesOf(spaced, '2-4'), 'string.unquoted.value.sbatch'));
});

test('a trailing comment after an unquoted #, but not a # inside quotes', () => {
  const [line] = tokenize('#SBATCH --job-name="a # b" # the name');
  const quoted = line.filter((t) => hasScope(t.scopes, 'string.quoted.double.sbatch')).map((t) => t.text).join('');
  assert.equal(quoted, '"a # b"');
  const comment = line.filter((t) => hasScope(t.scopes, 'comment.line.number-sign.sbatch')).map((t) => t.text).join('');
  assert.equal(comment, '# the name');
});

test('filename patterns inside output paths', () => {
  const [line] = tokenize('#SBATCH --output=logs/%x-%A_%4a.out');
  assert.ok(hasScope(scopesOf(line, '%x'), 'constant.other.placeholder.sbatch'));
  assert.ok(hasScope(scopesOf(line, '%A'), 'constant.other.placeholder.sbatch'));
  assert.ok(hasScope(scopesOf(line, '%4a'), 'constant.other.placeholder.sbatch'));
});

test('hetjob separators are keywords', () => {
  const [line] = tokenize('#SBATCH hetjob');
  assert.ok(hasScope(scopesOf(line, 'hetjob'), 'keyword.control.hetjob.sbatch'));
});

test('lookalikes are plain shell comments, not directives', () => {
  const lines = tokenize('# SBATCH --time=5\n  #SBATCH --time=5\n#SBATCHX --time=5');
  for (const line of lines) {
    assert.ok(!line.some((t) => hasScope(t.scopes, 'meta.directive.sbatch')), JSON.stringify(line));
    assert.ok(line.some((t) => hasScope(t.scopes, 'comment.line.number-sign.shell')), JSON.stringify(line));
  }
});

test('the shebang and the body are shell', () => {
  const lines = tokenize('#!/bin/bash\n#SBATCH -n 2\nsrun hostname\n');
  assert.ok(lines[0].every((t) => !hasScope(t.scopes, 'meta.directive.sbatch')));
  assert.ok(lines[0].some((t) => hasScope(t.scopes, 'comment.line.number-sign.shell')));
  assert.ok(lines[2].every((t) => !hasScope(t.scopes, 'meta.directive.sbatch')));
  if (realShell) {
    // VS Code's grammar knows commands; the stub does not.
    assert.ok(lines[2].some((t) => t.scopes.some((s) => s.endsWith('.shell') && s !== 'source.shell')), JSON.stringify(lines[2]));
  }
});

test('an unterminated quote ends with the line', () => {
  const [a, b] = tokenize('#SBATCH --job-name="oops\n#SBATCH -n 2');
  assert.ok(a.some((t) => hasScope(t.scopes, 'string.quoted.double.sbatch')));
  assert.ok(hasScope(scopesOf(b, 'n'), 'variable.parameter.option.sbatch'));
});

test('uses the real VS Code shell grammar when installed', { skip: !realShell && 'code-server not installed in .cache' }, () => {
  assert.ok(realShell);
});
