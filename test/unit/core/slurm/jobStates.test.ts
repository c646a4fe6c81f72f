import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVE_STATES, baseState, FINAL_STATES, isActiveState, isCompletingState, isFinalState, isHeldJob, isReportedFinalState, jobStateClass } from '../../../../src/core/slurm/jobStates';
import { actionTookEffect } from '../../../../src/core/slurm/jobActions';
import type { ScontrolJob } from '../../../../src/core/slurm/scontrol';

test('every state is in exactly one class; COMPLETING is neither active nor final', () => {
  for (const s of ACTIVE_STATES) assert.equal(jobStateClass(s), 'active', s);
  for (const s of FINAL_STATES) assert.equal(jobStateClass(s), 'final', s);
  assert.equal(jobStateClass('COMPLETING'), 'completing');
  assert.deepEqual([isActiveState('COMPLETING'), isCompletingState('COMPLETING'), isFinalState('COMPLETING')], [false, true, false]);
  assert.equal(ACTIVE_STATES.filter((s) => FINAL_STATES.includes(s)).length, 0);
});

test('states as sacct and squeue print them: only the first word counts', () => {
  assert.equal(baseState('CANCELLED by 1000'), 'CANCELLED');
  assert.equal(baseState('COMPLETING+'), 'COMPLETING');
  assert.equal(isFinalState('CANCELLED by 0'), true);
  assert.equal(isReportedFinalState('CANCELLED by 0'), true);
  assert.equal(isActiveState('running'), true);
});

test('a state the list does not know counts as over (following stops), but is not a reported end', () => {
  assert.equal(isFinalState('LAUNCH_FAILED'), true);
  assert.equal(isReportedFinalState('LAUNCH_FAILED'), false);
  assert.equal(isReportedFinalState('RUNNING'), false);
  assert.equal(isReportedFinalState('COMPLETING'), false);
});

test('held: pending with a user or admin hold, not pending for resources', () => {
  assert.equal(isHeldJob({ state: 'PENDING', reason: 'JobHeldUser' }), true);
  assert.equal(isHeldJob({ state: 'PENDING', reason: 'JobHeldAdmin' }), true);
  assert.equal(isHeldJob({ state: 'PENDING', reason: 'Resources' }), false);
  assert.equal(isHeldJob({ state: 'RUNNING', reason: 'JobHeldUser' }), false);
});

test('job actions judge COMPLETING by these classes: a cancel took effect, so did a requeue on its way', () => {
  const job = (state: string, reason = 'None'): ScontrolJob => ({ state, reason }) as ScontrolJob;
  assert.equal(actionTookEffect('cancel', [job('COMPLETING')]), true);
  assert.equal(actionTookEffect('cancel', [job('CANCELLED')]), true);
  assert.equal(actionTookEffect('cancel', [job('RUNNING')]), false);
  assert.equal(actionTookEffect('requeue', [job('COMPLETING')]), true);
  assert.equal(actionTookEffect('requeue', [job('PENDING', 'BeginTime')]), true);
  assert.equal(actionTookEffect('requeue', [job('COMPLETED')]), false);
  assert.equal(actionTookEffect('hold', [job('PENDING', 'JobHeldUser')]), true);
  assert.equal(actionTookEffect('release', [job('PENDING', 'JobHeldUser')]), false);
});
