import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { runProcesses } from '../../../src/runtime/mpi/processes';
import { FIXTURES, runToEnd } from './localMpi';

test('4 ranks: send/recv, bcast, scatter, gather, reduce, each line attributed to its rank', async () => {
  const { result, lines, runId } = await runToEnd(join(FIXTURES, 'collectives.py'), [], 4);
  assert.equal(result.exitCode, 0, JSON.stringify(lines));
  assert.equal(result.failedRank, undefined);
  const byRank = (r: number): string[] => lines.filter((l) => l.rank === r && l.stream === 'stdout').map((l) => l.text);
  for (let r = 0; r < 4; r++) {
    const mine = byRank(r);
    assert.ok(mine.every((t) => t.startsWith(`rank ${r} `)), `rank ${r}: ${mine.join(' | ')}`);
    assert.ok(mine.includes(`rank ${r} sendrecv from ${(r + 3) % 4}`));
    assert.ok(mine.includes(`rank ${r} bcast steps 10`));
    assert.ok(mine.includes(`rank ${r} scatter ${r * 100}`));
  }
  assert.ok(byRank(0).includes('rank 0 gather [0, 1, 4, 9]'));
  assert.ok(byRank(0).includes('rank 0 reduce 10'));
  assert.deepEqual(runProcesses(runId), []);
});
