/**
 * The job-template snippets (snippets/sbatch.code-snippets): each one, expanded with its
 * default placeholders the way VS Code inserts it, is a script our linter accepts without
 * errors, and ShellCheck (when installed) finds nothing above "info" in it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintSbatch, parseSbatchScript } from '../../../src/core/sbatch';

const ROOT = path.resolve(__dirname, '../../../..');
const snippets = JSON.parse(fs.readFileSync(path.join(ROOT, 'snippets/sbatch.code-snippets'), 'utf8')) as Record<
  string,
  { prefix: string | string[]; body: string | string[]; description: string }
>;

/**
 * Expands VS Code snippet syntax with defaults: `${1:default}` → default (nested too),
 * `${1|a,b|}` → a, `$1`/`${1}` → '', `${TM_FILENAME_BASE:x}` → x, and the escapes \$ \} \\.
 */
export function expandSnippet(body: string, variables: Record<string, string> = {}): string {
  let i = 0;
  const parse = (stopAt: string): string => {
    let out = '';
    while (i < body.length) {
      const ch = body[i];
      if (ch === '\\' && i + 1 < body.length && '$}\\,|'.includes(body[i + 1])) {
        out += body[i + 1];
        i += 2;
      } else if (stopAt.includes(ch)) {
        return out;
      } else if (ch === '$') {
        out += placeholder();
      } else {
        out += ch;
        i++;
      }
    }
    return out;
  };
  const placeholder = (): string => {
    i++; // $
    if (body[i] !== '{') {
      const m = /^([0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(body.slice(i));
      if (!m) return '$';
      i += m[0].length;
      return /^[0-9]/.test(m[0]) ? '' : (variables[m[0]] ?? '');
    }
    i++; // {
    const m = /^([0-9]+|[A-Za-z_][A-Za-z0-9_]*)/.exec(body.slice(i));
    if (!m) throw new Error(`bad placeholder at ${i} in ${body}`);
    i += m[0].length;
    const name = m[0];
    let value = /^[0-9]/.test(name) ? '' : (variables[name] ?? '');
    if (body[i] === ':') {
      i++;
      const def = parse('}');
      if (!(name in variables)) value = def;
    } else if (body[i] === '|') {
      i++;
      const choices = parse('|').split(',');
      value = choices[0];
      i++; // |
    }
    if (body[i] !== '}') throw new Error(`unterminated placeholder ${name} in ${body}`);
    i++;
    return value;
  };
  return parse('');
}

test('the expander handles nesting, choices and escapes', () => {
  assert.equal(expandSnippet('a=${1:${TM_FILENAME_BASE:job}} b=${2|x,y|} c=\\$HOME d=\\${X:-1}$0'), 'a=job b=x c=$HOME d=${X:-1}');
  assert.equal(expandSnippet('${1:${TM_FILENAME_BASE:job}}', { TM_FILENAME_BASE: 'run' }), 'run');
});

test('the templates asked for are all there', () => {
  const prefixes = Object.values(snippets).flatMap((s) => (Array.isArray(s.prefix) ? s.prefix : [s.prefix]));
  for (const p of ['sbatch-serial', 'sbatch-mpi', 'sbatch-hybrid', 'sbatch-array', 'sbatch-gpu', 'sbatch-chain']) {
    assert.ok(prefixes.includes(p), p);
  }
});

const haveShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

for (const [name, snippet] of Object.entries(snippets)) {
  test(`snippet "${name}" expands to a script without errors`, () => {
    const body = Array.isArray(snippet.body) ? snippet.body.join('\n') : snippet.body;
    const expanded = expandSnippet(body);
    assert.doesNotMatch(expanded, /\$\{?[0-9]/, 'no unexpanded placeholder');
    // A directive snippet is inserted into a script: lint it inside one.
    const script = expanded.startsWith('#!') ? expanded : `#!/bin/bash\n${expanded}\n`;
    const errors = lintSbatch(script).filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(errors, [], script);
    const parsed = parseSbatchScript(script);
    if (name !== 'Dependency chain') assert.ok(parsed.directives.length >= 1, 'has directives');
    if (haveShellcheck && script.startsWith('#!')) {
      const out = execFileSync('shellcheck', ['--format=json1', '--severity=warning', '-'], { input: script, encoding: 'utf8' });
      assert.deepEqual(JSON.parse(out).comments, [], script);
    }
  });
}

test('the hybrid template derives OMP_NUM_THREADS from SLURM_CPUS_PER_TASK', () => {
  const hybrid = Object.values(snippets).find((s) => [s.prefix].flat().includes('sbatch-hybrid'));
  assert.ok(hybrid);
  const script = expandSnippet([hybrid.body].flat().join('\n'));
  assert.match(script, /^export OMP_NUM_THREADS=\$\{SLURM_CPUS_PER_TASK:-1\}$/m);
  assert.match(script, /^srun --cpus-per-task="\$SLURM_CPUS_PER_TASK" /m);
});

test('the chain template submits with --parsable and --dependency=afterok', () => {
  const chain = Object.values(snippets).find((s) => [s.prefix].flat().includes('sbatch-chain'));
  assert.ok(chain);
  const script = expandSnippet([chain.body].flat().join('\n'));
  assert.match(script, /sbatch --parsable preprocess\.sbatch/);
  assert.match(script, /sbatch --parsable --dependency=afterok:"\$first" simulate\.sbatch/);
});
