import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch } from '../../../../src/core/sbatch/lint';
import { parseTestOnly } from '../../../../src/core/slurm/sbatchAnswers';
import { firstDirectiveLine, formatWait, requestKey, startVerdict } from '../../../../src/core/slurm/startEstimate';

const cluster = parseClusterSnapshot(
  readFileSync(path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'sbatch', 'sandbox-cluster.json'), 'utf8'),
);
const lint = (text: string, dirs: Record<string, boolean> = {}) => lintSbatch(text, { cluster, directoryExists: (d) => dirs[d] ?? true });
// Answers recorded from `sbatch --test-only` (script on stdin) on the sandbox, Slurm 22.05.
const NOW = new Date(2026, 11, 1, 19, 43, 0);
const AT_ONCE = 'sbatch: Job 4 to start at 2026-12-01T19:43:05 using 2 processors on nodes n[1-2] in partition debug\n';
const LATER = 'sbatch: Job 4 to start at 2026-12-01T20:12:32 using 1 processors on nodes n2 in partition debug\n';
const TOMORROW = 'sbatch: Job 5 to start at 2026-12-02T19:42:32 using 2 processors on nodes n[1-2] in partition debug\n';
const NO_CONFIG = 'allocation failure: Requested node configuration is not available\n';

test('starts now, with where', () => {
  const v = startVerdict(parseTestOnly(AT_ONCE, 0), lint('#!/bin/bash\n#SBATCH -p debug\n#SBATCH -N 2\nhostname\n'), NOW);
  assert.equal(v.kind, 'starts-now');
  assert.equal(v.text, 'Starts now on n[1-2] (debug)');
  assert.deepEqual(v.nodeList, ['n1', 'n2']);
  assert.equal(v.processors, 2);
});

test('expected start: the clock time and the wait', () => {
  const v = startVerdict(parseTestOnly(LATER, 0), lint('#!/bin/bash\n#SBATCH -p debug\nhostname\n'), NOW);
  assert.equal(v.kind, 'expected');
  assert.equal(v.text, 'Expected start 20:12 (in 29 min) on n2 (debug)');
  const t = startVerdict(parseTestOnly(TOMORROW, 0), [], NOW);
  assert.equal(t.text, 'Expected start Dec 2 19:42 (in 23 h 59 min) on n[1-2] (debug)');
  assert.equal(formatWait(2 * 3600 + 600), '2 h 10 min');
  assert.equal(formatWait(26 * 3600), '1 d 2 h');
  assert.equal(formatWait(20), 'less than a minute');
});

test('refused: Slurm\'s reason, with the lint explanation first', () => {
  const script = '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -N 3\nhostname\n';
  const v = startVerdict(parseTestOnly(NO_CONFIG, 1), lint(script), NOW);
  assert.equal(v.kind, 'refused');
  assert.match(v.text, /^Cannot run: 3 nodes requested, but partition debug has 2 at most\./);
  assert.match(v.detail, /Slurm: Requested node configuration is not available/);
  const bare = startVerdict(parseTestOnly(NO_CONFIG, 1), [], NOW);
  assert.equal(bare.text, 'Cannot run: Requested node configuration is not available');
});

test('never "would start" for a time above MaxTime: Slurm accepts it, it pends forever', () => {
  // Recorded: -t 2:00:00 on debug (MaxTime 30) gets "to start at" from --test-only.
  const script = '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -t 2:00:00\nhostname\n';
  const v = startVerdict(parseTestOnly(LATER, 0), lint(script), NOW);
  assert.equal(v.kind, 'never-starts');
  assert.match(v.text, /^Accepted, but never starts: Time limit 02:00:00 is above the partition's MaxTime/);
  assert.match(v.detail, /PartitionTimeLimit/);
  assert.deepEqual(v.problems.map((p) => p.code), ['time-exceeds-partition']);
});

test('never "would start" with a missing output folder: it fails at launch', () => {
  const script = '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -o nodir/x.out\nhostname\n';
  const v = startVerdict(parseTestOnly(AT_ONCE, 0), lint(script, { nodir: false }), NOW);
  assert.equal(v.kind, 'fails-at-launch');
  assert.match(v.text, /^Accepted, but fails at launch: The directory "nodir"/);
  const fine = startVerdict(parseTestOnly(AT_ONCE, 0), lint(script, { nodir: true }), NOW);
  assert.equal(fine.kind, 'starts-now');
});

test('request key: the directive lines only; the lens line', () => {
  const a = '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -n 2\necho one\n';
  assert.equal(requestKey('c', a), requestKey('c', a.replace('echo one', 'echo two')));
  assert.notEqual(requestKey('c', a), requestKey('c', a.replace('-n 2', '-n 3')));
  assert.notEqual(requestKey('c', a), requestKey('d', a));
  assert.equal(firstDirectiveLine(a), 1);
  assert.equal(firstDirectiveLine('#!/bin/bash\necho\n'), undefined);
});
