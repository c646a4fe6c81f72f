/**
 * The sample workspace (test/fixtures/workspace) really runs on the sandbox cluster: it is
 * copied to the test user's home over ssh and its job scripts are submitted from there.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { loadSandbox, sshRun, waitForJobEnd } from '../../support/sandbox';

const info = loadSandbox();
const workspace = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'workspace');
const remote = `hpcw-sandbox-test/ws-${process.pid}-${Date.now()}`;

async function submit(script: string): Promise<string> {
  const r = await sshRun(`cd ${remote} && sbatch --parsable ${script}`, { info });
  assert.equal(r.code, 0, `sbatch ${script} failed: ${r.stderr}`);
  const id = r.stdout.trim().split(';')[0];
  assert.match(id, /^\d+$/);
  return id;
}

async function remoteFile(name: string): Promise<string> {
  const r = await sshRun(`cat ${remote}/${name}`, { info });
  assert.equal(r.code, 0, `cat ${name}: ${r.stderr}`);
  return r.stdout;
}

before(async () => {
  const tar = execFileSync('tar', ['-C', workspace, '-cf', '-', '.']);
  const r = await sshRun(`mkdir -p ${remote} && tar -C ${remote} -xf -`, { info, input: tar });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  await sshRun(`rm -rf ${remote}`, { info });
});

test('jobs/hello.sbatch runs on the debug partition', async () => {
  const id = await submit('jobs/hello.sbatch');
  assert.deepEqual(await waitForJobEnd(id), ['COMPLETED']);
  const out = await remoteFile(`hello-${id}.out`);
  assert.match(out, new RegExp(`^Hello from job ${id} on n[12]$`, 'm'));
  assert.match(out, /^partition=debug /m);
});

test('jobs/mpi_pi.sbatch computes pi with 4 ranks on 2 nodes', async () => {
  const id = await submit('jobs/mpi_pi.sbatch');
  assert.deepEqual(await waitForJobEnd(id, { timeoutMs: 90_000 }), ['COMPLETED']);
  const out = await remoteFile(`mpi-pi-${id}.out`);
  const ranks = [...out.matchAll(/^rank (\d) of 4 on /gm)].map((m) => Number(m[1])).sort();
  assert.deepEqual(ranks, [0, 1, 2, 3], out);
  assert.match(out, /^pi ~= 3\.14159\d* \(error [0-9.e-]+\) with 2000000 intervals on 4 ranks/m);
});

test('jobs/array.sbatch runs 4 array tasks, each with a pool of 2 workers', async () => {
  const id = await submit('jobs/array.sbatch');
  assert.deepEqual(await waitForJobEnd(id, { timeoutMs: 90_000 }), ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
  for (const task of [1, 2, 3, 4]) {
    const out = await remoteFile(`squares-${id}_${task}.out`);
    const start = (task - 1) * 100;
    let sum = 0;
    for (let n = start; n < start + 100; n++) sum += n * n;
    assert.match(out, new RegExp(`^100 squares from ${start} with 2 workers \\(\\d processes used\\): sum ${sum}$`, 'm'));
  }
});

test('jobs/broken.sbatch is refused by sbatch', async () => {
  const r = await sshRun(`cd ${remote} && sbatch --parsable jobs/broken.sbatch`, { info });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unrecognized option '--tiem=10'/);
});
