import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expandHostlist,
  formatDuration,
  parseDurationMinutes,
  parseDurationSeconds,
  parseGres,
  parseMemoryMiB,
  parseNodeState,
  parseTres,
  tresGpus,
} from '../../../../src/core/slurm/units';

test('durations as Slurm prints them', () => {
  assert.equal(parseDurationSeconds('0:04'), 4);
  assert.equal(parseDurationSeconds('30:00'), 30 * 60);
  assert.equal(parseDurationSeconds('1:02:03'), 3723);
  assert.equal(parseDurationSeconds('00:30:00'), 1800);
  assert.equal(parseDurationSeconds('1-00:00:00'), 86400);
  assert.equal(parseDurationSeconds('5-03:00:00'), 5 * 86400 + 3 * 3600);
  assert.equal(parseDurationSeconds('2-12'), 2 * 86400 + 12 * 3600);
  assert.equal(parseDurationSeconds('30'), 1800, 'bare number = minutes (slurm.conf)');
  for (const unset of ['UNLIMITED', 'INVALID', 'NOT_SET', 'N/A', '', 'infinite', 'Partition_Limit']) {
    assert.equal(parseDurationSeconds(unset), null, unset);
  }
  assert.equal(parseDurationMinutes('1-00:00:00'), 1440);
  assert.equal(parseDurationMinutes('UNLIMITED'), null);
  assert.equal(formatDuration(3723), '1:02:03');
  assert.equal(formatDuration(86400 + 61), '1-00:01:01');
  assert.equal(formatDuration(59), '0:59');
  assert.equal(formatDuration(null), 'UNLIMITED');
});

test('host lists', () => {
  assert.deepEqual(expandHostlist('n[1-3,5],m01'), ['n1', 'n2', 'n3', 'n5', 'm01']);
  assert.deepEqual(expandHostlist('cn[001-003]'), ['cn001', 'cn002', 'cn003']);
  assert.deepEqual(expandHostlist('r[1-2]n[1-2]'), ['r1n1', 'r1n2', 'r2n1', 'r2n2']);
  assert.deepEqual(expandHostlist('gpu01'), ['gpu01']);
  assert.deepEqual(expandHostlist('(null)'), []);
  assert.deepEqual(expandHostlist(''), []);
  assert.equal(expandHostlist('n[1-10000]').length, 10000);
});

test('gres and TRES', () => {
  assert.deepEqual(parseGres('gpu:a100:4(S:0-1)'), [{ name: 'gpu', type: 'a100', count: 4 }]);
  assert.deepEqual(parseGres('gpu:2,mps:100'), [
    { name: 'gpu', count: 2 },
    { name: 'mps', count: 100 },
  ]);
  assert.deepEqual(parseGres('gpu:tesla:2(IDX:0-1),gpu:k80:1(IDX:2)'), [
    { name: 'gpu', type: 'tesla', count: 2 },
    { name: 'gpu', type: 'k80', count: 1 },
  ]);
  assert.deepEqual(parseGres('gpu'), [{ name: 'gpu', count: 1 }]);
  assert.deepEqual(parseGres('gpu:a100'), [{ name: 'gpu', type: 'a100', count: 1 }]);
  assert.deepEqual(parseGres('(null)'), []);
  const tres = parseTres('cpu=48,mem=375G,gres/gpu=3,gres/gpu:a100=3');
  assert.equal(tres.get('cpu'), '48');
  assert.equal(tresGpus(tres), 3, 'typed duplicates not counted twice');
  assert.equal(tresGpus(parseTres('cpu=2,gres/gpu:a100=2,gres/gpu:v100=1')), 3);
  assert.equal(tresGpus(parseTres('')), 0);
});

test('memory sizes', () => {
  assert.equal(parseMemoryMiB('2000'), 2000);
  assert.equal(parseMemoryMiB('2000M'), 2000);
  assert.equal(parseMemoryMiB('4G'), 4096);
  assert.equal(parseMemoryMiB('187.50G'), 192000);
  assert.equal(parseMemoryMiB('1T'), 1024 * 1024);
  assert.equal(parseMemoryMiB('lots'), null);
});

test('node states from sinfo and scontrol', () => {
  const cases: [string, string, Partial<Record<'notResponding' | 'poweredDown' | 'drain' | 'poweringUp', boolean>>][] = [
    ['idle', 'idle', {}],
    ['idle*', 'idle', { notResponding: true }],
    ['mix~', 'mixed', { poweredDown: true }],
    ['alloc#', 'allocated', { poweringUp: true }],
    ['drain', 'drained', { drain: true }],
    ['drng', 'draining', { drain: true }],
    ['down*', 'down', { notResponding: true }],
    ['inval', 'unknown', {}],
    ['IDLE', 'idle', {}],
    ['MIXED', 'mixed', {}],
    ['IDLE+DRAIN', 'drained', { drain: true }],
    ['ALLOCATED+DRAIN', 'draining', { drain: true }],
    ['MIXED+DRAIN', 'draining', { drain: true }],
    ['DOWN*+DRAIN', 'down', { drain: true, notResponding: true }],
    ['UNKNOWN+DRAIN+INVALID_REG', 'drained', { drain: true }],
    ['IDLE+CLOUD+POWERED_DOWN', 'idle', { poweredDown: true }],
    ['DOWN+NOT_RESPONDING', 'down', { notResponding: true }],
  ];
  for (const [text, base, flags] of cases) {
    const st = parseNodeState(text);
    assert.equal(st.base, base, text);
    for (const [k, v] of Object.entries(flags)) assert.equal(st[k as keyof typeof flags], v, `${text} ${k}`);
  }
  assert.ok(parseNodeState('IDLE+CLOUD+POWERED_DOWN').flags.includes('cloud'));
});
