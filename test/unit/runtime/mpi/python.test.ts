import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forgetPythonChecks, mpi4pyVersion } from '../../../../src/core/mpi/python';
import { chooseLocalPythonForMpi } from '../../../../src/runtime/mpi/python';
import { LocalTransport } from '../../../../src/transport/local';

beforeEach(() => forgetPythonChecks());

test('mpi4py check against the real interpreters here', async () => {
  
  const runner = new LocalTransport();
  assert.equal(await mpi4pyVersion(runner, '/nonexistent/python'), undefined);
  const choice = await chooseLocalPythonForMpi({ runner }).catch((e: Error) => e);
  // Here python3 is a pyenv shim without mpi4py and /usr/bin/python3 has it; elsewhere either may hold.
  if (!(choice instanceof Error)) assert.match(choice.mpi4pyVersion, /^\d/);
  else assert.match(choice.message, /mpi4py is not installed/);
});
