import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { detectLocalLauncher as detectLauncher, findExecutable } from '../../../src/runtime/mpi/launcher';
import { runProcesses } from '../../../src/runtime/mpi/processes';
import { FIXTURES, runner, runToEnd } from './localMpi';

const mpich = findExecutable('mpirun.mpich') ?? findExecutable('mpiexec.hydra');
const skip = mpich ? false : 'MPICH is not installed (apt install mpich to run this test); Open MPI tests cover the rest';

test('MPICH (hydra): ranks attributed by PMI_RANK, failing rank and exit code reported', { skip }, async () => {
  const launcher = await detectLauncher({ setting: mpich!, env: process.env, runner });
  assert.equal(launcher.kind, 'mpich');
  // mpi4py here is built against Open MPI, so MPICH runs an executable that is not Python.
  const { result, lines, runId } = await runToEnd(join(FIXTURES, 'exit_on_rank.sh'), ['1'], 4, { launcher });
  assert.equal(result.exitCode, 3);
  assert.equal(result.failedRank, 1);
  for (const l of lines.filter((x) => x.rank !== undefined)) assert.match(l.text, new RegExp(`^rank ${l.rank} `));
  for (let r = 0; r < 4; r++) assert.ok(lines.some((l) => l.rank === r && l.text.startsWith(`rank ${r} pid`)));
  assert.deepEqual(runProcesses(runId), []);
});
