import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseScontrolJobs, parseScontrolLine, parseScontrolNodes, parseScontrolPartitions } from '../../../../src/core/slurm/scontrol';
import { actionableJobId, parseSqueue, squeueArgv, SQUEUE_FORMAT } from '../../../../src/core/slurm/squeue';
import { parseSinfoNodes, parseSinfoPartitions } from '../../../../src/core/slurm/sinfo';
import { parseSacct, sacctArgv } from '../../../../src/core/slurm/sacct';
import { expandHostlist } from '../../../../src/core/slurm/units';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

test('scontrol -o: values with spaces and = stay whole', () => {
  const r = parseScontrolLine(
    'NodeName=cn002 OS=Linux 5.14.0 #1 SMP  RealMemory=192000 State=DOWN*+DRAIN CfgTRES=cpu=32,mem=187.50G AllocTRES= Reason=Not responding, disk=bad [admin@2024-03-01T09:15:00]',
  );
  assert.equal(r.NodeName, 'cn002');
  assert.equal(r.OS, 'Linux 5.14.0 #1 SMP');
  assert.equal(r.State, 'DOWN*+DRAIN');
  assert.equal(r.CfgTRES, 'cpu=32,mem=187.50G');
  assert.equal(r.AllocTRES, '');
  assert.equal(r.Reason, 'Not responding, disk=bad [admin@2024-03-01T09:15:00]');
});

test('scontrol partitions (recorded from the sandbox)', () => {
  const parts = parseScontrolPartitions(fixture('scontrol-partitions.txt'));
  assert.deepEqual(
    parts.map((p) => [p.name, p.isDefault, p.state, p.maxTimeMinutes, p.nodes.join(' '), p.totalCpus]),
    [
      ['debug', true, 'up', 30, 'n1 n2', 4],
      ['compute', false, 'up', 1440, 'n1 n2 n3 n4', 8],
    ],
  );
  assert.equal(parts[0].maxNodes, null);
  assert.equal(parts[0].defaultTimeMinutes, null);
  assert.equal(parts[0].allowQos, undefined, 'ALL = no restriction');
});

test('scontrol partitions: limits, restrictions, UNLIMITED', () => {
  const [gpu, long] = parseScontrolPartitions(fixture('scontrol-partitions-tricky.txt'));
  assert.equal(gpu.maxTimeMinutes, 2880);
  assert.equal(gpu.defaultTimeMinutes, 60);
  assert.equal(gpu.maxNodes, 4);
  assert.equal(gpu.minNodes, 1);
  assert.equal(gpu.maxMemPerCpuMiB, 8000);
  assert.equal(gpu.maxMemPerNodeMiB, null);
  assert.deepEqual(gpu.allowQos, ['normal', 'high']);
  assert.deepEqual(gpu.allowAccounts, ['proj1', 'proj2']);
  assert.deepEqual(gpu.nodes, ['gpu01', 'gpu02']);
  assert.equal(long.maxTimeMinutes, null);
  assert.equal(long.state, 'drain');
  assert.equal(long.isDefault, true);
  assert.equal(long.maxMemPerNodeMiB, 256000);
  assert.deepEqual(long.nodes, ['gpu01', 'cn002', 'cn003', 'cn004']);
});

test('scontrol nodes (recorded, two drained with a reason)', () => {
  const nodes = parseScontrolNodes(fixture('scontrol-nodes-inval.txt'));
  assert.equal(nodes.length, 4);
  assert.deepEqual(nodes[0].partitions, ['debug', 'compute']);
  assert.equal(nodes[0].cpus, 2);
  assert.equal(nodes[0].realMemoryMiB, 2000);
  assert.equal(nodes[0].cpuLoad, 1.2);
  assert.equal(nodes[0].state.base, 'idle');
  assert.equal(nodes[2].state.base, 'drained');
  assert.deepEqual(nodes[2].gres, [{ name: 'gpu', count: 2 }]);
  assert.equal(nodes[2].gpusTotal, 2);
  assert.deepEqual(nodes[2].features, ['bigmem']);
  assert.equal(nodes[2].reason, 'gres/gpu count reported lower than configured (0 < 2) [root@2026-11-25T14:13:38]');
});

test('scontrol nodes: GPUs in use, drain variants, power saving', () => {
  const [gpu, down, draining, cloud] = parseScontrolNodes(fixture('scontrol-nodes-tricky.txt'));
  assert.equal(gpu.cpus, 64);
  assert.equal(gpu.cpusAllocated, 48);
  assert.equal(gpu.gpusTotal, 4);
  assert.equal(gpu.gpusAllocated, 3);
  assert.deepEqual(gpu.gres, [{ name: 'gpu', type: 'a100', count: 4 }]);
  assert.equal(gpu.state.base, 'mixed');
  assert.equal(down.state.base, 'down');
  assert.equal(down.cpuLoad, null);
  assert.equal(down.freeMemoryMiB, null);
  assert.equal(down.reason, 'Not responding, disk=bad');
  assert.equal(draining.state.base, 'draining');
  assert.equal(draining.cpus, 32, 'CPUTot when CPUEfctv is absent');
  assert.equal(cloud.state.poweredDown, true);
});

test('scontrol jobs: het components, arrays, paths with spaces', () => {
  const jobs = parseScontrolJobs(fixture('scontrol-jobs-tricky.txt'));
  assert.equal(jobs.length, 4);
  const [het0, het1, arr, oom] = jobs;
  assert.equal(het0.name, 'het part');
  assert.equal(het0.userName, 'alice');
  assert.equal(het0.hetJobId, '501');
  assert.equal(het1.hetJobOffset, '1');
  assert.equal(het0.command, '/home/alice/my project/run job.sh');
  assert.equal(het0.workDir, '/home/alice/my project');
  assert.equal(het0.stdOut, '/home/alice/my project/slurm-501.out');
  assert.equal(het0.record.Comment, 'two words');
  assert.deepEqual(het0.nodeList, ['cn003', 'cn004']);
  assert.equal(het0.runSeconds, 3723);
  assert.equal(het1.timeLimitSeconds, null);
  assert.equal(arr.arrayTaskId, '3-10%2');
  assert.equal(arr.reason, 'JobArrayTaskLimit');
  assert.equal(oom.state, 'OUT_OF_MEMORY');
  assert.equal(oom.exitCode, '0:125');
});

test('scontrol jobs (recorded): hostile job name survives', () => {
  const jobs = parseScontrolJobs(fixture('scontrol-jobs-sandbox.txt'));
  const first = jobs.find((j) => j.jobId === '1');
  assert.equal(first?.name, 'my job | x;$(y)');
  assert.equal(first?.state, 'COMPLETED');
  assert.equal(first?.exitCode, '0:0');
  const held = jobs.find((j) => j.jobId === '3');
  assert.equal(held?.reason, 'JobHeldUser');
  assert.ok(jobs.some((j) => j.arrayJobId === '2' && j.arrayTaskId === '1'));
  assert.deepEqual(parseScontrolJobs('No jobs in the system\n'), []);
});

test('squeue (recorded): running, pending array, held, long reasons', () => {
  const jobs = parseSqueue(fixture('squeue-sandbox.txt'));
  assert.equal(jobs.length, 6);
  const agg = jobs[0];
  assert.equal(agg.jobId, '14_[3-10%2]');
  assert.equal(agg.arrayJobId, '14');
  assert.equal(agg.arrayTaskId, '3-10%2');
  assert.equal(agg.state, 'PENDING');
  assert.equal(agg.reason, 'JobArrayTaskLimit');
  assert.equal(agg.timeLimitSeconds, 86400);
  assert.equal(agg.nodeListText, '');
  assert.equal(jobs[1].reason, 'Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions');
  assert.equal(jobs[1].nodes, 4);
  const task = jobs[2];
  assert.equal(task.jobId, '14_1');
  assert.equal(task.jobIdNumeric, '16');
  assert.equal(task.arrayTaskId, '1');
  assert.deepEqual(expandHostlist(task.nodeListText), ['n1']);
  assert.equal(task.elapsedSeconds, 4);
  const plain = jobs.find((j) => j.jobId === '13');
  assert.equal(plain?.name, 'long run');
  assert.equal(plain?.arrayJobId, undefined, 'a plain job is not an array');
  assert.equal(plain?.timeLimitSeconds, 600);
  assert.equal(plain?.workDir, '/work/main');
  assert.equal(plain?.account, undefined, '(null) means none');
});

test('squeue: het jobs, separators and pipes in names, multi-day elapsed', () => {
  const jobs = parseSqueue(fixture('squeue-tricky.txt'));
  assert.equal(jobs.length, 5);
  assert.equal(jobs[0].jobId, '123_[1-10%2]');
  assert.equal(actionableJobId(jobs[0].jobId), '123_[1-10]');
  assert.equal(actionableJobId('123_4'), '123_4');
  assert.deepEqual(expandHostlist(jobs[1].nodeListText), ['cn003', 'cn004']);
  assert.equal(jobs[2].hetJobId, '501');
  assert.equal(jobs[2].hetJobOffset, '0');
  assert.equal(jobs[2].elapsedSeconds, 5 * 86400 + 3 * 3600);
  assert.equal(jobs[2].timeLimitSeconds, null);
  assert.equal(jobs[2].workDir, '/home/alice/my project');
  assert.equal(jobs[4].name, 'name with \x1f separator | and pipe');
  assert.equal(jobs[4].reason, 'ReqNodeNotAvail, UnavailableNodes:cn002');
});

test('squeue argv: mine by default, all users on demand', () => {
  assert.deepEqual(squeueArgv({ allUsers: false }), ['squeue', '--local', '-h', '-o', SQUEUE_FORMAT, '--me']);
  assert.deepEqual(squeueArgv({ allUsers: true }), ['squeue', '--local', '-h', '-o', SQUEUE_FORMAT]);
  assert.deepEqual(squeueArgv({ allUsers: false, jobIds: ['1', '2'] }).slice(-2), ['-j', '1,2']);
});

test('sinfo partitions: merged lines, default marker, counts', () => {
  const parts = parseSinfoPartitions(fixture('sinfo-partitions-tricky.txt'));
  assert.equal(parts.length, 3);
  assert.equal(parts[0].name, 'debug');
  assert.deepEqual(parts[1].nodes, { allocated: 1, idle: 1, other: 2, total: 4 });
  assert.deepEqual(parts[1].cpus, { allocated: 2, idle: 2, other: 4, total: 8 });
  assert.deepEqual(parts[1].gres, [{ name: 'gpu', type: 'a100', count: 4 }]);
  assert.equal(parts[2].timeLimitMinutes, null);
  const recorded = parseSinfoPartitions(
    fixture('refresh-batch-sandbox.txt').split('@@HPCW@@ begin sinfo\n')[1].split('\n@@HPCW@@ end')[0],
  );
  const compute = recorded.find((p) => p.name === 'compute');
  assert.equal(compute?.nodes.total, 4, 'two sinfo lines of one partition are merged');
  assert.equal(compute?.nodeNames.length, 4);
});

test('sinfo nodes (recorded)', () => {
  const nodes = parseSinfoNodes(fixture('sinfo-nodes-sandbox.txt'));
  assert.equal(nodes.length, 6);
  assert.equal(nodes[0].name, 'n1');
  assert.equal(nodes[0].state.base, 'allocated');
  assert.equal(nodes[0].cpusAllocated, 2);
  assert.equal(nodes[2].state.base, 'mixed');
  assert.equal(nodes[4].reason, 'gres/gpu count reported lower than configured (0 < 2)');
  assert.equal(nodes[0].reason, undefined);
});

test('sacct -P (slurmdbd): steps skipped, states normalised, pipes in names', () => {
  const jobs = parseSacct(fixture('sacct-slurmdbd-P.txt'));
  assert.deepEqual(
    jobs.map((j) => [j.jobId, j.state, j.name]),
    [
      ['1001', 'COMPLETED', 'train'],
      ['1002', 'CANCELLED', 'a|b name'],
      ['1003', 'PENDING', 'waiting'],
    ],
  );
  assert.deepEqual(jobs[0].nodeList, ['cn001', 'cn002']);
  assert.equal(jobs[0].elapsedSeconds, 3600);
  assert.equal(jobs[2].start, undefined);
  assert.deepEqual(jobs[2].nodeList, []);
});

test('sacct -c (jobcomp, recorded): users as name(uid), names with spaces cut by the log', () => {
  const text = fixture('refresh-batch-sandbox.txt').split('@@HPCW@@ begin jobcomp\n')[1].split('\n@@HPCW@@ end')[0];
  const jobs = parseSacct(text);
  assert.ok(jobs.length >= 5);
  const arr = jobs.find((j) => j.jobId === '4');
  assert.equal(arr?.state, 'COMPLETED');
  assert.equal(arr?.user, 'root');
  assert.equal(arr?.name, 'arr');
  assert.deepEqual(arr?.nodeList, ['n1']);
});

test('sacct argv', () => {
  assert.deepEqual(sacctArgv({ completion: true, allUsers: false }).slice(0, 2), ['sacct', '-c']);
  assert.ok(sacctArgv({ completion: false, allUsers: true }).includes('-a'));
  assert.ok(sacctArgv({ completion: false, allUsers: false }).includes('-X'));
  assert.deepEqual(sacctArgv({ completion: false, allUsers: false, jobIds: ['5'] }).slice(-2), ['-j', '5']);
});
