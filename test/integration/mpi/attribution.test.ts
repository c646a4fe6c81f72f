import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { RankLine } from '../../../src/core/mpi/rankOutput';
import { FIXTURES, runToEnd } from './localMpi';

const RUNS = Number(process.env.HPCW_MPI_ATTRIBUTION_RUNS ?? 20);
const LINES = 300;
const RANKS = 4;

/** Checks that every line is whole and carries the rank it was attributed to; returns the count. */
function checkRun(lines: readonly RankLine[]): number {
  const next = new Map<string, number>();
  let checked = 0;
  for (const line of lines) {
    if (line.rank === undefined) {
      assert.doesNotMatch(line.text, /^R \d/, 'no rank output reaches the launcher stream');
      continue;
    }
    const m = /^R (\d+) (out|err) (\d+) (\d+) ([a-z]*)$/.exec(line.text);
    assert.ok(m, `rank ${line.rank}: malformed line ${line.text.slice(0, 80)}…`);
    assert.equal(Number(m[1]), line.rank, `a line of rank ${m[1]} was attributed to rank ${line.rank}`);
    assert.equal(line.stream, m[2] === 'out' ? 'stdout' : 'stderr');
    assert.equal(m[5].length, Number(m[4]), 'the line is whole');
    assert.ok(m[5] === 'abcd'[line.rank].repeat(m[5].length), 'no other rank\'s bytes inside the line');
    const key = `${line.rank}/${m[2]}`;
    const seq = Number(m[3]);
    const expected = next.get(key) ?? (m[2] === 'err' ? 0 : 1);
    assert.equal(seq, expected, `${key}: lines in order, none lost`);
    next.set(key, seq + (m[2] === 'err' ? 5 : seq % 5 === 4 ? 2 : 1));
    checked++;
  }
  assert.equal(checked, RANKS * LINES, 'every line of every rank arrived');
  return checked;
}

test(`every line attributed to the right rank over ${RUNS} runs of ${RANKS} ranks flooding stdout and stderr`, async () => {
  let total = 0;
  for (let i = 0; i < RUNS; i++) {
    const { result, lines } = await runToEnd(join(FIXTURES, 'flood.py'), [String(LINES)], RANKS);
    assert.equal(result.exitCode, 0, `run ${i}: ${lines.filter((l) => l.rank === undefined).map((l) => l.text).join('\n')}`);
    total += checkRun(lines);
  }
  console.log(`# attribution: ${RUNS} runs, ${total} lines checked, 0 misattributed`);
});
