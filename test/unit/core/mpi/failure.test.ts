import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { firstFailedStatus, formatTracebackSummary, launcherFailedRank, parseRankStatus, rankStatusFileRank, TracebackScanner, TRACEBACK_SUMMARY_PATTERN } from '../../../../src/core/mpi/failure';

const ROOT = join(__dirname, '../../../../..');
const fixture = (name: string): string => readFileSync(join(ROOT, 'test/fixtures/mpi', name), 'utf8');

test('the first rank to fail by itself, not the ranks the launcher tore down', () => {
  // Recorded: rank 2 raised (exit 1), Open MPI then sent SIGTERM to the others (143).
  const statuses = [
    { rank: 0, code: 143, endedNs: 1795616441992059730n },
    { rank: 1, code: 143, endedNs: 1795616442007592744n },
    { rank: 2, code: 1, endedNs: 1795616441884915825n },
    { rank: 3, code: 143, endedNs: 1795616441954093388n },
  ];
  assert.equal(firstFailedStatus(statuses)?.rank, 2);
  assert.equal(firstFailedStatus(statuses.map((s) => ({ ...s, code: 0 }))), undefined);
  // Only tear-down codes: the earliest.
  assert.equal(firstFailedStatus([{ rank: 1, code: 137, endedNs: 5n }, { rank: 0, code: 143, endedNs: 9n }])?.rank, 1);
  // A segfault (139) is a failure of its own.
  assert.equal(firstFailedStatus([{ rank: 3, code: 143, endedNs: 1n }, { rank: 1, code: 139, endedNs: 2n }])?.rank, 1);
});

test('launcher messages name the rank when they are printed', () => {
  assert.equal(launcherFailedRank(fixture('openmpi-abort-stderr.txt')), 2);
  assert.equal(launcherFailedRank('Process name: [[63040,1],3]\n  Exit code:    3'), 3);
  assert.equal(launcherFailedRank('application called MPI_Abort(MPI_COMM_WORLD, 1) - process 1'), 1);
  // Recorded: Open MPI does not always say which rank exited non-zero; the status files do.
  assert.equal(launcherFailedRank(fixture('openmpi-exit-stderr.txt')), undefined);
});

test('a recorded mpi4py traceback gives the user frame and the exception, not runpy/mpi4py frames', () => {
  const scanner = new TracebackScanner(2);
  for (const line of fixture('traceback-rank2.txt').split('\n')) scanner.push(line);
  assert.equal(scanner.summaries.length, 1);
  const s = scanner.summaries[0];
  assert.match(s.file ?? '', /test\/fixtures\/mpi\/raise_on_rank\.py$/);
  assert.equal(s.line, 12);
  assert.equal(s.message, 'ValueError: boom on rank 2');
});

test('chained exceptions give one summary each; output without frames is ignored', () => {
  const scanner = new TracebackScanner(0);
  const text = [
    'Traceback (most recent call last):',
    '  File "/w/a.py", line 3, in <module>',
    '    x = {}["k"]',
    'KeyError: \'k\'',
    '',
    'During handling of the above exception, another exception occurred:',
    '',
    'Traceback (most recent call last):',
    '  File "/w/a.py", line 5, in <module>',
    '    raise RuntimeError("wrapped")',
    'RuntimeError: wrapped',
    'Traceback (most recent call last):',
    'not a frame',
  ];
  text.forEach((l) => scanner.push(l));
  assert.deepEqual(scanner.summaries.map((s) => [s.line, s.message]), [[3, "KeyError: 'k'"], [5, 'RuntimeError: wrapped']]);
});

test('the summary line is what package.json\'s mpi-python problem matcher reads', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { problemMatchers: { name: string; pattern: { regexp: string; file: number; line: number; message: number } }[] };
  };
  const matcher = pkg.contributes.problemMatchers.find((m) => m.name === 'mpi-python');
  assert.ok(matcher, 'package.json contributes the mpi-python problem matcher');
  assert.equal(matcher.pattern.regexp, TRACEBACK_SUMMARY_PATTERN.source);
  const line = formatTracebackSummary({ rank: 2, file: '/w/my file.py', line: 12, message: 'ValueError: a: b' });
  const m = new RegExp(matcher.pattern.regexp).exec(line);
  assert.ok(m);
  assert.deepEqual([m[matcher.pattern.file], m[matcher.pattern.line], m[matcher.pattern.message]], ['/w/my file.py', '12', 'rank 2: ValueError: a: b']);
});

test('status files: the name gives the rank, the text the code and the clock the rank wrote', () => {
  assert.equal(rankStatusFileRank('12.status'), 12);
  assert.equal(rankStatusFileRank('12.out'), undefined);
  assert.deepEqual(parseRankStatus('3\n'), { code: 3 });
  assert.deepEqual(parseRankStatus(' 0 1700000000123456789\n'), { code: 0, endedNs: 1700000000123456789n });
  assert.equal(parseRankStatus('not a status'), undefined);
});
