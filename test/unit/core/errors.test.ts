import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, asCancelledError, isCancelled, throwIfCancelled } from '../../../src/core/errors';

test('CancelledError is an Error named like Node and the web platform name aborts', () => {
  const error = new CancelledError('Command aborted: sleep');
  assert.ok(error instanceof Error);
  assert.equal(error.name, 'AbortError');
  assert.equal(error.code, 'ABORT_ERR');
  assert.equal(error.message, 'Command aborted: sleep');
  assert.equal(new CancelledError().message, 'Cancelled.');
  assert.equal(isCancelled(error), true);
});

test('isCancelled: our CancelledError and Node aborts yes, failures no', () => {
  const controller = new AbortController();
  controller.abort();
  let domAbort: unknown;
  try {
    controller.signal.throwIfAborted();
  } catch (error) {
    domAbort = error;
  }
  assert.equal(isCancelled(domAbort), true, "signal.throwIfAborted()'s DOMException");
  assert.equal(isCancelled(new Error('aborted')), false);
  assert.equal(isCancelled(Object.assign(new Error('Cancelled.'), { code: 'aborted' })), false, 'a code alone says nothing');
  assert.equal(isCancelled(undefined), false);
  assert.equal(isCancelled('AbortError'), false);
});

test('throwIfCancelled throws a CancelledError only once the signal fired', () => {
  const controller = new AbortController();
  throwIfCancelled(undefined);
  throwIfCancelled(controller.signal);
  controller.abort();
  assert.throws(() => throwIfCancelled(controller.signal, 'Sync cancelled.'), (e: unknown) => e instanceof CancelledError && e.message === 'Sync cancelled.');
});

test('asCancelledError turns other abort forms into a CancelledError and leaves failures alone', () => {
  const failure = new Error('disk full');
  assert.equal(asCancelledError(failure), failure);
  const ours = new CancelledError();
  assert.equal(asCancelledError(ours), ours);
  const dom = new DOMException('This operation was aborted', 'AbortError');
  const converted = asCancelledError(dom);
  assert.ok(converted instanceof CancelledError);
  assert.equal((converted as CancelledError).cause, dom);
});
