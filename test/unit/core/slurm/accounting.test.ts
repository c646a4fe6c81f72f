/**
 * Accounting in the core: sacct with steps, sstat, efficiency (seff's definitions), right-sizing
 * and array index compression, on outputs recorded from the sandbox with slurmdbd (Slurm 22.05):
 * test/fixtures/slurm/sacct-steps-sandbox.txt holds the jobs of test/fixtures/accounting/*.sbatch
 * (cpu-half: 3, mem-300: 4, timeout: 2, array-fail: 5_1..5_6, rightsize: 13) and a few --wrap jobs
 * (1: two steps, 6: --mem-per-cpu=300M -c 2, 7: no --mem on 2 nodes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FIELD_SEPARATOR } from '../../../../src/core/slurm/squeue';
import { groupArrays, parseReqMem, parseSacctSteps, sacctArgv, SACCT_STEP_FIELDS, type AccountedJobDetail } from '../../../../src/core/slurm/sacct';
import { liveUseByJob, parseSstat, sstatArgv } from '../../../../src/core/slurm/sstat';
import {
  adviseResources,
  advisedCpus,
  formatEfficiency,
  jobEfficiency,
  killedForMemory,
  requestFingerprint,
  rightSizingDiagnostics,
  roundMemoryUp,
  roundMinutesUp,
} from '../../../../src/core/slurm/efficiency';
import { compressIndices, parseCpuTimeSeconds } from '../../../../src/core/slurm/units';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');
const jobs = parseSacctSteps(fixture('slurm/sacct-steps-sandbox.txt'));
const job = (id: string): AccountedJobDetail => {
  const j = jobs.find((x) => x.jobId === id);
  assert.ok(j, `job ${id} in the fixture`);
  return j;
};

test('CPU times as sacct prints them, fractions included; a bare number is seconds', () => {
  assert.equal(parseCpuTimeSeconds('00:09.179'), 9.179);
  assert.equal(parseCpuTimeSeconds('00:00:02'), 2);
  assert.equal(parseCpuTimeSeconds('1:02:03.5'), 3723.5);
  assert.equal(parseCpuTimeSeconds('2-01:00:00'), 2 * 86400 + 3600);
  assert.equal(parseCpuTimeSeconds('12'), 12);
  for (const bad of ['', 'INVALID', '1.2.3', '00:0x']) assert.equal(parseCpuTimeSeconds(bad), null, bad);
});

test('array indices compress to sbatch --array syntax', () => {
  assert.equal(compressIndices([3, 7, 12, 13, 14]), '3,7,12-14');
  assert.equal(compressIndices([14, 12, 13, 13, 3]), '3,12-14');
  assert.equal(compressIndices([2, 5]), '2,5');
  assert.equal(compressIndices([4, 5]), '4-5');
  assert.equal(compressIndices([0]), '0');
  assert.equal(compressIndices([]), '');
  assert.equal(compressIndices([1.5, -1, 2]), '2');
});

test('sacct argv with steps: no -X, the step fields, a closed window', () => {
  const argv = sacctArgv({ completion: false, allUsers: false, steps: true, since: 'now-7days' });
  assert.ok(!argv.includes('-X'));
  assert.equal(argv[argv.indexOf('-o') + 1], SACCT_STEP_FIELDS.join(','));
  assert.deepEqual(argv.slice(-4), ['-S', 'now-7days', '-E', 'now']);
  // The job completion log has no steps: the short listing, as before.
  assert.ok(sacctArgv({ completion: true, allUsers: false, steps: true }).includes('-c'));
  assert.ok(!sacctArgv({ completion: true, allUsers: false, steps: true }).join(' ').includes('TotalCPU'));
});

test('sacct -P with steps (recorded): jobs, steps attached, array tasks, ReqMem', () => {
  assert.deepEqual(
    jobs.map((j) => j.jobId),
    ['1', '2', '3', '4', '6', '7', '5_1', '5_2', '5_3', '5_4', '5_5', '5_6', '13'],
  );
  const one = job('1');
  assert.deepEqual(one.steps.map((s) => [s.stepId, s.name, s.maxRssMiB]), [['batch', 'batch', 11], ['0', 'sleep', 1]]);
  assert.equal(one.totalCpuSeconds, 0.095);
  assert.deepEqual(one.reqMem, { mib: 500, per: 'job' });
  assert.equal(one.workDir, '/home/hpcwtest');
  const timeout = job('2');
  assert.equal(timeout.state, 'TIMEOUT');
  assert.equal(timeout.timeLimitSeconds, 60);
  assert.equal(timeout.steps[0].state, 'CANCELLED');
  const task = job('5_2');
  assert.equal(task.arrayJobId, '5');
  assert.equal(task.arrayTaskId, 2);
  assert.equal(task.jobIdRaw, '9');
  assert.equal(task.exitCode, '3:0');
  // 22.05 prints the job's total: --mem-per-cpu=300M on 2 CPUs → 600M; the whole node on 2 nodes → 4000M.
  assert.deepEqual(job('6').reqMem, { mib: 600, per: 'job' });
  assert.deepEqual(job('7').reqMem, { mib: 4000, per: 'job' });
  assert.deepEqual(job('7').nodeList, ['n1', 'n2']);
  assert.equal(job('7').steps[1].tasks, 2);
});

test('ReqMem of older releases: per node and per CPU suffixes', () => {
  assert.deepEqual(parseReqMem('4Gn'), { mib: 4096, per: 'node' });
  assert.deepEqual(parseReqMem('300Mc'), { mib: 300, per: 'cpu' });
  assert.deepEqual(parseReqMem('1.5G'), { mib: 1536, per: 'job' });
  assert.equal(parseReqMem('0'), undefined);
  assert.equal(parseReqMem(''), undefined);
  const old: AccountedJobDetail = { ...job('7'), reqMem: { mib: 2000, per: 'node' } };
  assert.equal(jobEfficiency(old).memory?.requestedMiB, 4000);
  const perCpu: AccountedJobDetail = { ...job('6'), reqMem: { mib: 300, per: 'cpu' } };
  assert.equal(jobEfficiency(perCpu).memory?.requestedMiB, 600);
});

test('the listing also splits on | (sites ignoring --delimiter), names keep their separators', () => {
  const line = ['9', '9', 'alice', 'COMPLETED', '0:0', 'p', 'x', 'x', 'x', '00:01:00', '00:10:00', '00:30.000', '', '', '1G', '1', '1', 'cn1', '/w', 'a|b'];
  const parsed = parseSacctSteps(line.join('|'));
  assert.equal(parsed[0].name, 'a|b');
  assert.equal(parseSacctSteps(line.join(FIELD_SEPARATOR).replace('a|b', `a${FIELD_SEPARATOR}b`))[0].name, `a${FIELD_SEPARATOR}b`);
  // Steps without their job (cut by the window) and garbage lines are dropped.
  assert.deepEqual(parseSacctSteps('9.batch|9.batch||COMPLETED\nnonsense\n'), []);
});

test('efficiency with seff definitions, against the recorded jobs', () => {
  // cpu-half: one busy CPU of two for 20 s; the machine was shared, the loop got 9.12 s of CPU
  // (its own measure: cpu_seconds=9.120 wall_seconds=20.002).
  const cpu = jobEfficiency(job('3'));
  assert.equal(cpu.cpu?.allocCpus, 2);
  assert.equal(cpu.cpu?.elapsedSeconds, 20);
  assert.equal(cpu.cpu?.usedSeconds, 9.179);
  assert.equal(cpu.cpu?.percent, 22.9); // 9.179 / (20 × 2)
  assert.ok(Math.abs((cpu.cpu?.percent ?? 0) - (9.12 / (20 * 2)) * 100) < 1);
  // mem-300: MaxRSS 318268K of --mem=1000M; the job's own VmHWM was 315564 KiB.
  const mem = jobEfficiency(job('4'));
  assert.equal(mem.memory?.peakMiB, 311);
  assert.equal(mem.memory?.requestedMiB, 1000);
  assert.equal(mem.memory?.percent, 31.1);
  assert.ok(Math.abs((mem.memory?.percent ?? 0) - (315564 / 1024 / 1000) * 100) < 10);
  assert.equal(mem.time?.percent, 4); // 12 s of 5 min
  // Steps summed: 0.066 + 0.028.
  assert.equal(jobEfficiency(job('1')).cpu?.usedSeconds, 0.094);
  // Two tasks on two nodes: MaxRSS × tasks for the job, per node one task.
  const two = jobEfficiency(job('7'));
  assert.equal(two.memory?.peakMiB, 11);
  assert.equal(two.memory?.perNodePeakMiB, 11);
  assert.equal(formatEfficiency(mem), 'CPU 16% of 1 · memory 31% of 1000M · time 4% of 5:00');
  // Nothing to divide by: no figures rather than NaN.
  const empty = jobEfficiency({ ...job('5_1'), elapsedSeconds: 0 });
  assert.equal(empty.cpu, undefined);
  assert.equal(empty.memory, undefined);
});

test('rounding of advised requests', () => {
  assert.deepEqual([100, 300, 615, 1025, 5000, 17000].map(roundMemoryUp), [256, 512, 1024, 2048, 5120, 20480]);
  assert.deepEqual([1, 14.5, 61, 1441].map(roundMinutesUp), [5, 15, 75, 1500]);
});

test('right-sizing: an over-asked job, a TIMEOUT, nothing from short or failed jobs', () => {
  // rightsize: 311M peak of 1000M, 1:12 of 10:00.
  const advice = adviseResources(job('13'));
  assert.deepEqual(
    advice.map((a) => [a.resource, a.reason, a.summary, a.perNodeMiB ?? a.minutes]),
    [
      ['time', 'over-asked', 'job 13 used 1:12 of 10:00', 5],
      ['memory', 'over-asked', 'job 13 peaked at 311M of the 1000M asked', 512],
    ],
  );
  const timeout = adviseResources(job('2'));
  assert.deepEqual(timeout.map((a) => [a.resource, a.reason, a.minutes, a.summary]), [['time', 'timeout', 5, 'job 2 hit its time limit of 1:00 (TIMEOUT after 1:06)']]);
  assert.deepEqual(adviseResources(job('4')), [], 'mem-300 ran 12 s: too short to judge');
  assert.deepEqual(adviseResources(job('5_2')), [], 'a failed task says nothing about its needs');
  assert.equal(adviseResources(job('4'), { minSeconds: 10 }).length, 1);
});

test('right-sizing OUT_OF_MEMORY (constructed: the sandbox enforces no memory) raises the request', () => {
  const oom: AccountedJobDetail = { ...job('4'), state: 'OUT_OF_MEMORY', exitCode: '0:125' };
  const advice = adviseResources(oom);
  assert.deepEqual(advice.map((a) => [a.resource, a.reason, a.perNodeMiB]), [['memory', 'out-of-memory', 2048]]);
  const script = fixture('accounting/mem-300.sbatch');
  const [d] = rightSizingDiagnostics(script, advice);
  assert.equal(d.severity, 'warning');
  assert.equal(d.code, 'job-out-of-memory');
  assert.equal(d.message, 'job 4 ran out of memory of 1000M per node (OUT_OF_MEMORY): --mem=2G');
});

test('right-sizing a job killed past --mem by OverMemoryKill (recorded: 22.05 says FAILED 0:9, not OUT_OF_MEMORY)', () => {
  // test/fixtures/accounting/oom.sbatch on the sandbox with slurmdbd: the batch step CANCELLED by 0, MaxRSS 216516K of 200M.
  const [oom] = parseSacctSteps(fixture('slurm/sacct-oom-sandbox.txt'));
  assert.deepEqual([oom.state, oom.exitCode, oom.steps[0].state, oom.steps[0].maxRssMiB !== null], ['FAILED', '0:9', 'CANCELLED', true]);
  assert.equal(killedForMemory(oom), true);
  const advice = adviseResources(oom);
  assert.deepEqual(advice.map((a) => [a.resource, a.reason, a.perNodeMiB]), [['memory', 'out-of-memory', 512]]);
  const script = fixture('accounting/oom.sbatch');
  const [d] = rightSizingDiagnostics(script, advice);
  assert.equal(d.severity, 'warning');
  assert.equal(d.code, 'job-out-of-memory');
  assert.equal(d.message, 'job 15 was killed past its memory limit of 200M per node (FAILED 0:9, peak 211M): --mem=512M');
  assert.equal(applyFix(script, d).split('\n')[2], '#SBATCH --mem=512M');
  // A task that failed by itself (exit 3), and a failure far below the request, are no memory kill.
  assert.equal(killedForMemory(job('5_2')), false);
  assert.equal(killedForMemory({ ...oom, steps: oom.steps.map((s) => ({ ...s, maxRssMiB: 20 })) }), false);
  assert.equal(killedForMemory({ ...oom, reqMem: undefined }), false);
});

test('CPU advice: CPUs kept busy, 10 % headroom, never below 1', () => {
  assert.deepEqual([0.02, 0.9, 1.0, 1.1, 1.9, 3.9, 7.5].map(advisedCpus), [1, 1, 1, 2, 2, 5, 9]);
  // cpu-half (recorded): 1 CPU busy for 20 s on 2; judged only past minSeconds.
  assert.deepEqual(adviseResources(job('3')).filter((a) => a.resource === 'cpus'), [], '20 s: too short to judge');
  const advice = adviseResources(job('3'), { minSeconds: 10 }).filter((a) => a.resource === 'cpus');
  assert.deepEqual(advice.map((a) => [a.reason, a.cpus, a.summary]), [['over-asked', 1, 'job 3 kept 0.5 of its 2 CPUs busy (CPU 23%)']]);
  const script = fixture('accounting/cpu-half.sbatch');
  const [d] = rightSizingDiagnostics(script, advice);
  assert.deepEqual([d.code, d.severity, d.message], ['right-size-cpus', 'information', 'job 3 kept 0.5 of its 2 CPUs busy (CPU 23%): --cpus-per-task=1']);
  assert.equal(applyFix(script, d).split('\n')[2], '#SBATCH --cpus-per-task=1');
  // 4 tasks of 2 CPUs keeping 3 busy: --cpus-per-task=1; 8 tasks of 1 keeping 2 busy: --ntasks=3.
  const four = { ...job('3'), allocCpus: 8, totalCpuSeconds: 60, steps: job('3').steps.map((s) => ({ ...s, totalCpuSeconds: 60 })) };
  const a4 = adviseResources(four, { minSeconds: 10 }).filter((a) => a.resource === 'cpus');
  assert.equal(a4[0]?.cpus, 4);
  assert.equal(rightSizingDiagnostics('#!/bin/sh\n#SBATCH -n 4\n#SBATCH -c 2\n', a4)[0]?.message.split(': ')[1], '--cpus-per-task=1');
  assert.equal(rightSizingDiagnostics('#!/bin/sh\n#SBATCH --ntasks=8\n', a4)[0]?.message.split(': ')[1], '--ntasks=4');
  // No request line for CPUs (they came from elsewhere): nothing to edit; a busy job: no advice.
  assert.deepEqual(rightSizingDiagnostics('#!/bin/sh\n#SBATCH --mem=1G\n', a4), []);
  const busy = { ...job('3'), steps: job('3').steps.map((s) => ({ ...s, totalCpuSeconds: 38 })) };
  assert.deepEqual(adviseResources(busy, { minSeconds: 10 }).filter((a) => a.resource === 'cpus'), []);
  // A failed job is not judged.
  assert.deepEqual(adviseResources({ ...job('3'), state: 'FAILED' }, { minSeconds: 10 }).filter((a) => a.resource === 'cpus'), []);
});

const applyFix = (text: string, d: ReturnType<typeof rightSizingDiagnostics>[number]): string => {
  const lines = text.split('\n');
  const e = d.fixes?.[0].edits[0];
  assert.ok(e);
  assert.equal(e.range.start.line, e.range.end.line);
  const l = lines[e.range.start.line] ?? '';
  lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
  return lines.join('\n');
};

test('right-sizing diagnostics edit the request lines of the script', () => {
  const script = fixture('accounting/rightsize.sbatch');
  const diags = rightSizingDiagnostics(script, adviseResources(job('13')));
  assert.deepEqual(
    diags.map((d) => [d.code, d.severity, d.message, d.range.start.line]),
    [
      ['right-size-time', 'information', 'job 13 used 1:12 of 10:00: --time=00:05:00', 3],
      ['right-size-memory', 'information', 'job 13 peaked at 311M of the 1000M asked: --mem=512M', 2],
    ],
  );
  let fixed = applyFix(script, diags[0]);
  fixed = applyFix(fixed, diags[1]);
  assert.match(fixed, /^#SBATCH --mem=512M$/m);
  assert.match(fixed, /^#SBATCH --time=00:05:00$/m);
  // The fixed script asks for less: the same job gives no advice any more on it.
  assert.notEqual(requestFingerprint(fixed), requestFingerprint(script));
});

test('right-sizing: --mem-per-cpu scripts get per-CPU values; a missing --time is added', () => {
  const perCpu = '#!/bin/bash\n#SBATCH --cpus-per-task=2\n#SBATCH --mem-per-cpu=4G\nsrun x\n';
  const advice = adviseResources({ ...job('13'), allocCpus: 2 });
  const diags = rightSizingDiagnostics(perCpu, advice);
  const mem = diags.find((d) => d.code === 'right-size-memory');
  assert.equal(mem?.message, 'job 13 peaked at 311M of the 1000M asked: --mem-per-cpu=256M');
  assert.equal(applyFix(perCpu, mem as (typeof diags)[number]).split('\n')[2], '#SBATCH --mem-per-cpu=256M');
  const time = diags.find((d) => d.code === 'right-size-time');
  const edit = time?.fixes?.[0].edits[0];
  assert.deepEqual(edit?.range.start, { line: 3, character: 0 });
  assert.equal(edit?.newText, '#SBATCH --time=00:05:00\n');
  // A TIMEOUT whose script already asks for more than the advice: nothing.
  assert.deepEqual(rightSizingDiagnostics('#!/bin/sh\n#SBATCH --time=2:00:00\n', adviseResources(job('2'))), []);
  assert.deepEqual(rightSizingDiagnostics('#!/bin/sh\necho no directives\n', advice), []);
});

test('arrays grouped, counted by state, failed indices for a resubmission', () => {
  const { plain, arrays } = groupArrays(jobs);
  assert.equal(plain.length, 7);
  assert.equal(arrays.length, 1);
  assert.equal(arrays[0].arrayJobId, '5');
  assert.deepEqual(arrays[0].byState, { COMPLETED: 4, FAILED: 2 });
  assert.deepEqual(arrays[0].failedIndices, [2, 5]);
  assert.equal(compressIndices(arrays[0].failedIndices), '2,5');
});

test('sstat (recorded): steps of running jobs; other users\' and ended jobs are left out', () => {
  const argv = sstatArgv(['17', '18']);
  assert.deepEqual(argv.slice(0, 4), ['sstat', '-a', '-n', '-P']);
  assert.deepEqual(argv.slice(-2), ['-j', '17,18']);
  assert.throws(() => sstatArgv([]));
  const steps = parseSstat(fixture('slurm/sstat-sandbox.txt'));
  assert.deepEqual(
    steps.map((s) => [s.jobId, s.stepId, s.tasks, s.aveCpuSeconds, s.maxRssMiB]),
    [
      ['17', 'batch', 1, 2, 287],
      ['19', 'batch', 1, 0, 10],
      ['19', '0', 2, 0, 1],
    ],
  );
  assert.deepEqual(parseSstat(fixture('slurm/sstat-no-jobacct-sandbox.txt')), [], 'no jobacct_gather: 0 tasks, garbage AveCPU');
  const byJob = liveUseByJob(steps);
  assert.deepEqual([...byJob.keys()], ['17', '19']);
  assert.equal(byJob.get('19')?.length, 2);
});
