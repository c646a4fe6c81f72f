/**
 * The parsers on what every command the extension runs printed on each real Slurm version
 * (test/fixtures/slurm/<version>/, recorded by scripts/record-slurm-outputs.mjs against the
 * sandboxes): the refresh batch, scontrol show job, sbatch --parsable and --test-only, job actions.
 * The recorded cluster: partitions debug (n1-n2, default, 30 min) and compute (n1-n4); GPUs
 * gpu:a100:2 on n1 and n2, gpu:v100:1 on n3; jobs: one finished, one running with an a100, one
 * held over 2 nodes, one pending array 0-3%2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseBatchOutput } from '../../../../src/core/slurm/batch';
import { buildClusterState } from '../../../../src/core/slurm/clusterState';
import { parseSacct } from '../../../../src/core/slurm/sacct';
import { parseScontrolJobs } from '../../../../src/core/slurm/scontrol';
import { actionTookEffect, explainActionError } from '../../../../src/core/slurm/jobActions';
import { parseParsableJobId, parseTestOnly } from '../../../../src/core/slurm/sbatchAnswers';

const FIXTURES = path.join(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures', 'slurm');
const VERSIONS = { '22.05': '22.05.8', '24.11': '24.11.5', '26.05': '26.05.5' };

/** A recorded command answer: `# argv`, `# exit N`, then stdout and stderr (and a scontrol record). */
function answer(text: string): { code: number; stdout: string; stderr: string; after: string } {
  const code = Number(/^# exit (\d+)$/m.exec(text)?.[1]);
  const part = (name: string) => {
    const at = text.indexOf(`--- ${name}\n`);
    if (at < 0) return '';
    const rest = text.slice(at + name.length + 5);
    const next = rest.indexOf('\n--- ');
    return next < 0 ? rest : rest.slice(0, next + 1);
  };
  return { code, stdout: part('stdout'), stderr: part('stderr'), after: part('scontrol -o show job JOBID') };
}

for (const [major, full] of Object.entries(VERSIONS)) {
  const fixture = (name: string) => readFileSync(path.join(FIXTURES, major, name), 'utf8');

  test(`Slurm ${major}: the refresh batch becomes the cluster state (partitions, nodes, GPUs, jobs); its job completion log`, () => {
    const sections = parseBatchOutput(fixture('refresh-batch.txt'));
    const state = buildClusterState('sandbox', sections, { allUsers: true, now: new Date() });
    assert.equal(state.snapshot.slurmVersion, full);
    assert.equal(state.user, 'root');
    // The sandbox's slurm.conf says SelectTypeParameters=CR_Core; scontrol show config upper-cases it.
    assert.deepEqual(state.snapshot.selectTypeParameters, ['CR_CORE']);
    assert.deepEqual(state.snapshot.partitions.map((p) => [p.name, p.isDefault, p.maxTimeMinutes, p.nodes]), [
      ['debug', true, 30, ['n1', 'n2']],
      ['compute', false, 1440, ['n1', 'n2', 'n3', 'n4']],
    ]);
    assert.deepEqual(state.nodes.map((n) => [n.name, n.cpus, n.realMemoryMiB, n.gpusTotal]), [
      ['n1', 2, 2000, 2],
      ['n2', 2, 2000, 2],
      ['n3', 2, 2000, 1],
      ['n4', 2, 2000, 0],
    ]);
    assert.deepEqual(state.snapshot.nodes.map((n) => n.gres), [
      [{ name: 'gpu', type: 'a100', count: 2 }],
      [{ name: 'gpu', type: 'a100', count: 2 }],
      [{ name: 'gpu', type: 'v100', count: 1 }],
      [],
    ]);
    assert.deepEqual(state.snapshot.nodes.map((n) => n.features), [[], [], ['bigmem'], ['bigmem']]);
    // The running job holds one a100 (GresUsed of scontrol show node -d).
    assert.equal(state.nodes.reduce((s, n) => s + n.gpusAllocated, 0), 1);
    assert.deepEqual(state.partitions.map((p) => [p.name, p.gpus.total, p.gpus.allocated]), [
      ['debug', 4, 1],
      ['compute', 5, 1],
    ]);
    assert.equal(state.summary.gpus, 5);
    const byName = (n: string) => state.jobs.filter((j) => j.name === n);
    const [gpu] = byName('hpcw-rec-gpu');
    assert.equal(gpu?.state, 'RUNNING');
    assert.equal(gpu.partition, 'debug');
    assert.equal(gpu.user, 'root');
    const [held] = byName('hpcw-rec-held');
    assert.equal(held?.state, 'PENDING');
    assert.match(held.reason, /^JobHeld(User|Admin)$/);
    assert.equal(held.nodes, 2);
    const array = byName('hpcw-rec-array');
    assert.ok(array.length >= 1, 'the pending array');
    assert.ok(array.every((j) => j.state === 'PENDING' && j.arrayJobId !== undefined), JSON.stringify(array));
    // Recorded beside the refresh, as the history reads accounting: without slurmdbd sacct fails
    // and `sacct -c` (the job completion log) answers.
    assert.notEqual(sections.get('sacct')?.code, 0);
    assert.equal(sections.get('jobcomp')?.code, 0);
    const done = parseSacct(sections.get('jobcomp')?.stdout ?? '').find((j) => j.name === 'hpcw-rec-done');
    assert.equal(done?.state, 'COMPLETED');
    assert.equal(done.exitCode, '0:0');
  });

  test(`Slurm ${major}: scontrol -o show job of a running, a held, an array and a finished job`, () => {
    const jobs = parseScontrolJobs(fixture('scontrol-jobs.txt'));
    const gpu = jobs.find((j) => j.name === 'hpcw-rec-gpu');
    assert.equal(gpu?.state, 'RUNNING');
    assert.deepEqual(gpu.nodeList, ['n1']);
    assert.equal(gpu.userName, 'root');
    assert.ok(gpu.timeLimitSeconds === 300, `time limit ${gpu.timeLimitSeconds}`);
    assert.match(gpu.record.TresPerNode ?? gpu.record.TresPerJob ?? '', /gpu:a100:1/);
    const held = jobs.find((j) => j.name === 'hpcw-rec-held');
    assert.match(held?.reason ?? '', /^JobHeld(User|Admin)$/);
    const array = jobs.filter((j) => j.name === 'hpcw-rec-array');
    assert.ok(array.length >= 1 && array.every((j) => j.arrayJobId), 'array records carry the array job id');
    const done = jobs.find((j) => j.name === 'hpcw-rec-done');
    assert.equal(done?.state, 'COMPLETED');
    assert.equal(done.exitCode, '0:0');
    assert.equal(done.stdOut, '/dev/null');
  });

  test(`Slurm ${major}: sbatch --parsable and --test-only answers`, () => {
    const parsable = answer(fixture('sbatch-parsable.txt'));
    assert.equal(parsable.code, 0);
    assert.match(parseParsableJobId(parsable.stdout)?.jobId ?? '', /^\d+$/);
    const ok = answer(fixture('sbatch-test-only-ok.txt'));
    const good = parseTestOnly(ok.stderr + ok.stdout, ok.code);
    assert.equal(good.ok, true, good.errors.join('; '));
    assert.match(good.startTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(good.partition, 'compute');
    assert.equal(good.nodes, 'n3', 'the one v100 is on n3');
    const badPart = answer(fixture('sbatch-test-only-bad-partition.txt'));
    const bad = parseTestOnly(badPart.stderr + badPart.stdout, badPart.code);
    assert.equal(bad.ok, false);
    assert.ok(bad.errors.some((e) => /partition/i.test(e)), bad.errors.join('; '));
    const gpus = answer(fixture('sbatch-test-only-too-many-gpus.txt'));
    const tooMany = parseTestOnly(gpus.stderr + gpus.stdout, gpus.code);
    assert.equal(tooMany.ok, false);
    assert.ok(tooMany.errors.length > 0 && tooMany.errors.every((e) => e.length > 0));
  });

  test(`Slurm ${major}: job actions and the state after them`, () => {
    const release = answer(fixture('action-release.txt'));
    assert.equal(release.code, 0, release.stderr);
    assert.equal(actionTookEffect('release', parseScontrolJobs(release.after)), true);
    const hold = answer(fixture('action-hold.txt'));
    assert.equal(hold.code, 0, hold.stderr);
    assert.equal(actionTookEffect('hold', parseScontrolJobs(hold.after)), true);
    const requeue = answer(fixture('action-requeue.txt'));
    assert.equal(requeue.code, 0, requeue.stderr);
    assert.equal(actionTookEffect('requeue', parseScontrolJobs(requeue.after)), true);
    const cancel = answer(fixture('action-cancel.txt'));
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.equal(actionTookEffect('cancel', parseScontrolJobs(cancel.after)), true);
    // scancel of an unknown job exits 0 silently: only the record after tells (there is none).
    const unknown = answer(fixture('action-cancel-unknown.txt'));
    assert.equal(parseScontrolJobs(unknown.after).length, 0);
    const holdUnknown = answer(fixture('action-hold-unknown.txt'));
    assert.notEqual(holdUnknown.code, 0);
    assert.match(explainActionError('hold', '987654', holdUnknown.code, holdUnknown.stderr), /987654 is not known to the cluster/);
    const finished = answer(fixture('action-hold-finished.txt'));
    assert.notEqual(finished.code, 0);
    assert.match(explainActionError('hold', '1', finished.code, finished.stderr), /has already finished/);
  });
}
