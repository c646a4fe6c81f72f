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

test('a refresh already under way when an action comes does not count for it', async () => {
  // The refresh after a submission is in flight when a job is held: its answer may predate the hold.
  const pending: ((state: ClusterState) => void)[] = [];
  const actions = new ActionRefresh(() => new Promise((resolve) => pending.push(resolve)));
  const submit = actions.after({ listed: ['1'] });
  while (pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
  let held = false;
  const hold = actions.after({}).then(() => (held = true));
  pending[0](stateWith([{ jobId: '1', state: 'RUNNING' }]));
  await submit;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(held, false, 'the hold was answered by a refresh begun before it');
  while (pending.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  pending[1](stateWith([]));
  await hold;
  assert.equal(actions.refreshes, 2);
});

test('the refresh slows down while the window is not focused; followed output keeps it near', () => {
  assert.equal(refreshIntervalFor(15_000, { focused: true, following: false }), 15_000);
  assert.equal(refreshIntervalFor(15_000, { focused: false, following: false }), 15_000 * UNFOCUSED_FACTOR);
  assert.equal(refreshIntervalFor(600_000, { focused: true, following: true }), FOLLOWING_MAX_MS);
  assert.equal(refreshIntervalFor(5_000, { focused: true, following: true }), 5_000);
});
