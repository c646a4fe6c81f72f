/**
 * The directive parser against sbatch 22.05's own behaviour. Cases marked "recorded" were
 * submitted to the sandbox's real sbatch (with --hold, then inspected with scontrol show job).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSbatchScript, tokenizeDirectiveLine, tokenColumn, type ParsedScript } from '../../../../src/core/sbatch';

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

test('indented "#SBATCH" is ignored (recorded: sbatch did not apply --time=99)', () => {
  const p = parseSbatchScript(script('  #SBATCH --time=99'));
  assert.deepEqual(p.directives, []);
  assert.deepEqual(p.ignored.map((i) => i.kind), ['indented']);
});

test('quotes group characters and are removed; backslash escapes; unquoted # starts a comment', () => {
  const p = parseSbatchScript(script(`#SBATCH -J "a b"c'd e' --comment=x\\#y # trailing`));
  assert.deepEqual(values(p), [['job-name', 'a bcd e'], ['comment', 'x#y']]);
  assert.equal(p.lines[0].commentStart, 38);
});

test('a # inside a word ends the line (recorded: -J a#b -t 5 gave JobName=a and the default time)', () => {
  const p = parseSbatchScript(script('#SBATCH -J a#b -t 5'));
  assert.deepEqual(values(p), [['job-name', 'a']]);
});

test('a backslash does not protect a space (recorded: "-J a\\ b" → Invalid directive "b")', () => {
  const p = parseSbatchScript(script('#SBATCH -J a\\ b'));
  assert.deepEqual(values(p), [['job-name', 'a']]);
  assert.deepEqual(codes(p), ['invalid-directive']);
});

test('an empty quoted word ends the line (recorded: -J a "" -t 7 kept the default time)', () => {
  const p = parseSbatchScript(script('#SBATCH -J a "" -t 7'));
  assert.deepEqual(values(p), [['job-name', 'a']]);
  assert.deepEqual(codes(p), ['empty-word']);
  // recorded: --comment "" -t 7 / -J b → the comment takes "-J", then "b" is an invalid directive
  const q = parseSbatchScript(script('#SBATCH --comment "" -t 7', '#SBATCH -J b'));
  assert.deepEqual(values(q), [['comment', '-J']]);
  // ...said on the line of --comment too, where the value is missing
  assert.deepEqual(codes(q), ['empty-word', 'value-looks-like-option', 'invalid-directive']);
  assert.equal(q.problems.find((x) => x.code === 'value-looks-like-option')?.range.start.line, 1);
  // recorded: -J a\\b gave JobName=a\b
  assert.deepEqual(values(parseSbatchScript(script('#SBATCH -J a\\\\b'))), [['job-name', 'a\\b']]);
});

test('an option and its value may be on different lines (recorded: --time / 99 gave 00:99)', () => {
  const p = parseSbatchScript(script('#SBATCH --time', '#SBATCH 99'));
  assert.deepEqual(values(p), [['time', '99']]);
  assert.equal(p.directives[0].valueRange?.start.line, 2);
});

test('unique prefixes are accepted like getopt_long; ambiguous ones are errors', () => {
  const p = parseSbatchScript(script('#SBATCH --part=debug --mem-p=1G --threads=1'));
  assert.deepEqual(p.directives.map((d) => [d.option?.long, d.abbreviated]), [['partition', true], ['threads-per-core', true]]);
  assert.deepEqual(codes(p), ['ambiguous-option']);
});

test('hidden aliases sbatch accepts: --tasks, --tasks-per-node, --cluster', () => {
  const p = parseSbatchScript(script('#SBATCH --tasks=2 --tasks-per-node=1 --cluster=x'));
  assert.deepEqual(p.directives.map((d) => d.option?.long), ['ntasks', 'ntasks-per-node', 'clusters']);
  assert.ok(p.directives.every((d) => !d.abbreviated));
});

test('short option clusters: -Hn4 is --hold and --ntasks=4', () => {
  const p = parseSbatchScript(script('#SBATCH -Hn4'));
  assert.deepEqual(values(p), [['hold', undefined], ['ntasks', '4']]);
});

test('an optional value must be attached with =: "--exclusive user" is rejected (recorded)', () => {
  const p = parseSbatchScript(script('#SBATCH --exclusive user'));
  assert.deepEqual(values(p), [['exclusive', undefined]]);
  assert.deepEqual(codes(p), ['invalid-directive']);
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

test('unknown option offers did-you-mean fixes', () => {
  const [p] = parseSbatchScript(script('#SBATCH --ntask=4')).problems;
  assert.match(p.message, /--ntasks/);
  assert.equal(p.fixes?.[0].edits[0].newText, '--ntasks');
  const [r] = parseSbatchScript(script('#SBATCH --cpu-bind=cores')).problems;
  assert.match(r.message, /option of srun, not of sbatch/);
  const [q] = parseSbatchScript(script('#SBATCH --cpus_per_task=4')).problems;
  assert.equal(q.fixes?.[0].edits[0].newText, '--cpus-per-task');
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

test('tokenizer keeps raw offsets for every character', () => {
  const r = tokenizeDirectiveLine(`#SBATCH --job-name="a b" -t 5`, 7);
  assert.deepEqual(r.tokens.map((t) => [t.text, t.start, t.end]), [['--job-name=a b', 8, 24], ['-t', 25, 27], ['5', 28, 29]]);
  assert.equal(tokenColumn(r.tokens[0], 11), 20);
  assert.equal(tokenColumn(r.tokens[0], 12), 21);
  assert.equal(tokenColumn(r.tokens[0], 99), 24);
});

test('a value-less option at the end of its line takes the next line\'s option as its value: said on its own line', () => {
  const p = parseSbatchScript(script('#SBATCH --job-name', '#SBATCH -t 5'));
  assert.deepEqual(values(p), [['job-name', '-t']]);
  const borrowed = p.problems.find((x) => x.code === 'value-looks-like-option');
  assert.ok(borrowed, JSON.stringify(p.problems));
  assert.equal(borrowed.severity, 'warning');
  assert.equal(borrowed.range.start.line, 1, 'on the line of --job-name');
  assert.match(borrowed.message, /takes "-t" from line 3 as its value \(the job is named "-t"\) and then finds "5" as a stray word/);
  // The stray word is sbatch's error, where it is.
  assert.equal(p.problems.find((x) => x.code === 'invalid-directive')?.range.start.line, 2);
  // A plain value on the next line is sbatch's rule, not a mistake.
  assert.deepEqual(codes(parseSbatchScript(script('#SBATCH --time', '#SBATCH 10'))), []);
});
