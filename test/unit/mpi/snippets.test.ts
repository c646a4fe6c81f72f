import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandSnippet } from './snippetExpansion';

const ROOT = join(__dirname, '../../../..');
type Snippets = Record<string, { prefix: string; body: string[]; description: string }>;
export const loadPythonSnippets = (): Snippets => JSON.parse(readFileSync(join(ROOT, 'snippets/python.code-snippets'), 'utf8')) as Snippets;

test('the expander follows VS Code snippet syntax', () => {
  assert.equal(expandSnippet('${1:a} = ${2:{"k": 1\\}}; $1 ${3|SUM,MAX|} $3 \\$x $0'), 'a = {"k": 1}; a SUM SUM $x ');
  assert.equal(expandSnippet(['${1:outer ${2:inner}}', '$2']), 'outer inner\ninner');
});

test('every course pattern has a snippet with a description, and each expands', () => {
  const snippets = loadPythonSnippets();
  const prefixes = Object.values(snippets).map((s) => s.prefix).sort();
  assert.deepEqual(prefixes, [
    'mp-apply-async', 'mp-pool-map', 'mp-process',
    'mpi-allreduce', 'mpi-bcast', 'mpi-coordinator', 'mpi-gather', 'mpi-isend', 'mpi-reduce', 'mpi-scatter', 'mpi-sendrecv',
  ]);
  for (const [name, s] of Object.entries(snippets)) {
    assert.ok(s.description.length > 10, name);
    const code = expandSnippet(s.body);
    assert.doesNotMatch(code, /\$\{|\$\d/, `${name} expands fully`);
    if (s.prefix.startsWith('mp-')) assert.match(code, /int\(os\.environ\.get\("HPCW_WORKERS", os\.cpu_count\(\)\)\)/, name);
    else assert.match(code, /from mpi4py import MPI/, name);
  }
});
