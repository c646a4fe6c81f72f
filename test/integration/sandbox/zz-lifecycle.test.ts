/**
 * The sandbox's own life cycle: status/up/down are idempotent, the fault actions that other
 * tests use (freeze/stop slurmctld, stop sshd) really cause an outage and recover, and `down`
 * leaves no process of the instance behind — even with a job running.
 *
 * Runs after the other sandbox tests (file order) and always leaves the sandbox up.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { loadSandbox, runCommand, sandboxCtl, slurmEnv, sshRun } from '../../support/sandbox';

const info = loadSandbox();
const env = slurmEnv(info);
/** munged, slurmctld, 4 slurmd, sshd; with slurmdbd also MariaDB and slurmdbd. */
const daemons = ['munged', 'slurmctld', 'slurmd-n1', 'slurmd-n2', 'slurmd-n3', 'slurmd-n4', 'sshd', ...(info.accounting === 'slurmdbd' ? ['mariadbd', 'slurmdbd'] : [])];

/** True when PID runs and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every live process whose environment marks it as belonging to this sandbox instance. */
function instanceProcesses(): number[] {
  const marker = `HPCW_SANDBOX_OWNER=${info.dir}`;
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const vars = fs.readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (vars.includes(marker) && alive(Number(entry))) found.push(Number(entry));
    } catch {
      // The process ended meanwhile, or its environment is not readable.
    }
  }
  return found;
}

/** The PIDs that `status` reports as running. */
function statusPids(stdout: string): number[] {
  return [...stdout.matchAll(/running \(pid (\d+)\)/g)].map((m) => Number(m[1]));
}

const sinfo = () => runCommand('sinfo', ['-h', '-o', '%P'], { env, timeoutMs: 30_000 });

after(async () => {
  // Whatever happened above, the sandbox is left running for the tests that follow.
  await sandboxCtl('thaw-ctld').catch(() => undefined);
  await sandboxCtl('up');
});

test('status reports every daemon and up is a no-op when everything runs', async () => {
  const status = await sandboxCtl('status');
  assert.equal(status.code, 0, status.stdout);
  assert.equal(statusPids(status.stdout).length, daemons.length, status.stdout);
  for (const name of daemons) {
    assert.match(status.stdout, new RegExp(`^${name}\\s+running`, 'm'));
  }
  const up = await sandboxCtl('up');
  assert.match(up.stderr, /already up/);
  assert.deepEqual(statusPids((await sandboxCtl('status')).stdout), statusPids(status.stdout));
});

test('freezing slurmctld makes Slurm commands fail, thawing brings them back', async () => {
  await sandboxCtl('freeze-ctld');
  const frozen = await sinfo();
  assert.notEqual(frozen.code, 0);
  const status = await sandboxCtl('status');
  assert.equal(status.code, 1);
  assert.match(status.stdout, /frozen/);
  await sandboxCtl('thaw-ctld');
  const thawed = await sinfo();
  assert.equal(thawed.code, 0, thawed.stderr);
});

test('stopping and starting slurmctld', async () => {
  await sandboxCtl('stop-ctld');
  const stopped = await sinfo();
  assert.notEqual(stopped.code, 0);
  assert.match(stopped.stderr, /Unable to contact slurm controller|connect failure|timed out/i);
  assert.equal((await sandboxCtl('status')).code, 1);
  await sandboxCtl('start-ctld');
  const started = await sinfo();
  assert.equal(started.code, 0, started.stderr);
  assert.deepEqual(started.stdout.trim().split('\n').sort(), ['compute', 'debug*']);
});

test('stopping and starting sshd', async () => {
  await sandboxCtl('stop-sshd');
  const refused = await sshRun('true', { info });
  assert.equal(refused.code, 255);
  assert.equal((await sandboxCtl('status')).code, 1);
  await sandboxCtl('start-sshd');
  const ok = await sshRun('true', { info });
  assert.equal(ok.code, 0, ok.stderr);
});

test('down ends every process of the instance (a running job too) and is idempotent; up again', async () => {
  const job = await sshRun(`sbatch --parsable -o /dev/null --wrap 'sleep 600'`, { info });
  assert.equal(job.code, 0, job.stderr);
  const before = statusPids((await sandboxCtl('status')).stdout);
  assert.equal(before.length, daemons.length);

  await sandboxCtl('down');
  assert.deepEqual(before.filter(alive), [], 'a daemon survived down');
  assert.deepEqual(instanceProcesses(), [], 'a process of the instance survived down');
  const status = await sandboxCtl('status');
  assert.equal(status.code, 1);
  assert.doesNotMatch(status.stdout, /running/);
  assert.notEqual((await sinfo()).code, 0);
  await sandboxCtl('down');

  await sandboxCtl('up');
  assert.equal((await sandboxCtl('status')).code, 0);
  const nodes = await runCommand('sinfo', ['-h', '-N', '-o', '%N %t'], { env });
  assert.deepEqual([...new Set(nodes.stdout.trim().split('\n'))].sort(), ['n1 idle', 'n2 idle', 'n3 idle', 'n4 idle']);
  const again = await sshRun('sinfo -h -o %P', { info });
  assert.equal(again.code, 0, again.stderr);
});
