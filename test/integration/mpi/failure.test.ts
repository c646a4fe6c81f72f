import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isAlive, runProcesses } from '../../../src/runtime/mpi/processes';
import { announcedPids, FIXTURES, runToEnd } from './localMpi';

function assertNothingLeft(runId: string, pids: number[]): void {
  assert.deepEqual(runProcesses(runId), [], 'no process of the run is left');
  assert.deepEqual(pids.filter(isAlive), [], 'every rank announced has exited');
}

for (const failRank of [2, 0, 3]) {
  test(`a rank that raises (rank ${failRank}) fails the run, is named, and leaves no process`, async () => {
    const { result, lines, runId } = await runToEnd(join(FIXTURES, 'raise_on_rank.py'), ['raise', String(failRank)], 4);
    assert.notEqual(result.exitCode, 0);
    assert.equal(result.failedRank, failRank);
    const tb = result.tracebacks.find((t) => t.rank === failRank);
    assert.ok(tb, 'the traceback is reported with its rank');
    assert.equal(tb.message, `ValueError: boom on rank ${failRank}`);
    assert.match(tb.file ?? '', /raise_on_rank\.py$/);
    assert.ok(lines.some((l) => l.rank === failRank && l.stream === 'stderr' && l.text === 'Traceback (most recent call last):'));
    assert.equal(result.leftovers, 0, 'the launcher itself ended every rank');
    assertNothingLeft(runId, announcedPids(lines));
  });
}

test('sys.exit(3) on rank 1 under mpi4py: the run fails with rank 1 named', async () => {
  const { result, lines, runId } = await runToEnd(join(FIXTURES, 'raise_on_rank.py'), ['exit', '1'], 4);
  assert.notEqual(result.exitCode, 0);
  assert.equal(result.failedRank, 1);
  assertNothingLeft(runId, announcedPids(lines));
});

test('an executable (not Python) whose rank 3 exits 3: exit code and rank passed through', async () => {
  const { result, lines, runId } = await runToEnd(join(FIXTURES, 'exit_on_rank.sh'), ['3'], 4);
  assert.equal(result.exitCode, 3);
  assert.equal(result.failedRank, 3);
  assert.equal(result.failedRankExitCode, 3);
  assert.ok(lines.some((l) => l.rank === 3 && l.stream === 'stderr' && l.text === 'rank 3 exiting with 3'));
  for (let r = 0; r < 4; r++) assert.ok(lines.some((l) => l.rank === r && l.text.startsWith(`rank ${r} pid `)), `rank ${r} ready line`);
  assertNothingLeft(runId, announcedPids(lines));
});

test('a launcher that cannot start is reported, not thrown', async () => {
  const { result } = await runToEnd(join(FIXTURES, 'collectives.py'), [], 2, { launcher: { kind: 'openmpi', command: '/nonexistent/mpirun' } });
  assert.equal(result.exitCode, null);
  assert.match(result.error ?? '', /Could not start \/nonexistent\/mpirun/);
});
