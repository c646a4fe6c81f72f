/**
 * The sandbox cluster itself: Slurm answers with the expected partitions and nodes, the test
 * user submits over the private sshd and jobs complete (serial, and MPI over 2 nodes with
 * srun --mpi=pmix), and the sshd refuses keys it does not know.
 *
 * Needs the sandbox up: bash test/sandbox/sandbox.sh up
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSandbox, runCommand, slurmEnv, sshArgs, sshRun, waitForJobEnd } from '../../support/sandbox';

const info = loadSandbox();
const env = slurmEnv(info);
/** A folder in the test user's home for this run's files. */
const runDir = `hpcw-sandbox-test/${process.pid}-${Date.now()}`;

after(async () => {
  await sshRun(`rm -rf ${runDir}`, { info });
});

async function slurm(cmd: string, args: string[]): Promise<string> {
  const r = await runCommand(cmd, args, { env });
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** Submits over ssh from runDir; returns the job id. */
async function sshSbatch(sbatchArgs: string): Promise<string> {
  const r = await sshRun(`mkdir -p ${runDir} && cd ${runDir} && sbatch --parsable ${sbatchArgs}`);
  assert.equal(r.code, 0, `sbatch over ssh failed: ${r.stderr}`);
  const id = r.stdout.trim().split(';')[0];
  assert.match(id, /^\d+$/);
  return id;
}

test('sinfo shows the two partitions and the four nodes', async () => {
  const partitions = new Set((await slurm('sinfo', ['-h', '-o', '%R'])).trim().split('\n'));
  assert.deepEqual([...partitions].sort(), ['compute', 'debug']);
  const nodes = new Set((await slurm('sinfo', ['-h', '-N', '-o', '%N'])).trim().split('\n'));
  assert.deepEqual([...nodes].sort(), ['n1', 'n2', 'n3', 'n4']);

  const rows = (await slurm('sinfo', ['-h', '-o', '%R|%a|%l|%D|%N'])).trim().split('\n');
  assert.ok(rows.includes('debug|up|30:00|2|n[1-2]'), rows.join('\n'));
  assert.ok(rows.includes('compute|up|1-00:00:00|4|n[1-4]'), rows.join('\n'));
  const features = (await slurm('sinfo', ['-h', '-N', '-o', '%N %f'])).trim().split('\n');
  assert.ok(features.includes('n3 bigmem') && features.includes('n4 bigmem'), features.join('\n'));
  assert.ok(features.includes('n1 (null)'), features.join('\n'));

  const cluster = await slurm('scontrol', ['show', 'config']);
  assert.match(cluster, new RegExp(`ClusterName\\s+= ${info.clusterName}\\b`));
  assert.deepEqual(info.partitions.map((p) => p.name), ['debug', 'compute']);
});

test('over ssh the test user submits a job that completes with its output', async () => {
  const who = await sshRun('id -un; echo "$SLURM_CONF"');
  assert.equal(who.code, 0, who.stderr);
  assert.deepEqual(who.stdout.trim().split('\n'), [info.sshUser, info.slurmConf]);

  const marker = `hello-from-sandbox-${process.pid}`;
  const id = await sshSbatch(`-p debug -o serial-%j.out --wrap 'echo ${marker} on $SLURMD_NODENAME'`);
  assert.deepEqual(await waitForJobEnd(id), ['COMPLETED']);
  const out = await sshRun(`cat ${runDir}/serial-${id}.out`);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, new RegExp(`^${marker} on n[12]$`, 'm'));

  // Finished jobs are also visible to the user through the jobcomp file (no slurmdbd here).
  const acct = await sshRun(`sacct -c -P -n -j ${id} -o JobID,State,ExitCode`);
  assert.equal(acct.code, 0, acct.stderr);
  assert.match(acct.stdout, new RegExp(`^${id}\\|COMPLETED\\|0:0$`, 'm'));
});

test('an mpi4py job over 2 nodes with srun --mpi=pmix completes with 4 ranks', async () => {
  const program = [
    'import os',
    'from mpi4py import MPI',
    'comm = MPI.COMM_WORLD',
    'total = comm.allreduce(comm.Get_rank(), op=MPI.SUM)',
    'print(f"rank {comm.Get_rank()} of {comm.Get_size()} on {os.environ[\'SLURMD_NODENAME\']} sum {total}", flush=True)',
    '',
  ].join('\n');
  const put = await sshRun(`mkdir -p ${runDir} && cat > ${runDir}/ranks.py`, { input: program });
  assert.equal(put.code, 0, put.stderr);
  const id = await sshSbatch(
    `-p compute -N 2 --ntasks-per-node=2 -o mpi-%j.out --wrap 'srun --mpi=pmix /usr/bin/python3 ranks.py'`,
  );
  assert.deepEqual(await waitForJobEnd(id, { timeoutMs: 90_000 }), ['COMPLETED']);
  const out = await sshRun(`cat ${runDir}/mpi-${id}.out`);
  const lines = out.stdout.split('\n').filter((l) => l.startsWith('rank '));
  assert.equal(lines.length, 4, out.stdout);
  const ranks = lines.map((l) => Number(/^rank (\d+) of 4 on n\d sum 6$/.exec(l)?.[1])).sort();
  assert.deepEqual(ranks, [0, 1, 2, 3], out.stdout);
  const nodes = new Set(lines.map((l) => /on (n\d)/.exec(l)?.[1]));
  assert.equal(nodes.size, 2, out.stdout);
});

test('the sshd presents the recorded host key and refuses an unknown client key', async () => {
  const known = await runCommand('ssh-keygen', ['-l', '-E', 'sha256', '-f', info.knownHosts]);
  assert.equal(known.code, 0, known.stderr);
  assert.ok(known.stdout.includes(info.hostKeyFingerprint), known.stdout);
  assert.match(fs.readFileSync(info.knownHosts, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${info.sshPort} ssh-ed25519 `));

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-wrong-key-'));
  try {
    const key = path.join(tmp, 'id_ed25519');
    const gen = await runCommand('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    assert.equal(gen.code, 0, gen.stderr);
    const r = await runCommand('ssh', [
      '-F', path.join(info.clientHome, '.ssh', 'config'),
      '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', key, '-p', String(info.sshPort),
      '-o', `UserKnownHostsFile=${info.knownHosts}`, '-o', 'StrictHostKeyChecking=yes',
      `${info.sshUser}@127.0.0.1`, 'true',
    ]);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /Permission denied \(publickey\)/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  // The right key through the alias still works.
  const ok = await runCommand('ssh', [...sshArgs(info), 'true']);
  assert.equal(ok.code, 0, ok.stderr);
});
