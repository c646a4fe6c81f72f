import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLEAR_SCREEN, plain, RankView, renderLine } from '../../../../src/extension/mpi/rankView';

test('each line is tagged with its rank, coloured by rank; launcher lines untagged', () => {
  assert.equal(plain(renderLine({ rank: 3, stream: 'stdout', text: 'hi' })), '[rank 3] hi\r\n');
  assert.equal(plain(renderLine({ stream: 'stderr', text: 'MPI_ABORT was invoked' })), 'MPI_ABORT was invoked\r\n');
  const colour = (r: number): string => /^\x1b\[(\d+)m/.exec(renderLine({ rank: r, stream: 'stdout', text: '' }))![1];
  assert.notEqual(colour(0), colour(1));
  assert.equal(colour(0), colour(12), 'colours cycle');
  // A program cannot move the cursor or clear our screen.
  assert.equal(plain(renderLine({ rank: 0, stream: 'stdout', text: 'a\x1b[2Jb\x07c' })), '[rank 0] abc\r\n');
});

test('filtering to one rank re-renders the buffered lines of that rank (and the launcher\'s)', () => {
  const view = new RankView('MPI: x.py');
  const lines = [
    { rank: 0, stream: 'stdout' as const, text: 'zero' },
    { rank: 1, stream: 'stdout' as const, text: 'one' },
    { stream: 'stderr' as const, text: 'launcher says' },
    { rank: 1, stream: 'stderr' as const, text: 'one err' },
  ];
  for (const l of lines) assert.notEqual(view.add(l), '');
  const screen = view.setFilter(1, ['MPI run finished: exit code 0']);
  assert.ok(screen.startsWith(CLEAR_SCREEN));
  assert.deepEqual(plain(screen.slice(CLEAR_SCREEN.length)).split('\r\n'), [
    'MPI: x.py — rank 1 only (press a for all ranks)',
    '[rank 1] one',
    'launcher says',
    '[rank 1] one err',
    'MPI run finished: exit code 0',
    '',
  ]);
  assert.equal(view.add({ rank: 0, stream: 'stdout', text: 'hidden' }), '', 'new lines of other ranks are held back');
  assert.equal(plain(view.add({ rank: 1, stream: 'stdout', text: 'shown' })), '[rank 1] shown\r\n');
  assert.match(plain(view.setFilter(undefined)), /\[rank 0\] hidden/);
  assert.deepEqual(view.ranks, [0, 1]);
});

test('keys: digits + Enter filter to a rank, a = all, f = pick, Ctrl+C = stop, backspace edits', () => {
  const view = new RankView('t');
  const kinds = (data: string): unknown[] => view.keys(data).filter((a) => a.kind !== 'echo');
  assert.deepEqual(kinds('12\r'), [{ kind: 'filter', rank: 12 }]);
  assert.deepEqual(kinds('15\x7f\r'), [{ kind: 'filter', rank: 1 }]);
  assert.deepEqual(kinds('a'), [{ kind: 'filter', rank: undefined }]);
  assert.deepEqual(kinds('f\x03'), [{ kind: 'pick' }, { kind: 'stop' }]);
  assert.deepEqual(kinds('\r'), [], 'Enter alone does nothing');
});
