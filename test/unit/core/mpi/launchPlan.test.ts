import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildLaunchPlan, RANK_WRAPPER } from '../../../../src/core/mpi/launchPlan';
import { shellCommand } from '../../../../src/core/shellQuote';

const openmpi = { kind: 'openmpi', command: '/usr/bin/mpirun' };

test('Open MPI: root and more ranks than cores add their flags, and only then', () => {
  const base = { launcher: openmpi, program: '/w/a.py', ranks: 4, python: '/usr/bin/python3' };
  assert.deepEqual(buildLaunchPlan({ ...base, isRoot: false, cores: 8 }).argv, ['/usr/bin/mpirun', '-n', '4', '/usr/bin/python3', '-m', 'mpi4py', '/w/a.py']);
  assert.deepEqual(buildLaunchPlan({ ...base, isRoot: true, cores: 2 }).argv.slice(0, 5), ['/usr/bin/mpirun', '-n', '4', '--allow-run-as-root', '--oversubscribe']);
  assert.deepEqual(buildLaunchPlan({ ...base, isRoot: false, cores: 4 }).argv.slice(0, 4), ['/usr/bin/mpirun', '-n', '4', '/usr/bin/python3']);
  const plan = buildLaunchPlan({ ...base, tcpOnly: true });
  assert.equal(plan.env.OMPI_MCA_btl, 'self,tcp');
  assert.equal(buildLaunchPlan(base).env.OMPI_MCA_btl, undefined);
  assert.equal(plan.env.PYTHONUNBUFFERED, '1');
});

test('MPICH/Intel need no root or oversubscribe flags; srun gets --mpi when asked', () => {
  for (const kind of ['mpich', 'intel']) {
    assert.deepEqual(buildLaunchPlan({ launcher: { kind, command: 'mpiexec' }, program: '/w/prog', ranks: 8, isRoot: true, cores: 2 }).argv, ['mpiexec', '-n', '8', '/w/prog']);
  }
  const srun = buildLaunchPlan({ launcher: { kind: 'slurm', command: 'srun' }, program: '/w/prog', args: ['x y'], ranks: 3, srunMpi: 'pmix', extraArgs: ['--cpu-bind=none'] });
  assert.deepEqual(srun.argv, ['srun', '-n', '3', '--mpi=pmix', '--cpu-bind=none', '/w/prog', 'x y']);
});

test('executables run as they are; Python files through -m mpi4py; multiprocessing exposes HPCW_WORKERS', () => {
  assert.deepEqual(buildLaunchPlan({ launcher: openmpi, program: '/w/a.out', args: ['-v'], ranks: 2, cores: 2 }).argv, ['/usr/bin/mpirun', '-n', '2', '/w/a.out', '-v']);
  const mp = buildLaunchPlan({ program: '/w/pool.py', args: ['1'], ranks: 6, python: 'python3' }, 'multiprocessing');
  assert.deepEqual(mp.argv, ['python3', '/w/pool.py', '1']);
  assert.equal(mp.env.HPCW_WORKERS, '6');
  assert.throws(() => buildLaunchPlan({ launcher: openmpi, program: '/w/a.py', ranks: 0 }), /at least 1/);
  assert.throws(() => buildLaunchPlan({ launcher: openmpi, program: '/w/a.py', ranks: 2.5 }), /whole number/);
});

test('with a rank directory each rank runs through the wrapper; the argv survives shell quoting', () => {
  const plan = buildLaunchPlan({ launcher: openmpi, program: "/w/it's here.py", args: ['$(id)', 'a b'], ranks: 2, cores: 2, python: 'python3', rankDir: '/tmp/r' });
  assert.deepEqual(plan.argv.slice(3, 6), ['sh', '-c', RANK_WRAPPER]);
  assert.deepEqual(plan.argv.slice(6), ['hpcw-rank', 'python3', '-m', 'mpi4py', "/w/it's here.py", '$(id)', 'a b']);
  assert.equal(plan.env.HPCW_RANK_DIR, '/tmp/r');
  // The remote side will send this through a shell: what arrives must be the same argv.
  const echoed = spawnSync('sh', ['-c', `${shellCommand(['printf', '%s\\n', ...plan.argv.slice(6)])}`], { encoding: 'utf8' });
  assert.deepEqual(echoed.stdout.trimEnd().split('\n'), plan.argv.slice(6));
});

function runWrapper(env: Record<string, string>, program: string[]): { status: number | null; dir: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hpcw-wrap-'));
  // setsid: a process group of its own, as a launcher gives each rank.
  const r = spawnSync('setsid', ['sh', '-c', RANK_WRAPPER, 'hpcw-rank', ...program], { env: { PATH: process.env.PATH, HPCW_RANK_DIR: dir, ...env }, encoding: 'utf8' });
  return { status: r.status, dir, stderr: r.stderr };
}

test('the wrapper files output under the rank each launcher announces, and records the exit code', () => {
  const cases: [Record<string, string>, string][] = [
    [{ OMPI_COMM_WORLD_RANK: '3' }, '3'],
    [{ PMI_RANK: '5' }, '5'],
    [{ PMIX_RANK: '1' }, '1'],
    [{ SLURM_PROCID: '7' }, '7'],
  ];
  for (const [env, rank] of cases) {
    const r = runWrapper(env, ['sh', '-c', 'echo "out $1"; echo "err $1" >&2; exit 4', 'x', 'arg with space']);
    try {
      assert.equal(r.status, 4);
      assert.equal(readFileSync(join(r.dir, `${rank}.out`), 'utf8'), 'out arg with space\n');
      assert.equal(readFileSync(join(r.dir, `${rank}.err`), 'utf8'), 'err arg with space\n');
      assert.equal(readFileSync(join(r.dir, `${rank}.status`), 'utf8'), '4\n');
    } finally {
      rmSync(r.dir, { recursive: true, force: true });
    }
  }
});

test('the wrapper refuses to guess a rank, and a missing directory is an error, not a write to /', () => {
  const r = runWrapper({}, ['true']);
  assert.equal(r.status, 127);
  assert.match(r.stderr, /did not tell this process its MPI rank/);
  assert.deepEqual(readdirSync(r.dir), []);
  rmSync(r.dir, { recursive: true, force: true });
  const noDir = spawnSync('sh', ['-c', RANK_WRAPPER, 'hpcw-rank', 'true'], { env: { PATH: process.env.PATH, OMPI_COMM_WORLD_RANK: '0' }, encoding: 'utf8' });
  assert.notEqual(noDir.status, 0);
  assert.match(noDir.stderr, /HPCW_RANK_DIR is not set/);
});

test('a rank torn down by SIGTERM still records its status (143)', () => {
  // The program kills its own process group with TERM, as a launcher does to a rank.
  const r = runWrapper({ OMPI_COMM_WORLD_RANK: '2' }, ['sh', '-c', 'kill -TERM 0; sleep 5']);
  try {
    assert.equal(readFileSync(join(r.dir, '2.status'), 'utf8'), '143\n');
  } finally {
    rmSync(r.dir, { recursive: true, force: true });
  }
});

test('multiprocessing with a rank directory: the worker hook first on PYTHONPATH, the inherited path kept', () => {
  const mp = buildLaunchPlan({ program: '/w/pool.py', ranks: 3, python: 'python3', rankDir: '/tmp/r', pythonPath: '/home/u/lib' }, 'multiprocessing');
  assert.deepEqual(mp.argv, ['python3', '/w/pool.py']);
  assert.equal(mp.env.PYTHONPATH, '/tmp/r/py:/home/u/lib');
  assert.equal(mp.env.HPCW_WORKER_DIR, '/tmp/r');
  assert.equal(mp.rankDir, '/tmp/r');
  assert.deepEqual(mp.files?.map((f) => f.path), ['/tmp/r/py/sitecustomize.py']);
  assert.equal(buildLaunchPlan({ program: '/w/pool.py', ranks: 3, rankDir: '/tmp/r' }, 'multiprocessing').env.PYTHONPATH, '/tmp/r/py');
  // Not a Python program: nothing to hook; its output stays one stream.
  const exe = buildLaunchPlan({ program: '/w/a.out', ranks: 3, rankDir: '/tmp/r' }, 'multiprocessing');
  assert.equal(exe.rankDir, undefined);
  assert.equal(exe.env.PYTHONPATH, undefined);
});
