/**
 * Actions reflected at once: a burst of actions shares one refresh; a cancelled job that the
 * refresh still lists as COMPLETING is refreshed again soon until it has left; the refresh policy
 * slows down while the window is not focused and keeps followed output's end near.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ActionRefresh } from '../../../src/cluster/actionRefresh';
import { FOLLOWING_MAX_MS, refreshIntervalFor, UNFOCUSED_FACTOR } from '../../../src/cluster/refreshPolicy';
import type { ClusterState } from '../../../src/core/slurm/clusterState';

function stateWith(jobs: { jobId: string; state: string }[]): ClusterState {
  return { jobs: jobs.map((j) => ({ ...j, jobIdNumeric: j.jobId })) } as unknown as ClusterState;
}

test('actions that come together share one refresh', async () => {
  let refreshes = 0;
  const actions = new ActionRefresh(async () => (refreshes++, stateWith([])));
  await Promise.all([actions.after({ gone: ['1'] }), actions.after({ gone: ['2'] }), actions.after({})]);
  assert.equal(refreshes, 1);
  assert.equal(actions.refreshes, 1);
});

test('a cancelled job still listed as COMPLETING is refreshed again until it has left', async () => {
  const answers = [stateWith([{ jobId: '5', state: 'COMPLETING' }]), stateWith([{ jobId: '5', state: 'COMPLETING' }]), stateWith([])];
  let refreshes = 0;
  const actions = new ActionRefresh(async () => answers[Math.min(refreshes++, answers.length - 1)]);
  await actions.after({ gone: ['5'] });
  assert.equal(refreshes, 3);
  // A submitted job that is listed at once needs one refresh only.
  refreshes = 2;
  await actions.after({ listed: [] });
  assert.equal(refreshes, 3);
});

test('the refresh slows down while the window is not focused; followed output keeps it near', () => {
  assert.equal(refreshIntervalFor(15_000, { focused: true, following: false }), 15_000);
  assert.equal(refreshIntervalFor(15_000, { focused: false, following: false }), 15_000 * UNFOCUSED_FACTOR);
  assert.equal(refreshIntervalFor(600_000, { focused: true, following: true }), FOLLOWING_MAX_MS);
  assert.equal(refreshIntervalFor(5_000, { focused: true, following: true }), 5_000);
});
