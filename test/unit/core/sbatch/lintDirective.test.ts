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
