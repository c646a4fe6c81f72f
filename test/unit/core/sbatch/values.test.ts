/**
 * The value grammars (src/core/sbatch/values.ts), recorded against sbatch 22.05 of the sandbox.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkBeginTime, checkDependency, checkDistribution, expandHostlist, parseArraySpec,
  parseConstraint, parseGpuCount, parseGres, parseMemory, parseNodeCount, parseSignalSpec, parseSlurmTime,
  unknownFilenamePatterns, formatSlurmTime, checkTres,
} from '../../../../src/core/sbatch';

test('parseSlurmTime: every Slurm form, in minutes, seconds rounded up', () => {
  assert.equal(parseSlurmTime('90'), 90);
  assert.equal(parseSlurmTime('5:30'), 6);
  assert.equal(parseSlurmTime('1:00:00'), 60);
  assert.equal(parseSlurmTime('2-0'), 2880);
  assert.equal(parseSlurmTime('1-12'), 2160);
  assert.equal(parseSlurmTime('1-1:30'), 1530);
  assert.equal(parseSlurmTime('1-00:00:01'), 1441);
  assert.equal(parseSlurmTime('UNLIMITED'), Infinity);
  assert.equal(parseSlurmTime('1h'), undefined);
  assert.equal(formatSlurmTime(1530), '1-01:30:00');
  assert.equal(formatSlurmTime(30), '00:30:00');
});

test('parseMemory: units and MiB', () => {
  assert.equal(parseMemory('500'), 500);
  assert.equal(parseMemory('4G'), 4096);
  assert.equal(parseMemory('2048K'), 2);
  assert.equal(parseMemory('1T'), 1048576);
  assert.equal(parseMemory('4 G'), undefined);
});

test('parseNodeCount and parseArraySpec', () => {
  assert.deepEqual(parseNodeCount('2-4'), { min: 2, max: 4 });
  assert.deepEqual(parseNodeCount('2k'), { min: 2048 });
  assert.deepEqual(parseArraySpec('0-15:4%2'), { count: 4, maxIndex: 12, limit: 2 });
  assert.deepEqual(parseArraySpec('1,3,10-12'), { count: 5, maxIndex: 12 });
  assert.ok('error' in parseArraySpec('1,,2'));
  assert.ok('error' in parseArraySpec('%2'));
  assert.ok('error' in parseArraySpec('1-5:0'));
});

test('checkDependency: , and ? combinations, array tasks, +time only for after', () => {
  assert.equal(checkDependency('afterok:12:13,afternotok:14'), undefined);
  assert.equal(checkDependency('afterany:12?afterok:13_4'), undefined);
  assert.equal(checkDependency('aftercorr:12_*'), undefined);
  assert.match(checkDependency('afterok:1,afterany:2?singleton') ?? '', /not both/);
  assert.match(checkDependency('afterok:1+5') ?? '', /only allowed with "after"/);
  assert.match(checkDependency('afterok:') ?? '', /not a job id/);
  assert.match(checkDependency('afterok:1,') ?? '', /empty/);
});

test('GRES, GPUs and TRES', () => {
  assert.deepEqual(parseGres('gpu:2'), [{ name: 'gpu', count: 2 }]);
  assert.deepEqual(parseGres('gpu:a100:2,nvme:1'), [{ name: 'gpu', type: 'a100', count: 2 }, { name: 'nvme', count: 1 }]);
  assert.deepEqual(parseGres('gpu:tesla'), [{ name: 'gpu', type: 'tesla', count: 1 }]);
  assert.deepEqual(parseGres('none'), []);
  assert.ok('error' in parseGres(':2'));
  assert.ok('error' in parseGres('gpu:x:y'));
  assert.deepEqual(parseGpuCount('a100:2'), { type: 'a100', count: 2 });
  assert.equal(parseGpuCount('x'), undefined);
  assert.equal(checkTres('cpu=4,gres/gpu:a100=1'), undefined);
  assert.ok(checkTres('cpu'));
});

test('signals and begin times', () => {
  assert.deepEqual(parseSignalSpec('B:USR1@90'), { signal: 'USR1', seconds: 90, batchOnly: true });
  assert.deepEqual(parseSignalSpec('15'), { signal: '15', seconds: 60, batchOnly: false });
  assert.ok('error' in parseSignalSpec('99'));
  assert.equal(checkBeginTime('16:00 12/25'), undefined);
  assert.equal(checkBeginTime('4:00 pm'), undefined);
  assert.ok(checkBeginTime('25:00'));
  assert.ok(checkBeginTime('2030-13-01'));
});

test('distribution, host lists, constraints, filename patterns', () => {
  assert.equal(checkDistribution('block:block:block,NoPack'), undefined);
  assert.ok(checkDistribution('block:block:block:block'));
  assert.ok(checkDistribution('plane=0'));
  assert.deepEqual(expandHostlist('n[1-3,5],gpu01'), ['n1', 'n2', 'n3', 'n5', 'gpu01']);
  assert.deepEqual(expandHostlist('node[01-03]'), ['node01', 'node02', 'node03']);
  assert.deepEqual(expandHostlist('rack[1-2]n[1-2]'), ['rack1n1', 'rack1n2', 'rack2n1', 'rack2n2']);
  assert.equal(expandHostlist('n[1-'), undefined);
  assert.equal(expandHostlist('n[3-1]'), undefined);
  assert.equal(expandHostlist('a,'), undefined);
  assert.equal(expandHostlist('n[1-1000000]', 10)?.length, 10);
  assert.deepEqual(parseConstraint('intel&(ib|opa)*2'), { features: ['intel', 'ib', 'opa'] });
  assert.deepEqual(parseConstraint('[rack1|rack2]'), { features: ['rack1', 'rack2'] });
  assert.ok('error' in parseConstraint('a&'));
  assert.ok('error' in parseConstraint('(a|b'));
  assert.ok('error' in parseConstraint('a|]'));
  assert.deepEqual(unknownFilenamePatterns('out-%j-%4a-%q-%%.txt'), ['%q']);
  assert.deepEqual(unknownFilenamePatterns('\\\\%q'), []);
});
