import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandSnippet } from '../../unit/mpi/snippetExpansion';
import { runToEnd } from './localMpi';

const ROOT = join(__dirname, '../../../..');
const snippets = JSON.parse(readFileSync(join(ROOT, 'snippets/python.code-snippets'), 'utf8')) as Record<string, { prefix: string; body: string[] }>;

/** What each snippet's default expansion prints (a line that must appear). */
const EXPECTED: Record<string, (r: number) => RegExp | undefined> = {
  'mpi-sendrecv': (r) => (r === 0 ? /^rank 0 sent / : r === 1 ? /^rank 1 received \{'step': 1/ : undefined),
  'mpi-isend': (r) => new RegExp(`^rank ${r} got ${((r + 3) % 4) * 10} from rank ${(r + 3) % 4}$`),
  'mpi-bcast': (r) => new RegExp(`^rank ${r} has \\{'n_steps': 100`),
  'mpi-scatter': (r) => new RegExp(`^rank ${r} works on \\[${r * 4}, ${r * 4 + 1}, ${r * 4 + 2}, ${r * 4 + 3}\\]$`),
  'mpi-gather': (r) => (r === 0 ? /^rank 0 gathered \[0, 1, 4, 9\]$/ : undefined),
  'mpi-reduce': (r) => (r === 0 ? /^rank 0 reduced to 10$/ : undefined),
  'mpi-allreduce': (r) => new RegExp(`^rank ${r} sees total 10$`),
  'mpi-coordinator': (r) => (r === 0 ? /^rank 0 collected 20 results, sum 2470$/ : undefined),
};

const dir = mkdtempSync(join(tmpdir(), 'hpcw-snippets-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const [name, snippet] of Object.entries(snippets)) {
  const mpi = snippet.prefix.startsWith('mpi-');
  test(`snippet ${snippet.prefix} (${name}) runs as expanded: ${mpi ? '4 MPI ranks' : '3 workers'}`, async () => {
    const file = join(dir, `${snippet.prefix.replace(/-/g, '_')}.py`);
    writeFileSync(file, expandSnippet(snippet.body));
    const { result, lines } = await runToEnd(file, [], mpi ? 4 : 3, { mode: mpi ? 'mpi' : 'multiprocessing' });
    const text = lines.map((l) => `[${l.rank}] ${l.text}`).join('\n');
    assert.equal(result.exitCode, 0, text);
    if (mpi) {
      const expect = EXPECTED[snippet.prefix];
      assert.ok(expect, `an expectation for ${snippet.prefix}`);
      for (let r = 0; r < 4; r++) {
        const re = expect(r);
        if (re) assert.ok(lines.some((l) => l.rank === r && re.test(l.text)), `rank ${r} prints ${re}:\n${text}`);
      }
    } else {
      assert.ok(lines.some((l) => l.text.startsWith('3 workers: ')), text);
    }
  });
}
