/** Checks of a component's options together (src/core/sbatch/lintCombinations.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch, type SbatchDiagnostic } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'srun hostname', ''].join('\n');
const codes = (ds: SbatchDiagnostic[]) => ds.filter((d) => d.code !== 'request-summary').map((d) => d.code);

test('warnings: duplicate with different values, deprecated packjob, hetjob in line', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -t 5', '#SBATCH --time=10'))), ['duplicate-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -t 5', '#SBATCH --time=5'))), ['redundant-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -v', '#SBATCH -v'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH packjob', '#SBATCH -n 2'))), ['deprecated-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH hetjob -n 2'))), ['hetjob-in-line']);
});

test('heterogeneous components are checked separately (no duplicate across components)', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1 --mem=1G', '#SBATCH hetjob', '#SBATCH -n 2 --mem=2G'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH hetjob', '#SBATCH --mem=1G --mem-per-cpu=1G'))), ['conflicting-options']);
});

test('combinations sbatch rejects', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --mem=1G --mem-per-gpu=1G'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --cpus-per-gpu=2 -c 2'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gpus-per-task=1'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gpus-per-task=1 -n 2'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -N 4 -n 2'))), ['conflicting-options']);
});

test('output directory check only for relative directories without patterns', () => {
  const asked: string[] = [];
  const exists = (d: string) => {
    asked.push(d);
    return d === 'logs';
  };
  const ds = lintSbatch(script('#SBATCH -o logs/%j.out -e results/err/%j.err -i %u/in'), { directoryExists: exists });
  assert.deepEqual(codes(ds), ['output-dir-missing']);
  assert.match(ds.find((d) => d.code === 'output-dir-missing')?.message ?? '', /results\/err.*does not create it/);
  assert.deepEqual(asked, ['logs', 'results/err']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -o /abs/x.out -D /w -e rel/x'), { directoryExists: () => false })), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -o nodir/x.out'))), [], 'no check without a directory oracle');
});

test('a GRES per task needs a task count: -n, --gpus or a fixed -N (recorded on 22.05, 24.11, 26.05)', () => {
  const recorded = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', '..', 'test/fixtures/sbatch/sandbox-cluster.json'), 'utf8');
  const v24 = { ...parseClusterSnapshot(recorded), slurmVersion: '24.11.5' };
  const lint = (...lines: string[]) => lintSbatch(script(...lines), { cluster: v24, summary: false }).filter((d) => d.severity === 'error');
  const alone = lint('#SBATCH --tres-per-task=gres/gpu:a100=1');
  assert.deepEqual(alone.map((d) => [d.range.start.line, d.code]), [[1, 'conflicting-options']]);
  assert.match(alone[0].message, /--gpus-per-task or --tres-per-task used without either --gpus or -n\/--ntasks is not allowed/);
  assert.deepEqual(lint('#SBATCH -n 1', '#SBATCH --tres-per-task=gres/gpu:a100=1'), []);
  assert.deepEqual(lint('#SBATCH -N 2', '#SBATCH --tres-per-task=gres/gpu:a100=1'), []);
  assert.deepEqual(lint('#SBATCH -N 2', '#SBATCH --gpus-per-task=1'), []);
  assert.equal(lint('#SBATCH -N 1-2', '#SBATCH --gpus-per-task=1').length, 1);
  assert.deepEqual(lint('#SBATCH --tres-per-task=cpu=2'), [], 'no GRES: no task count needed');
});
