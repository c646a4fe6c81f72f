import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../../../src/transport/ssh/sshBackoff';

test('the delay doubles from 1 s and stops at 60 s', () => {
  const ceilings = [1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffCeiling(n));
  assert.deepEqual(ceilings, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.equal(backoffCeiling(0), 0);
  assert.equal(backoffCeiling(10_000), 60_000);
});

test('jitter keeps the delay between half and all of the ceiling', () => {
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0), 4000);
  assert.equal(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999999), 2000);
  for (let i = 0; i < 200; i++) {
    const d = backoffDelay(7);
    assert.ok(d >= 30_000 && d <= 60_000, String(d));
  }
});

test('a custom policy', () => {
  const policy = { baseMs: 100, maxMs: 500, jitter: 0 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy)), [100, 200, 400, 500, 500]);
});
