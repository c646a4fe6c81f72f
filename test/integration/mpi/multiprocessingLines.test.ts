import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RankLine } from '../../../src/core/mpi/rankOutput';
import { FIXTURES, runToEnd } from './localMpi';

const LINES = 40;
const LONG = 100 * 1024;

/** The line mp_writers.py writes as line n of `who` (kept in step with the fixture). */
function expected(who: string, n: number): string {
  const letter = String.fromCharCode(97 + ([...who].reduce((s, c) => s + c.charCodeAt(0), 0) % 26));
  return `${who} ${n} ${letter.repeat(n % 10 === 3 ? LONG : 20 + n)}`;
}

function check(lines: readonly RankLine[], workers: number): void {
  const writers = ['parent', ...Array.from({ length: workers }, (_, i) => `w${i}`)];
  const want = new Map<string, 'stdout' | 'stderr'>();
  for (const who of writers) for (let n = 0; n < LINES; n++) want.set(expected(who, n), n % 4 === 2 ? 'stderr' : 'stdout');
  const wrong = lines.filter((l) => want.get(l.text) !== l.stream).map((l) => `${l.stream}: ${l.text.slice(0, 80)}${l.text.length > 80 ? '...' : ''}`);
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} lines mix writers or are not lines any process wrote`);
  assert.equal(lines.length, want.size, 'every line of every process, once');
  assert.equal(new Set(lines.map((l) => l.text)).size, want.size);
  assert.ok(lines.every((l) => l.rank === undefined), 'no rank tags in a multiprocessing run');
}

for (const method of ['fork', 'spawn', 'forkserver']) {
  test(`multiprocessing (${method}): concurrent workers' lines stay whole, long lines and lines written in pieces too`, async () => {
    const workers = 6;
    const { result, lines } = await runToEnd(join(FIXTURES, 'mp_writers.py'), [method], workers, { mode: 'multiprocessing' });
    assert.equal(result.exitCode, 0, lines.filter((l) => l.stream === 'stderr' && !/^(parent|w\d) /.test(l.text)).map((l) => l.text).join('\n'));
    check(lines, workers);
  });
}
