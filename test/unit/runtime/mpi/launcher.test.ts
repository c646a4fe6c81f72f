import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NoLauncherError } from '../../../../src/core/mpi/launcher';
import { detectLocalLauncher } from '../../../../src/runtime/mpi/launcher';
import { LocalTransport } from '../../../../src/transport/local';

test('the real launcher on this machine (Open MPI) is detected', async (t) => {
  
  try {
    const info = await detectLocalLauncher({ setting: 'auto', env: { ...process.env, SLURM_JOB_ID: undefined }, runner: new LocalTransport() });
    assert.ok(['openmpi', 'mpich', 'intel'].includes(info.kind), info.kind);
  } catch (e) {
    if (e instanceof NoLauncherError) t.skip('no MPI installed here');
    else throw e;
  }
});
