/** The one Slurm grammar, in both modes: what the linter (request) and the explorer (report) read. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseGresCount, parseGresList, parseHostlist, parseMemorySize } from '../../../../../src/core/slurm/grammar';
import * as sbatch from '../../../../../src/core/sbatch/values';
import * as units from '../../../../../src/core/slurm/units';

const value = <T>(r: { ok: true; value: T } | { ok: false; error: string }): T | string => (r.ok ? r.value : `error: ${r.error}`);

test('duration: the same forms in both modes; a request is strict about blanks and field width, a report about days without hours', () => {
  for (const mode of ['request', 'report'] as const) {
    assert.equal(value(parseDuration('90', mode)), 5400);
    assert.equal(value(parseDuration('5:30', mode)), 330);
    assert.equal(value(parseDuration('1:02:03', mode)), 3723);
    assert.equal(value(parseDuration('1-12', mode)), 129600);
    assert.equal(value(parseDuration('1-00:00:01', mode)), 86401);
    assert.equal(value(parseDuration('UNLIMITED', mode)), Infinity);
  }
  assert.equal(value(parseDuration(' 30 ', 'report')), 1800);
  assert.match(String(value(parseDuration(' 30 ', 'request'))), /^error: " 30 " is not a duration/);
  assert.equal(value(parseDuration('-1', 'request')), Infinity);
  assert.equal(value(parseDuration('2-', 'request')), 172800);
  assert.match(String(value(parseDuration('2-', 'report'))), /^error/);
  assert.match(String(value(parseDuration('1234567890', 'request'))), /^error/);
  assert.match(String(value(parseDuration('1h', 'report'))), /^error/);
});

test('memory: requests are whole numbers with K/M/G/T, reports may have decimals, blanks and iB', () => {
  assert.equal(value(parseMemorySize('4G')), 4096);
  assert.equal(value(parseMemorySize('2049K')), 3, 'a request rounds kibibytes up');
  assert.equal(value(parseMemorySize('2049K', 'report')), 2, 'a report rounds to the nearest');
  assert.equal(value(parseMemorySize('187.50G', 'report')), 192000);
  assert.match(String(value(parseMemorySize('187.50G'))), /^error/);
  assert.equal(value(parseMemorySize('4 GiB', 'report')), 4096);
  assert.match(String(value(parseMemorySize('4 G'))), /^error/);
});

test('GRES: requests are checked item by item; reports drop annotations and never fail', () => {
  assert.deepEqual(value(parseGresList('gpu:a100:2,gres/nvme:1')), [{ name: 'gpu', type: 'a100', count: 2 }, { name: 'nvme', count: 1 }]);
  assert.deepEqual(value(parseGresList('gpu:a100:4(S:0-1),mps:100', 'report')), [{ name: 'gpu', type: 'a100', count: 4 }, { name: 'mps', count: 100 }]);
  assert.match(String(value(parseGresList('gpu:a100:4(S:0-1)'))), /^error: "gpu:a100:4\(S:0-1\)" is not NAME\[:TYPE\]\[:COUNT\]/);
  assert.deepEqual(value(parseGresList('(null)', 'report')), []);
  assert.deepEqual(value(parseGresList('none')), []);
  assert.equal(parseGresCount('2K'), 2048);
  assert.equal(parseGresCount('x'), undefined);
});

test('host lists: one expansion; a request rejects what a report keeps as written', () => {
  for (const mode of ['request', 'report'] as const) {
    assert.deepEqual(value(parseHostlist('n[1-3,5],gpu01', { mode })), ['n1', 'n2', 'n3', 'n5', 'gpu01']);
    assert.deepEqual(value(parseHostlist('r[1-2]n[01-02]', { mode })), ['r1n01', 'r1n02', 'r2n01', 'r2n02']);
  }
  assert.match(String(value(parseHostlist('n[1-'))), /^error: "n\[1-" has unbalanced/);
  assert.match(String(value(parseHostlist('a,,b'))), /^error: "a,,b" has an empty item/);
  assert.match(String(value(parseHostlist('n[3-1]'))), /^error: "n\[3-1\]" is not a host name/);
  assert.deepEqual(value(parseHostlist('a,,b', { mode: 'report' })), ['a', 'b']);
  assert.deepEqual(value(parseHostlist('(null)', { mode: 'report' })), []);
  assert.deepEqual(value(parseHostlist('n[1-3', { mode: 'report' })), ['n[1-3']);
  assert.equal((value(parseHostlist('n[1-1000000]', { limit: 10 })) as string[]).length, 10);
});

test('the linter and the explorer read through the same grammar', () => {
  const lists = ['n[1-3,5],gpu01', 'node[01-03]', 'rack[1-2]n[1-2]', 'cn001'];
  for (const l of lists) assert.deepEqual(sbatch.expandHostlist(l), units.expandHostlist(l), l);
  for (const t of ['90', '5:30', '1:00:00', '2-12', '1-00:00:01']) assert.equal((sbatch.parseSlurmTime(t) ?? NaN) * 60, Math.ceil((units.parseDurationSeconds(t) ?? NaN) / 60) * 60, t);
  for (const m of ['500', '4G', '1T', '2048K']) assert.equal(sbatch.parseMemory(m), units.parseMemoryMiB(m), m);
  for (const g of ['gpu:2', 'gpu:a100:2,nvme:1', 'gpu:tesla', 'gpu']) assert.deepEqual(sbatch.parseGres(g), units.parseGres(g), g);
});
