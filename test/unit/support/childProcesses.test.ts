/** test/support's child-process helpers under the conditions of a busy machine. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCommand } from '../../support/sandbox';
import { until, untilNoError, UntilTimeoutError } from '../../support/until';

test('runCommand: input for a child that exits at once (EPIPE) is no crash, the exit code comes back', async () => {
  const input = Buffer.alloc(8 * 1024 * 1024, 'x'); // far more than a pipe holds: the writes outlive the reader
  for (let i = 0; i < 5; i++) {
    const r = await runCommand('sh', ['-c', 'exit 3'], { input });
    assert.equal(r.code, 3);
  }
  // A child that reads a little, then closes its input and goes on.
  const r = await runCommand('sh', ['-c', 'head -c 10 >/dev/null; exec 0<&-; echo done'], { input });
  assert.deepEqual([r.code, r.stdout], [0, 'done\n']);
});

test('until: resolves with the first value, names what it waited for when it gives up', async () => {
  let n = 0;
  assert.equal(await until(() => (++n >= 3 ? `after ${n}` : undefined), { intervalMs: 1 }), 'after 3');
  assert.equal(await until(async () => 0, { intervalMs: 1 }), 0, '0 and "" are values, not "not yet"');
  await assert.rejects(until(() => false, { what: 'the moon', timeoutMs: 20, intervalMs: 5 }), (e: Error) => e instanceof UntilTimeoutError && /the moon after 20 ms/.test(e.message));
  await assert.rejects(until(() => { throw new Error('broken'); }), /broken/);
  let tries = 0;
  assert.equal(await untilNoError(() => { if (++tries < 3) throw new Error('not yet'); return 'up'; }, { intervalMs: 1 }), 'up');
  await assert.rejects(untilNoError(() => { throw new Error('still down'); }, { what: 'the server', timeoutMs: 20, intervalMs: 5 }), /the server after 20 ms \(last error: still down\)/);
});
