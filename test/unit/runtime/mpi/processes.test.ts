import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { isAlive, processesWithEnv, RUN_ID_VARIABLE, runProcesses, runProcessesAsync, signalAll } from '../../../../src/runtime/mpi/processes';
import { until } from '../../../support/until';

const linux = process.platform === 'linux';

test('processes carrying a run marker are found whatever their group, and can be ended', { skip: !linux && 'needs /proc' }, async () => {
  const id = randomUUID();
  // A shell in a session of its own that starts a grandchild in yet another session: the
  // grandchild is not in any group we know of, but it carries the marker.
  const child = spawn('setsid', ['sh', '-c', 'setsid sleep 60 & sleep 60'], { env: { ...process.env, [RUN_ID_VARIABLE]: id }, detached: true, stdio: 'ignore' });
  try {
    let pids: number[] = [];
    await until(() => (pids = runProcesses(id)).length >= 3, { what: 'sh and 2 sleeps', timeoutMs: 10_000, intervalMs: 20 }).catch(() => undefined);
    assert.equal(pids.length, 3, `sh + 2 sleeps, found ${pids.join(',')}`);
    assert.deepEqual(processesWithEnv(RUN_ID_VARIABLE, id.slice(0, -1)), [], 'a prefix of the value does not match');
    assert.deepEqual((await runProcessesAsync(id)).sort(), [...pids].sort(), 'the non-blocking scan finds the same');
    signalAll(pids, 'SIGKILL');
    await until(() => !pids.some(isAlive), { what: 'the killed processes to be gone', timeoutMs: 10_000, intervalMs: 20 }).catch(() => undefined);
    assert.deepEqual(pids.filter(isAlive), []);
    assert.deepEqual(runProcesses(id), []);
  } finally {
    signalAll(runProcesses(id), 'SIGKILL');
    child.unref();
  }
});
