import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { choosePythonForMpi, forgetPythonChecks, Mpi4pyMissingError, SYSTEM_PYTHON } from '../../../../src/core/mpi/python';
import type { CommandRunner } from '../../../../src/core/transport';

/** A runner where only the given interpreters have mpi4py. */
function pythons(withMpi4py: Record<string, string>): CommandRunner {
  return {
    exec: async (argv) =>
      withMpi4py[argv[0]] ? { stdout: `${withMpi4py[argv[0]]}\n`, stderr: '', code: 0 } : { stdout: '', stderr: "ModuleNotFoundError: No module named 'mpi4py'", code: 1 },
  };
}

/** A platform for the cases where it does not matter. */
const HERE = { family: 'other', isRoot: false } as const;

beforeEach(() => forgetPythonChecks());

test('the setting wins, then the Python extension, then python3', async () => {
  const runner = pythons({ '/opt/py/bin/python': '4.0.0', '/ext/python': '3.1.6', python3: '3.1.4' });
  assert.equal((await choosePythonForMpi({ runner, setting: '/opt/py/bin/python', extensionPython: '/ext/python', ...HERE })).python, '/opt/py/bin/python');
  assert.equal((await choosePythonForMpi({ runner, extensionPython: '/ext/python', ...HERE })).source, 'python-extension');
  const d = await choosePythonForMpi({ runner, ...HERE });
  assert.deepEqual([d.python, d.source, d.mpi4pyVersion, d.notice], ['python3', 'default', '3.1.4', undefined]);
});

test('default python3 without mpi4py: the system Python is used when it has it, with a notice', async () => {
  const choice = await choosePythonForMpi({ runner: pythons({ [SYSTEM_PYTHON]: '3.1.4' }), ...HERE });
  assert.equal(choice.python, SYSTEM_PYTHON);
  assert.match(choice.notice ?? '', /python3 on PATH has no mpi4py; using \/usr\/bin\/python3/);
});

test('a chosen Python without mpi4py is an error naming the fix and the Python that has it', async () => {
  await assert.rejects(
    choosePythonForMpi({ runner: pythons({ [SYSTEM_PYTHON]: '3.1.4' }), setting: '/root/.pyenv/shims/python3', family: 'debian', isRoot: true }),
    (e: Error) =>
      e instanceof Mpi4pyMissingError &&
      e.message.includes('mpi4py is not installed for /root/.pyenv/shims/python3 (setting hpcWorkbench.python)') &&
      e.message.includes('/root/.pyenv/shims/python3 -m pip install mpi4py') &&
      e.message.includes('/usr/bin/python3 has mpi4py 3.1.4'),
  );
  await assert.rejects(choosePythonForMpi({ runner: pythons({}), family: 'debian', isRoot: false }), /sudo apt install python3-mpi4py/);
});
