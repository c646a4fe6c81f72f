/**
 * Agreement with the real sbatch: every script of the corpus goes through the sandbox's
 * `sbatch --test-only` and through our linter (with a snapshot of the same cluster).
 * - every valid script is accepted by sbatch and clean for us;
 * - every script sbatch rejects is an error for us;
 * - where we report an error that sbatch accepts, the code must be one of the documented
 *   cases in which Slurm takes a script it cannot run or silently changes it.
 * - versions/*.sbatch (what changed since 22.05) say which versions accept them; sbatch of this
 *   sandbox's version must agree with that record, and so must the linter.
 * Runs against whichever sandbox the environment selects (`sandbox.sh env --slurm V`); the
 * agreement rate and the false errors (errors where sbatch accepts) are printed per version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterSnapshot } from '../../../src/core/cluster/snapshot';
import { lintSbatch, parseSlurmTime, expandHostlist } from '../../../src/core/sbatch';
import { compareSlurmVersions } from '../../../src/core/sbatch/options';
import { spawn } from 'node:child_process';
import { loadSandbox, slurmEnv, type SandboxInfo } from '../../support/sandbox';
import { until } from '../../support/until';

/** Runs a command with no standard input (sbatch must not wait for a script on stdin). */
function runCommand(file: string, args: string[], options: { env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const repo = path.resolve(__dirname, '..', '..', '..', '..');
const fixtures = path.join(repo, 'test', 'fixtures', 'sbatch');

/**
 * Errors we report although sbatch --test-only accepts the script: Slurm takes the job and it
 * then pends forever, or the mistake only shows at run time.
 */
const SLURM_ACCEPTS_BUT_BROKEN: Record<string, string> = {
  'time-exceeds-partition': 'accepted; the job pends forever with reason PartitionTimeLimit',
};

/**
 * Scripts sbatch rejects for the cluster's state, which no snapshot carries: 24.11 and later
 * refuse a dependency on a job that does not exist ("Job dependency problem"), 22.05 accepted it.
 */
const SLURM_REJECTS_FOR_STATE: Record<string, { since: string; says: RegExp }> = {
  'invalid/dependency-mixed.sbatch': { since: '24.11', says: /Job dependency problem/ },
};

/** A snapshot of the sandbox cluster built from its description, as the explorer would. */
function snapshotOf(info: SandboxInfo, slurmVersion: string): ClusterSnapshot {
  const nodeNames = (list: string[]) => list.flatMap((n) => expandHostlist(n) ?? [n]);
  const selectTypeParameters = /^SelectTypeParameters=(\S+)$/m.exec(fs.readFileSync(info.slurmConf, 'utf8'))?.[1].split(',') ?? [];
  return {
    version: 1,
    cluster: info.clusterName,
    slurmVersion,
    selectTypeParameters,
    partitions: info.partitions.map((p) => {
      const nodes = nodeNames(p.nodes);
      const max = parseSlurmTime(p.maxTime);
      return {
        name: p.name,
        isDefault: p.default,
        state: 'up',
        maxTimeMinutes: max === undefined || !Number.isFinite(max) ? null : max,
        maxNodes: null,
        nodes,
        totalNodes: nodes.length,
        totalCpus: info.nodes.filter((n) => nodes.includes(n.name)).reduce((s, n) => s + n.cpus, 0),
      };
    }),
    nodes: info.nodes.map((n) => ({
      name: n.name,
      state: 'idle',
      cpus: n.cpus,
      realMemoryMiB: n.realMemory,
      gres: n.gres.map((g) => {
        const [name, type, count] = g.split(':');
        return count === undefined ? { name, count: Number(type) } : { name, type, count: Number(count) };
      }),
      features: n.features,
      partitions: info.partitions.filter((p) => nodeNames(p.nodes).includes(n.name)).map((p) => p.name),
    })),
  };
}

test('the linter agrees with sbatch --test-only on the corpus', async () => {
  const info = loadSandbox();
  const env = slurmEnv(info);
  const version = await runCommand('sbatch', ['--version'], { env });
  const slurmVersion = /(\d+\.\d+(?:\.\d+)?)/.exec(version.stdout)?.[1];
  assert.ok(slurmVersion, `sbatch --version said ${JSON.stringify(version.stdout + version.stderr)}`);
  const cluster = snapshotOf(info, slurmVersion);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-agreement-'));
  const major = slurmVersion.split('.').slice(0, 2).join('.');
  const rows: { file: string; valid: boolean; slurmRejects: boolean; ourErrors: string[]; slurmSays: string }[] = [];
  try {
    for (const sub of ['valid', 'invalid', 'versions']) {
      for (const f of fs.readdirSync(path.join(fixtures, sub)).filter((x) => x.endsWith('.sbatch')).sort()) {
        const file = path.join(fixtures, sub, f);
        const text = fs.readFileSync(file, 'utf8');
        const accepts = /# accepts: ([\d. ]+)$/m.exec(text)?.[1].trim().split(/\s+/);
        const valid = sub === 'valid' || (sub === 'versions' && !!accepts?.includes(major));
        // sbatch resolves relative paths against its working directory: run it in a scratch one.
        const r = await runCommand('sh', ['-c', 'cd "$1" && exec sbatch --test-only "$2"', 'sh', work, file], { env, timeoutMs: 60_000 });
        const ours = lintSbatch(text, { cluster }).filter((d) => d.severity === 'error').map((d) => d.code);
        rows.push({ file: `${sub}/${f}`, valid, slurmRejects: r.code !== 0, ourErrors: [...new Set(ours)], slurmSays: (r.stderr + r.stdout).trim().split('\n').pop() ?? '' });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  const agree = rows.filter((r) => r.slurmRejects === r.ourErrors.length > 0);
  const rate = (100 * agree.length) / rows.length;
  const falseErrors = rows.filter((r) => !r.slurmRejects && r.ourErrors.length && !r.ourErrors.every((c) => c in SLURM_ACCEPTS_BUT_BROKEN));
  console.log(`# agreement with sbatch --test-only (Slurm ${slurmVersion}): ${agree.length}/${rows.length} scripts (${rate.toFixed(1)}%), false errors: ${falseErrors.length}`);
  console.log(`#   sbatch rejects ${rows.filter((r) => r.slurmRejects).length}, we flag errors in ${rows.filter((r) => r.ourErrors.length).length}`);
  for (const r of rows.filter((x) => x.slurmRejects !== x.ourErrors.length > 0)) {
    const why = r.ourErrors.map((c) => SLURM_ACCEPTS_BUT_BROKEN[c]).filter(Boolean).join('; ');
    console.log(`#   differs: ${r.file}: sbatch ${r.slurmRejects ? 'rejects' : 'accepts'} ("${r.slurmSays.slice(0, 100)}"), we report ${r.ourErrors.join(', ') || 'no error'}${why ? ` (${why})` : ''}`);
  }

  const validRejected = rows.filter((r) => r.valid && r.slurmRejects).map((r) => `${r.file}: ${r.slurmSays}`);
  assert.deepEqual(validRejected, [], `valid scripts sbatch ${slurmVersion} rejects`);
  const recordedWrong = rows.filter((r) => r.file.startsWith('versions/') && !r.valid && !r.slurmRejects).map((r) => r.file);
  assert.deepEqual(recordedWrong, [], `versions/ scripts sbatch ${slurmVersion} accepts although their "# accepts:" line says it rejects them`);
  const validFlagged = rows.filter((r) => r.valid && r.ourErrors.length).map((r) => `${r.file}: ${r.ourErrors.join(', ')}`);
  assert.deepEqual(validFlagged, [], 'valid scripts we flag');
  const forState = (r: (typeof rows)[number]) => {
    const known = SLURM_REJECTS_FOR_STATE[r.file];
    return !!known && compareSlurmVersions(slurmVersion, known.since) >= 0 && known.says.test(r.slurmSays);
  };
  const missed = rows.filter((r) => r.slurmRejects && r.ourErrors.length === 0 && !forState(r)).map((r) => `${r.file}: ${r.slurmSays}`);
  assert.deepEqual(missed, [], 'scripts sbatch rejects that we do not flag as errors');
  const unexplained = rows
    .filter((r) => !r.slurmRejects && r.ourErrors.length && !r.ourErrors.every((c) => c in SLURM_ACCEPTS_BUT_BROKEN))
    .map((r) => `${r.file}: ${r.ourErrors.join(', ')}`);
  assert.deepEqual(unexplained, [], 'errors we report that sbatch accepts, without a documented reason');
});

/**
 * What `sbatch --test-only` accepts but what fails later, submitted for real: the linter's
 * warning/error for each is justified by what Slurm then does to the job.
 */
test('scripts --test-only accepts but Slurm cannot run are flagged (recorded by real submission)', async () => {
  const info = loadSandbox();
  const env = slurmEnv(info);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-runtime-'));
  const submitted: string[] = [];
  const submit = async (name: string, text: string) => {
    const file = path.join(work, name);
    fs.writeFileSync(file, text);
    const r = await runCommand('sh', ['-c', 'cd "$1" && exec sbatch --parsable "$2"', 'sh', work, file], { env, timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim().split(';')[0];
    submitted.push(id);
    return id;
  };
  const show = async (id: string) => (await runCommand('scontrol', ['-o', 'show', 'job', id], { env })).stdout;
  try {
    // 1. Output directory missing: 22.05 does not create it and the job fails at launch; 24.11
    //    and 26.05 create it and the job completes (the linter then says nothing with a snapshot).
    const full = (await runCommand('sbatch', ['--version'], { env })).stdout.split(/\s+/)[1] ?? '';
    const creates = compareSlurmVersions(full, '24.11') >= 0;
    const missingDir = '#!/bin/bash\n#SBATCH -t 1\n#SBATCH -o no-such-dir/%j.out\nhostname\n';
    const dirExists = (d: string) => fs.existsSync(path.join(work, d));
    const lint1 = lintSbatch(missingDir, { directoryExists: dirExists });
    assert.ok(lint1.some((d) => d.code === 'output-dir-missing'), 'without a snapshot: the warning');
    const versioned = lintSbatch(missingDir, { directoryExists: dirExists, cluster: snapshotOf(info, full) });
    assert.equal(versioned.some((d) => d.code === 'output-dir-missing'), !creates, `Slurm ${full}`);
    const id1 = await submit('missing-dir.sbatch', missingDir);
    let state = '';
    await until(async () => /JobState=(FAILED|COMPLETED|CANCELLED)/.test((state = await show(id1))), { what: 'the job to end', timeoutMs: 30_000, intervalMs: 500 }).catch(() => undefined);
    assert.match(state, creates ? /JobState=COMPLETED/ : /JobState=FAILED/, state);
    if (creates) assert.ok(fs.existsSync(path.join(work, 'no-such-dir', `${id1}.out`)), 'Slurm created the directory');
    console.log(`# output dir missing: ${/JobState=\S+/.exec(state)?.[0]} ${/Reason=\S+/.exec(state)?.[0]}`);

    // 2. Time limit above the partition's MaxTime: accepted, then pending for ever.
    const tooLong = '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -t 60\nhostname\n';
    const snapshot = JSON.parse(fs.readFileSync(path.join(fixtures, 'sandbox-cluster.json'), 'utf8')) as ClusterSnapshot;
    assert.ok(lintSbatch(tooLong, { cluster: snapshot }).some((d) => d.code === 'time-exceeds-partition'));
    const id2 = await submit('too-long.sbatch', tooLong);
    let s2 = '';
    await until(async () => /Reason=PartitionTimeLimit/.test((s2 = await show(id2))), { what: 'PartitionTimeLimit', timeoutMs: 10_000, intervalMs: 250 }).catch(() => undefined);
    assert.match(s2, /JobState=PENDING .*Reason=PartitionTimeLimit/, s2);
    console.log('# time above MaxTime: JobState=PENDING Reason=PartitionTimeLimit');
  } finally {
    for (const id of submitted) await runCommand('scancel', [id], { env });
    fs.rmSync(work, { recursive: true, force: true });
  }
});
