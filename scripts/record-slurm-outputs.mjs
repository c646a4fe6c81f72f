// Records what every command the extension runs prints on a real Slurm, into
// test/fixtures/slurm/<major.minor>/, for the parser tests (test/unit/slurm/versions.test.ts).
// Run with a sandbox up and its environment (after `npx tsc -p .`):
//
//   eval "$(bash test/sandbox/sandbox.sh env --slurm 24.11)" && node scripts/record-slurm-outputs.mjs
//
// It submits a few jobs as root (a finished one, a running one with a GPU, a held one, a pending
// array) so that the outputs have something in every state, records, then cancels them.
// Commands are the extension's own argv (out/src/core/slurm/*.js), run without a shell.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const { refreshSteps } = require(path.join(root, 'out/src/core/slurm/clusterState.js'));
const { batchArgv } = require(path.join(root, 'out/src/core/slurm/batch.js'));
const { sinfoPartitionsArgv } = require(path.join(root, 'out/src/core/slurm/sinfo.js'));
const { sacctArgv } = require(path.join(root, 'out/src/core/slurm/sacct.js'));
const { jobActionArgv } = require(path.join(root, 'out/src/core/slurm/jobActions.js'));

if (!process.env.SLURM_CONF) throw new Error('no SLURM_CONF: eval "$(bash test/sandbox/sandbox.sh env --slurm V)" first');
const work = fs.mkdtempSync('/tmp/hpcw-record-');
const run = (argv, input) => {
  const r = spawnSync(argv[0], argv.slice(1), { cwd: work, input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};
const full = run(['sbatch', '--version']).stdout.trim().split(/\s+/)[1];
const major = full.split('.').slice(0, 2).join('.');
const out = path.join(root, 'test', 'fixtures', 'slurm', major);
fs.mkdirSync(out, { recursive: true });
const save = (name, text) => fs.writeFileSync(path.join(out, name), text);
/** One command's answer as a fixture: the argv, the exit code, stdout and stderr, framed. */
const answer = (argv, r) => `# ${argv.join(' ')}\n# exit ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const script = (lines) => {
  const f = path.join(work, `job-${Math.random().toString(16).slice(2)}.sbatch`);
  fs.writeFileSync(f, ['#!/bin/bash', ...lines.map((l) => `#SBATCH ${l}`), 'sleep "${HPCW_SLEEP:-0}"', ''].join('\n'));
  return f;
};
const submit = (lines, extra = []) => {
  const argv = ['sbatch', '--parsable', ...extra, script(lines)];
  const r = run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return { id: r.stdout.trim().split(';')[0], argv, r };
};
const state = (id) => /JobState=(\S+)/.exec(run(['scontrol', '-o', 'show', 'job', id]).stdout)?.[1];
const waitState = (id, re) => {
  for (let i = 0; i < 240; i++) {
    const s = state(id);
    if (s && re.test(s)) return s;
    sleep(250);
  }
  throw new Error(`job ${id} did not reach ${re}`);
};

const ids = [];
try {
  // A finished job (for sacct -c / the jobcomp log and scontrol's ended record).
  const done = submit(['-J hpcw-rec-done', '-p debug', '-t 1', '-o /dev/null']);
  ids.push(done.id);
  save('sbatch-parsable.txt', answer(done.argv.slice(0, -1).concat('SCRIPT'), done.r));
  waitState(done.id, /^COMPLETED$/);
  // Running with a typed GPU, held, and a pending array.
  const running = submit(['-J hpcw-rec-gpu', '-p debug', '-t 5', '--gres=gpu:a100:1', '-o /dev/null'], ['--export=ALL,HPCW_SLEEP=300']);
  ids.push(running.id);
  waitState(running.id, /^RUNNING$/);
  const held = submit(['-J hpcw-rec-held', '-p compute', '-t 10', '-N 2', '--begin=now+3600', '-o /dev/null'], ['--hold']);
  ids.push(held.id);
  const array = submit(['-J hpcw-rec-array', '-p compute', '-t 10', '--array=0-3%2', '--begin=now+3600', '-o /dev/null']);
  ids.push(array.id);
  sleep(1000);

  // The refresh, as the explorer runs it (everyone's jobs, the limits read); beside it sinfo's
  // partition counts (the unit tests check that the counts computed from the nodes equal sinfo's)
  // and the last day's accounting as the history reads it (sacct, else the job completion log).
  const refresh = batchArgv([
    ...refreshSteps({ allUsers: true }),
    { name: 'sinfo', argv: sinfoPartitionsArgv() },
    { name: 'sacct', argv: sacctArgv({ completion: false, allUsers: true }) },
    { name: 'jobcomp', argv: sacctArgv({ completion: true, allUsers: true }), onlyIfPreviousFailed: true },
  ]);
  save('refresh-batch.txt', run(refresh).stdout);
  for (const id of [running.id, held.id, array.id, done.id]) {
    const r = run(['scontrol', '-o', 'show', 'job', id]);
    fs.appendFileSync(path.join(out, 'scontrol-jobs.txt.tmp'), r.stdout);
  }
  fs.renameSync(path.join(out, 'scontrol-jobs.txt.tmp'), path.join(out, 'scontrol-jobs.txt'));

  // sbatch --test-only: a good script, a bad partition, too many GPUs.
  const good = script(['-p compute', '-t 5', '-N 1', '--gpus=v100:1']);
  const testOnly = (name, f) => {
    const argv = ['sbatch', '--test-only', f];
    save(name, answer(['sbatch', '--test-only', 'SCRIPT'], run(argv)));
  };
  testOnly('sbatch-test-only-ok.txt', good);
  testOnly('sbatch-test-only-bad-partition.txt', script(['-p nope', '-t 5']));
  testOnly('sbatch-test-only-too-many-gpus.txt', script(['--gres=gpu:a100:3', '-t 5']));

  // Job actions and their answers (the state after each is in scontrol's record).
  const act = (name, action, id) => {
    const argv = jobActionArgv(action, id);
    const r = run(argv);
    const after = run(['scontrol', '-o', 'show', 'job', id]);
    save(name, answer(argv.map((a) => (a === id ? 'JOBID' : a)), r) + `--- scontrol -o show job JOBID\n${after.stdout}`);
  };
  act('action-release.txt', 'release', held.id);
  act('action-hold.txt', 'hold', held.id);
  act('action-requeue.txt', 'requeue', running.id);
  act('action-cancel.txt', 'cancel', held.id);
  act('action-cancel-unknown.txt', 'cancel', '987654');
  act('action-hold-unknown.txt', 'hold', '987654');
  act('action-hold-finished.txt', 'hold', done.id);
  console.log(`recorded Slurm ${full} outputs into ${path.relative(root, out)}`);
} finally {
  for (const id of ids) run(['scancel', id]);
  fs.rmSync(work, { recursive: true, force: true });
}
