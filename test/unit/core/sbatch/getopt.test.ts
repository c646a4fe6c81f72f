/**
 * getopt_long over the words of a component (src/core/sbatch/getopt.ts) against sbatch 22.05's own
 * behaviour. Cases marked "recorded" were submitted to the sandbox's real sbatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSbatchScript, type ParsedScript } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'hostname', ''].join('\n');
const values = (p: ParsedScript) => p.directives.map((d) => [d.option?.long ?? d.name, d.value]);
const codes = (p: ParsedScript) => p.problems.map((x) => x.code);

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

test('unknown option offers did-you-mean fixes', () => {
  const [p] = parseSbatchScript(script('#SBATCH --ntask=4')).problems;
  assert.match(p.message, /--ntasks/);
  assert.equal(p.fixes?.[0].edits[0].newText, '--ntasks');
  const [r] = parseSbatchScript(script('#SBATCH --cpu-bind=cores')).problems;
  assert.match(r.message, /option of srun, not of sbatch/);
  const [q] = parseSbatchScript(script('#SBATCH --cpus_per_task=4')).problems;
  assert.equal(q.fixes?.[0].edits[0].newText, '--cpus-per-task');
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
