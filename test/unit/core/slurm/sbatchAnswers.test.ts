import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeJobEnd, lineForError, parseParsableJobId, parseTestOnly } from '../../../../src/core/slurm/sbatchAnswers';
import { isFinalState } from '../../../../src/core/slurm/jobStates';

test('sbatch --parsable: job id, with or without cluster', () => {
  assert.deepEqual(parseParsableJobId('123\n'), { jobId: '123' });
  assert.deepEqual(parseParsableJobId('456;sandbox\n'), { jobId: '456', cluster: 'sandbox' });
  assert.deepEqual(parseParsableJobId('sbatch: warning: x\n789\n'), { jobId: '789' });
  assert.equal(parseParsableJobId('Submitted batch job 1'), undefined);
});

test('sbatch --test-only: the estimate and the errors (as recorded from the sandbox)', () => {
  const ok = parseTestOnly('sbatch: Job 1 to start at 2026-11-25T14:28:49 using 2 processors on nodes n[1-2] in partition debug\n', 0);
  assert.equal(ok.ok, true);
  assert.equal(ok.startTime, '2026-11-25T14:28:49');
  assert.equal(ok.nodes, 'n[1-2]');
  assert.equal(ok.partition, 'debug');
  const bad = parseTestOnly('sbatch: error: invalid partition specified: nope\nallocation failure: Invalid partition name specified\n', 1);
  assert.equal(bad.ok, false);
  assert.deepEqual(bad.errors, ['invalid partition specified: nope', 'Invalid partition name specified']);
  assert.deepEqual(parseTestOnly('', 1).errors, ['sbatch exited with code 1']);
});

test('errors are placed on the directive they are about', () => {
  const script = '#!/bin/bash\n#SBATCH -N 9\n#SBATCH --partition=nope\n#SBATCH -t 10\nsrun x\n';
  assert.equal(lineForError(script, 'Invalid partition name specified'), 2);
  assert.equal(lineForError(script, 'Requested node configuration is not available'), 1);
  assert.equal(lineForError(script, 'Requested time limit is invalid'), 3);
  assert.equal(lineForError(script, 'something else'), 1);
  assert.equal(lineForError('echo\n', 'x'), 0);
});

test('final states and end messages', () => {
  assert.equal(isFinalState('RUNNING'), false);
  assert.equal(isFinalState('PENDING'), false);
  assert.equal(isFinalState('COMPLETED'), true);
  assert.equal(isFinalState('OUT_OF_MEMORY'), true);
  assert.deepEqual(describeJobEnd({ jobId: '5', name: 'pi', state: 'FAILED', exitCode: '3:0' }), { text: 'Job 5 (pi) failed with exit code 3.', severity: 'error' });
  assert.equal(describeJobEnd({ jobId: '5', name: '', state: 'TIMEOUT' }).severity, 'warning');
  assert.equal(describeJobEnd({ jobId: '5', name: 'x', state: 'COMPLETED', exitCode: '0:0' }).text, 'Job 5 (x) completed.');
});
