import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectLauncher, NoLauncherError, parseLauncherVersion } from '../../../../src/core/mpi/launcher';
import type { CommandRunner } from '../../../../src/core/transport';

const FIXTURES = join(__dirname, '../../../../../test/fixtures/mpi');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

test('recognises launchers by their recorded --version output', () => {
  assert.deepEqual(parseLauncherVersion(fixture('version-openmpi-mpirun.txt')), { kind: 'openmpi', version: '4.1.4' });
  assert.deepEqual(parseLauncherVersion(fixture('version-openmpi-mpiexec.txt')), { kind: 'openmpi', version: '4.1.4' });
  assert.deepEqual(parseLauncherVersion(fixture('version-mpich-mpirun.txt')), { kind: 'mpich', version: '4.0.2' });
  assert.deepEqual(parseLauncherVersion(fixture('version-intel-mpirun.txt')), { kind: 'intel', version: '2021.10' });
  assert.deepEqual(parseLauncherVersion(fixture('version-slurm-srun.txt')), { kind: 'slurm', version: '22.05.8' });
  assert.deepEqual(parseLauncherVersion('something else 1.0'), { kind: 'unknown' });
});

function fakeRunner(outputs: Record<string, string>): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    exec: async (argv) => {
      calls.push([...argv]);
      return { stdout: outputs[argv[0]] ?? '', stderr: '', code: outputs[argv[0]] === undefined ? 1 : 0 };
    },
  };
}

test('auto: the first launcher on PATH, identified by --version', async () => {
  const runner = fakeRunner({ '/usr/bin/mpirun': fixture('version-openmpi-mpirun.txt') });
  const find = (n: string): string | undefined => (n === 'mpirun' ? '/usr/bin/mpirun' : undefined);
  const info = await detectLauncher({ setting: 'auto', env: {}, runner, find });
  assert.deepEqual(info, { kind: 'openmpi', command: '/usr/bin/mpirun', version: '4.1.4' });
  assert.deepEqual(runner.calls, [['/usr/bin/mpirun', '--version']]);
});

test('auto: srun inside a Slurm allocation, mpirun outside', async () => {
  const runner = fakeRunner({ '/usr/bin/srun': 'slurm 23.02.7\n', '/usr/bin/mpirun': fixture('version-mpich-mpirun.txt') });
  const find = (n: string): string | undefined => (n === 'srun' || n === 'mpirun' ? `/usr/bin/${n}` : undefined);
  assert.equal((await detectLauncher({ setting: 'auto', env: { SLURM_JOB_ID: '42' }, runner, find })).kind, 'slurm');
  assert.equal((await detectLauncher({ setting: 'auto', env: {}, runner, find })).kind, 'mpich');
});

test('no launcher: a NoLauncherError naming what was looked for', async () => {
  const runner = fakeRunner({});
  await assert.rejects(detectLauncher({ setting: 'auto', env: {}, runner, find: () => undefined }), (e: Error) => e instanceof NoLauncherError && /mpirun, mpiexec/.test(e.message));
  await assert.rejects(detectLauncher({ setting: '/opt/x/mpiexec', env: {}, runner, find: () => undefined }), /\/opt\/x\/mpiexec.*not found/);
});

test('an explicit launcher whose version cannot be read runs generically; srun by name', async () => {
  const runner = fakeRunner({});
  const find = (n: string): string => n;
  assert.equal((await detectLauncher({ setting: '/opt/weird/mpiexec', env: {}, runner, find })).kind, 'unknown');
  assert.equal((await detectLauncher({ setting: '/opt/slurm/bin/srun', env: {}, runner, find })).kind, 'slurm');
});
