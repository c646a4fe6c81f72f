/** Comment lines that look like directives (src/core/sbatch/lookalike.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSbatchScript } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'hostname', ''].join('\n');

test('indented "#SBATCH" is ignored (recorded: sbatch did not apply --time=99)', () => {
  const p = parseSbatchScript(script('  #SBATCH --time=99'));
  assert.deepEqual(p.directives, []);
  assert.deepEqual(p.ignored.map((i) => i.kind), ['indented']);
});

test('lookalikes in the header are recorded, prose comments are not', () => {
  const p = parseSbatchScript(script('#SBTACH -t 5', '# SBATCH --mem=1G', '#sbatch -n 2', '##SBATCH -c 2', '# sbatch script for the project', '#SBACTH', '#SBATC --x'));
  assert.deepEqual(p.ignored.map((i) => [i.kind, i.line, i.marker]), [
    ['lookalike', 1, '#SBTACH'],
    ['lookalike', 2, '# SBATCH'],
    ['lookalike', 3, '#sbatch'],
    ['commented', 4, '##SBATCH'],
    ['lookalike', 6, '#SBACTH'],
    ['lookalike', 7, '#SBATC'],
  ]);
  assert.deepEqual(p.directives, []);
});
