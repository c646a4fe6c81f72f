/**
 * The directive parser against sbatch 22.05's own behaviour. Cases marked "recorded" were
 * submitted to the sandbox's real sbatch (with --hold, then inspected with scontrol show job).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSbatchScript, type ParsedScript } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'hostname', ''].join('\n');
const values = (p: ParsedScript) => p.directives.map((d) => [d.option?.long ?? d.name, d.value]);
const codes = (p: ParsedScript) => p.problems.map((x) => x.code);

test('reads --opt=value, --opt value, -nVALUE and -n VALUE forms', () => {
  const p = parseSbatchScript(script('#SBATCH --time=10 --mem 1G', '#SBATCH -n4 -c 2'));
  assert.deepEqual(values(p), [['time', '10'], ['mem', '1G'], ['ntasks', '4'], ['cpus-per-task', '2']]);
  assert.deepEqual(p.directives.map((d) => d.valueStyle), ['equals', 'separate', 'attached', 'separate']);
  assert.deepEqual(codes(p), []);
});

test('ranges point at the keyword, the name and the value', () => {
  const p = parseSbatchScript(script('#SBATCH --time=10 -n 4'));
  const [t, n] = p.directives;
  assert.deepEqual(t.keywordRange, { start: { line: 1, character: 0 }, end: { line: 1, character: 7 } });
  assert.deepEqual([t.nameRange.start.character, t.nameRange.end.character], [8, 14]);
  assert.deepEqual([t.valueRange?.start.character, t.valueRange?.end.character], [15, 17]);
  assert.deepEqual([n.nameRange.start.character, n.nameRange.end.character], [18, 20]);
  assert.deepEqual([n.valueRange?.start.character, n.valueRange?.end.character], [21, 22]);
});

test('stops at the first line that is neither blank nor a comment', () => {
  const p = parseSbatchScript(['#!/bin/bash', '', '# comment', '   ', '#SBATCH -t 5', 'echo hi', '#SBATCH --mem=1G', ''].join('\n'));
  assert.deepEqual(values(p), [['time', '5']]);
  assert.equal(p.firstCommandLine, 5);
  assert.deepEqual(p.ignored.map((i) => [i.kind, i.line]), [['after-command', 6]]);
});

test('errors: unknown option, missing value, value for a flag, unmatched quote, leading colon', () => {
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH --tmie=5'))), ['unknown-option']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH --tmie 5'))), ['unknown-option']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH -y 5'))), ['unknown-option']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH -t'))), ['missing-value']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH --hold=1'))), ['unexpected-value']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH -J "abc'))), ['unmatched-quote']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH : -n 2'))), ['unexpected-colon']);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH -- -t 5'))), ['invalid-directive']);
});

test('heterogeneous components (recorded against 22.05)', () => {
  const p = parseSbatchScript(script('#SBATCH -n 1', '#SBATCH hetjob', '#SBATCH -n 2', '#SBATCH HETJOB # third', '#SBATCH -n 3'));
  assert.equal(p.componentCount, 3);
  assert.deepEqual(p.directives.map((d) => [d.component, d.value]), [[0, '1'], [1, '2'], [2, '3']]);
  // The rest of a separator line is ignored (recorded: "hetjob -t 7 -J b" applied neither).
  const q = parseSbatchScript(script('#SBATCH -J a', '#SBATCH hetjob -t 7'));
  assert.equal(q.componentCount, 2);
  assert.deepEqual(values(q), [['job-name', 'a']]);
  assert.deepEqual(codes(q), ['hetjob-in-line']);
  // Not first on the line: silently dropped, no new component (recorded: "-t 4 packjob").
  const r = parseSbatchScript(script('#SBATCH -t 4 packjob'));
  assert.equal(r.componentCount, 1);
  assert.deepEqual(values(r), [['time', '4']]);
  // Inside a value it is just text (recorded: -J myhetjobx kept its name, no het job).
  const s = parseSbatchScript(script('#SBATCH -J myhetjobx --comment="hetjob"'));
  assert.equal(s.componentCount, 1);
  assert.deepEqual(values(s), [['job-name', 'myhetjobx'], ['comment', 'hetjob']]);
  // "#SBATCHhetjob" also separates (recorded), "hetjobx" does not.
  assert.equal(parseSbatchScript(script('#SBATCHhetjob')).componentCount, 2);
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH hetjobx'))), ['invalid-directive']);
});

test('"#SLURM" is still a directive keyword (recorded: accepted with an error message)', () => {
  const p = parseSbatchScript(script('#SLURM --time=5'));
  assert.deepEqual(values(p), [['time', '5']]);
  assert.deepEqual(codes(p), ['legacy-keyword']);
});

test('shebang, CRLF, BOM, NUL and line count', () => {
  const p = parseSbatchScript('#!/usr/bin/env bash\r\n#SBATCH -t 5\r\nhostname\r\n');
  assert.equal(p.shebang?.interpreter, '/usr/bin/env bash');
  assert.equal(p.hasCRLF, true);
  assert.deepEqual(values(p), [['time', '5']]);
  assert.equal(p.lineCount, 4);
  const b = parseSbatchScript('\uFEFF#!/bin/bash\n#SBATCH -t 5\n');
  assert.equal(b.hasBOM, true);
  assert.equal(b.firstCommandLine, 0, 'sbatch sees the BOM line as a command and reads nothing');
  assert.deepEqual(b.directives, []);
  assert.equal(parseSbatchScript('#!/bin/sh\n\0\n').hasNul, true);
  assert.equal(parseSbatchScript('').lineCount, 1);
});

test('lines after the first command are found without parsing them', () => {
  const body = Array.from({ length: 1000 }, (_, i) => (i === 500 ? '  #SBATCH --mem=1G' : `echo ${i} # SBATCH`)).join('\n');
  const p = parseSbatchScript('#!/bin/bash\n#SBATCH -t 5\n' + body + '\n');
  assert.deepEqual(p.ignored.map((i) => [i.kind, i.line, i.range.start.character]), [['after-command', 502, 2]]);
  assert.equal(p.lineCount, 1003);
});
