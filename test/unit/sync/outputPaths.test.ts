import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandOutputPattern, jobOutputPaths, resolveOutputPath } from '../../../src/core/slurm/outputPaths';

const job = { jobId: '1234', name: 'pi', userName: 'alice', nodeList: ['n1.cluster', 'n2'], workDir: '/home/alice/proj' };
const arrayJob = { ...job, jobId: '1240', arrayJobId: '1234', arrayTaskId: '6' };

test('every pattern letter expands', () => {
  assert.equal(expandOutputPattern('%x-%j-%u-%N.out', job), 'pi-1234-alice-n1.out');
  assert.equal(expandOutputPattern('%A_%a.%b.out', arrayJob), '1234_6.6.out');
  assert.equal(expandOutputPattern('%J-%s-%n-%t', job), '1234.batch-batch-0-0');
  assert.equal(expandOutputPattern('100%%-%j', job), '100%-1234');
  assert.equal(expandOutputPattern('%8j.out', job), '00001234.out');
  assert.equal(expandOutputPattern('%3a', arrayJob), '006');
});

test('unknown letters stay; backslashes make the name literal', () => {
  assert.equal(expandOutputPattern('a%zb', job), 'a%zb');
  assert.equal(expandOutputPattern('lit\\%j.out', job), 'lit%j.out');
});

test('relative names resolve against the working directory; defaults follow Slurm', () => {
  assert.equal(resolveOutputPath('logs/%x.out', job), '/home/alice/proj/logs/pi.out');
  assert.equal(resolveOutputPath('/scratch/%j.out', job), '/scratch/1234.out');
  assert.equal(resolveOutputPath(undefined, job), '/home/alice/proj/slurm-1234.out');
  assert.equal(resolveOutputPath(undefined, arrayJob), '/home/alice/proj/slurm-1234_6.out');
  assert.equal(resolveOutputPath('/already/expanded-1234.out', job), '/already/expanded-1234.out');
});

test('stderr defaults to stdout', () => {
  assert.deepEqual(jobOutputPaths({ ...job, stdOut: '%x.%j.out' }), { stdout: '/home/alice/proj/pi.1234.out', stderr: '/home/alice/proj/pi.1234.out' });
  assert.deepEqual(jobOutputPaths({ ...job, stdOut: 'o', stdErr: 'e' }), { stdout: '/home/alice/proj/o', stderr: '/home/alice/proj/e' });
});
