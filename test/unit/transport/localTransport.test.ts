import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalTransport } from '../../../src/transport/local';

test('runs argv without a shell, with SLURM_CONF from the cluster config', async () => {
  const t = new LocalTransport({ slurmConf: '/etc/test slurm.conf' });
  const r = await t.exec(['sh', '-c', 'printf "%s|%s" "$SLURM_CONF" "$1"', 'sh', '$(echo pwned); `id`']);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '/etc/test slurm.conf|$(echo pwned); `id`');
});

test('stdin, cwd and exit codes', async () => {
  const t = new LocalTransport();
  const r = await t.exec(['sh', '-c', 'cat; pwd; exit 7'], { stdin: 'in\n', cwd: '/tmp' });
  assert.equal(r.stdout, 'in\n/tmp\n');
  assert.equal(r.code, 7);
});

test('a missing Slurm command says what is wrong', async () => {
  const t = new LocalTransport();
  await assert.rejects(t.exec(['sinfo-that-does-not-exist']), /not found/);
  const env = { PATH: '/nonexistent' };
  const saved = process.env.PATH;
  process.env.PATH = env.PATH;
  try {
    await assert.rejects(t.exec(['sinfo', '-h']), /^Error: sinfo not found: is Slurm installed on this host\?$/);
  } finally {
    process.env.PATH = saved;
  }
});

test('a timeout or an abort kills the process', async () => {
  const t = new LocalTransport();
  await assert.rejects(t.exec(['sleep', '30'], { timeoutMs: 200 }), /did not finish within/);
  const ac = new AbortController();
  const p = t.exec(['sleep', '30'], { signal: ac.signal });
  setTimeout(() => ac.abort(), 100);
  await assert.rejects(p, /cancelled/);
});
