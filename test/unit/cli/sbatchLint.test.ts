/**
 * The sbatch-lint binary as users run it: node dist/sbatch-lint.js (built by `npm run build`,
 * which scripts/test-all.sh runs before the unit layer).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const bin = path.join(repo, 'dist', 'sbatch-lint.js');
const fixtures = path.join(repo, 'test', 'fixtures', 'sbatch');

function run(args: string[], input?: string, cwd = repo) {
  assert.ok(fs.existsSync(bin), `${bin} is missing: run npm run build first`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, input, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('clean script: exit 0 and no output', () => {
  const r = run([path.join(fixtures, 'valid', 'mpi.sbatch')]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '');
  assert.equal(r.code, 0);
});

test('errors: exit 1, text lines file:line:col: severity: message [code]', () => {
  const file = path.join(fixtures, 'invalid', 'unknown-long.sbatch');
  const r = run([file]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:9: error: sbatch has no option "--tmie"\\. Did you mean --time or --tmp\\? \\[unknown-option\\]$`, 'm'));
});

test('warnings alone: exit 0', () => {
  const r = run([path.join(fixtures, 'invalid', 'after-command.sbatch')]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /warning: .*\[directive-after-command\]/);
  assert.equal(run(['--no-warnings', path.join(fixtures, 'invalid', 'after-command.sbatch')]).stdout, '');
});

test('json: one array with 1-based positions for all files', () => {
  const a = path.join(fixtures, 'invalid', 'memory-unit.sbatch');
  const b = path.join(fixtures, 'invalid', 'duplicate.sbatch');
  const r = run(['--format', 'json', a, b]);
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(out));
  assert.deepEqual(out[0], {
    file: a, line: 3, column: 15, endLine: 3, endColumn: 19, severity: 'error', code: 'invalid-value',
    message: 'Invalid --mem "4GiB": a whole number with an optional unit K, M, G or T (default M), e.g. 4G or 500M.',
  });
  assert.ok(out.some((d) => d.file === b && d.code === 'duplicate-option' && d.severity === 'warning'));
  for (const d of out) assert.deepEqual(Object.keys(d).sort(), ['code', 'column', 'endColumn', 'endLine', 'file', 'line', 'message', 'severity']);
  assert.equal(run(['--format=json', path.join(fixtures, 'valid', 'serial.sbatch')]).stdout.trim(), '[]');
});

test('--cluster-info enables cluster checks; a bad snapshot is a usage error', () => {
  const file = path.join(fixtures, 'invalid', 'time-over-partition.sbatch');
  assert.equal(run([file]).code, 0);
  const r = run(['--cluster-info', path.join(fixtures, 'sandbox-cluster.json'), file]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /\[time-exceeds-partition\]/);
  const bad = path.join(os.tmpdir(), `hpcw-bad-snapshot-${process.pid}.json`);
  fs.writeFileSync(bad, '{"version": 99}');
  try {
    const b = run(['--cluster-info', bad, file]);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /unsupported version/);
  } finally {
    fs.rmSync(bad, { force: true });
  }
});

test('stdin with "-", --summary', () => {
  const r = run(['--summary', '-'], '#!/bin/bash\n#SBATCH -N 2 -n 4 -t 1:00:00\nsrun x\n');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^<stdin>:2:1: information: Request: 2 nodes × 4 tasks × 1 CPU\/task = 4 CPUs, 01:00:00 → 4\.00 core-hours \[request-summary\]$/m);
});

test('output directory next to the script is checked', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-lint-'));
  try {
    const script = path.join(dir, 'job.sbatch');
    fs.writeFileSync(script, '#!/bin/bash\n#SBATCH -o logs/%j.out\nhostname\n');
    assert.match(run([script], undefined, os.tmpdir()).stdout, /\[output-dir-missing\]/);
    fs.mkdirSync(path.join(dir, 'logs'));
    assert.equal(run([script], undefined, os.tmpdir()).stdout, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('usage and I/O errors exit 2; --help and --version exit 0', () => {
  assert.equal(run([]).code, 2);
  assert.equal(run(['--bogus', 'x']).code, 2);
  assert.equal(run(['--format', 'xml', 'x']).code, 2);
  const missing = run(['/nonexistent/job.sbatch']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such file/);
  const help = run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: sbatch-lint/);
  const version = run(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^sbatch-lint \d+\.\d+\.\d+/);
});
