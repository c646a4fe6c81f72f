/** Checks of one directive (src/core/sbatch/lintDirective.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch, type SbatchDiagnostic } from '../../../../src/core/sbatch';

const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
const sandbox = parseClusterSnapshot(fs.readFileSync(path.join(repo, 'test/fixtures/sbatch/sandbox-cluster.json'), 'utf8'));
const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'srun hostname', ''].join('\n');
const codes = (ds: SbatchDiagnostic[]) => ds.filter((d) => d.code !== 'request-summary').map((d) => d.code);

test('options: removed, command-line only, abbreviated, too new for the cluster', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --workdir=/tmp'))), ['removed-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --test-only'))), ['command-line-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --job=x'))), ['abbreviated-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --nod=2'))), ['ambiguous-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --tres-per-task=cpu=2'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --tres-per-task=cpu=2'), { cluster: sandbox })), ['option-too-new']);
  // Newer values of old options (recorded: sbatch 22.05 rejects both).
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --exclusive=topo'), { cluster: sandbox })), ['option-too-new']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gres-flags=allow-task-sharing'), { cluster: sandbox })), ['option-too-new']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gres-flags=allow-task-sharing'))), []);
});

test('--gres-flags values 24.11 and 26.05 know but refuse in a batch script, at the value, with sbatch\'s reason', () => {
  const at = (v: string, params?: string[]) => lintSbatch(script('#SBATCH --gpus=1', `#SBATCH --gres-flags=${v}`), { cluster: { ...sandbox, slurmVersion: '24.11.5', ...(params ? { selectTypeParameters: params } : {}) }, summary: false });
  const allow = at('allow-task-sharing');
  assert.deepEqual(allow.map((d) => [d.range.start.line, d.severity, d.code]), [[2, 'error', 'invalid-value']]);
  assert.match(allow[0].message, /only used with srun/);
  assert.equal(allow[0].range.start.character, '#SBATCH --gres-flags='.length);
  // one-task-per-sharing: refused unless SelectTypeParameters has MULTIPLE_SHARING_GRES_PJ.
  const one = at('one-task-per-sharing', ['CR_Core']);
  assert.deepEqual(one.map((d) => [d.range.start.line, d.severity, d.code]), [[2, 'error', 'invalid-value']]);
  assert.match(one[0].message, /SelectTypeParameters=MULTIPLE_SHARING_GRES_PJ/);
  assert.deepEqual(at('one-task-per-sharing', ['CR_Core', 'MULTIPLE_SHARING_GRES_PJ']), []);
  assert.deepEqual(at('one-task-per-sharing').map((d) => d.severity), ['warning'], 'the snapshot does not say: a warning');
  // 23.11 (allow-task-sharing exists, its refusal is recorded from 24.11 on): a warning.
  const older = lintSbatch(script('#SBATCH --gres-flags=allow-task-sharing'), { cluster: { ...sandbox, slurmVersion: '23.11.1' }, summary: false });
  assert.deepEqual(older.map((d) => [d.severity, d.code]), [['warning', 'invalid-value']]);
  assert.deepEqual(at('multiple-tasks-per-sharing'), []);
});
