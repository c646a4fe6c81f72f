/** Parts of the SSH transport that need no server: the channel limiter and the handshake clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError } from '../../../src/core/errors';
import { ChannelLimiter } from '../../../src/transport/ssh/channelLimiter';
import { HandshakeControl } from '../../../src/transport/ssh/handshakeContext';
import { SshError } from '../../../src/transport/ssh/errors';

test('ChannelLimiter: at most max at once, waiters served in order, an aborted waiter is a CancelledError and leaves the queue', async () => {
  const limiter = new ChannelLimiter(2);
  const never = new AbortController().signal;
  await limiter.acquire(never);
  await limiter.acquire(never);
  const served: string[] = [];
  const first = limiter.acquire(never).then(() => served.push('first'));
  const abort = new AbortController();
  const dropped = limiter.acquire(abort.signal);
  const third = limiter.acquire(never).then(() => served.push('third'));
  abort.abort();
  await assert.rejects(dropped, (e: unknown) => e instanceof CancelledError);
  limiter.release();
  await first;
  limiter.release();
  await third;
  assert.deepEqual(served, ['first', 'third'], 'the aborted waiter took no channel');
});

test('HandshakeControl: the clock runs out unless the user is being asked; it settles once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const outcomes: string[] = [];
  const make = () => {
    const control: HandshakeControl<string> = new HandshakeControl(
      (value) => outcomes.push(`ok ${value}`),
      (error) => outcomes.push(`failed ${error.message}`),
      1000,
      () => control.fail(new SshError('no answer', 'timeout')),
    );
    return control;
  };
  const idle = make();
  idle.startClock();
  t.mock.timers.tick(1000);
  assert.deepEqual(outcomes, ['failed no answer']);

  outcomes.length = 0;
  const asking = make();
  asking.startClock();
  let answer!: (value: string) => void;
  const asked = asking.askUser(() => new Promise<string>((resolve) => (answer = resolve)));
  t.mock.timers.tick(60_000);
  assert.deepEqual(outcomes, [], 'no timeout while the user answers');
  answer('yes');
  assert.equal(await asked, 'yes');
  assert.equal(asking.succeed('client'), true);
  assert.equal(asking.succeed('again'), false);
  asking.fail(new SshError('late', 'network'));
  t.mock.timers.tick(60_000);
  assert.deepEqual(outcomes, ['ok client']);
});
