import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isAlive, runProcesses } from '../../../src/runtime/mpi/processes';
import { announcedPids, FIXTURES, start, until } from './localMpi';

test('stop ends the launcher, every rank and the ranks\' children', async () => {
  const { run, lines } = await start(join(FIXTURES, 'sleeper.py'), [], 4);
  await until(() => lines.filter((l) => /ready pid/.test(l.text)).length === 4, '4 ranks ready');
  const pids = announcedPids(lines);
  assert.equal(pids.length, 8, 'a pid and a child pid per rank');
  assert.ok(pids.every(isAlive));
  assert.ok(runProcesses(run.runId).length >= 9, 'the launcher, 4 wrappers/ranks and 4 children carry the marker');
  const result = await run.stop();
  assert.equal(result.stopped, true);
  assert.deepEqual(pids.filter(isAlive), [], 'no rank or child of a rank survives');
  assert.deepEqual(runProcesses(run.runId), []);
  assert.ok(run.pid !== undefined && !isAlive(run.pid), 'the launcher is gone');
});

test('a launcher killed outright (SIGKILL) leaves orphans, which are found and ended', async () => {
  const { run, lines } = await start(join(FIXTURES, 'sleeper.py'), [], 4);
  await until(() => lines.filter((l) => /ready pid/.test(l.text)).length === 4, '4 ranks ready');
  const pids = announcedPids(lines);
  process.kill(run.pid!, 'SIGKILL');
  const result = await run.done;
  assert.equal(result.signal, 'SIGKILL');
  assert.ok(result.leftovers > 0, 'the ranks outlived their launcher');
  assert.deepEqual(pids.filter(isAlive), []);
  assert.deepEqual(runProcesses(run.runId), []);
});

test('multiprocessing: HPCW_WORKERS workers, one untagged stream; stop ends the parent and every worker', async () => {
  const { run, lines } = await start(join(FIXTURES, 'mp_sleeper.py'), [], 3, { mode: 'multiprocessing' });
  await until(() => lines.filter((l) => /ready pid/.test(l.text)).length === 4, '3 workers and the parent ready');
  assert.ok(lines.every((l) => l.rank === undefined), 'no rank tags in a multiprocessing run');
  assert.deepEqual(lines.filter((l) => l.text.startsWith('worker')).map((l) => l.text.split(' ')[1]).sort(), ['0', '1', '2']);
  const pids = announcedPids(lines);
  const result = await run.stop();
  assert.equal(result.stopped, true);
  assert.deepEqual(pids.filter(isAlive), []);
  assert.deepEqual(runProcesses(run.runId), []);
});
