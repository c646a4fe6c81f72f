import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { CoalescedRun } from '../../../src/core/coalescedRun';

/** A task whose runs end when the test says so. */
interface Controlled {
  task: () => Promise<number>;
  started: number;
  finish(value?: number, error?: Error): void;
}

function controlled(): Controlled {
  const pending: { resolve(v: number): void; reject(e: Error): void }[] = [];
  const state: Controlled = {
    started: 0,
    task: () =>
      new Promise<number>((resolve, reject) => {
        state.started++;
        pending.push({ resolve, reject });
      }),
    finish(value = state.started, error?: Error) {
      const next = pending.shift();
      if (!next) throw new Error('no run under way');
      if (error) next.reject(error);
      else next.resolve(value);
    },
  };
  return state;
}

test('a caller arriving during a run gets the next run, shared with every caller arriving meanwhile', async () => {
  const t = controlled();
  const runs = new CoalescedRun(t.task);
  const first = runs.run();
  const second = runs.run();
  const third = runs.run();
  assert.equal(t.started, 1, 'one run at a time');
  assert.equal(second, third, 'the callers arriving meanwhile share one run');
  t.finish(1);
  assert.equal(await first, 1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(t.started, 2, 'the queued run starts after the first ends');
  t.finish(2);
  assert.equal(await second, 2);
  // Nothing under way: the next caller starts a run of its own at once.
  const fourth = runs.run();
  assert.equal(t.started, 3);
  t.finish(3);
  assert.equal(await fourth, 3);
});

test('a failed run does not stop the queued one; its callers get its error', async () => {
  const t = controlled();
  const runs = new CoalescedRun(t.task);
  const first = runs.run();
  const second = runs.run();
  t.finish(0, new Error('controller down'));
  await assert.rejects(first, /controller down/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(t.started, 2);
  t.finish(7);
  assert.equal(await second, 7);
});
