/**
 * The words of a #SBATCH line (src/core/sbatch/tokenize.ts) against sbatch 22.05's own behaviour.
 * Cases marked "recorded" were submitted to the sandbox's real sbatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSbatchScript, tokenizeDirectiveLine, tokenColumn, type ParsedScript } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'hostname', ''].join('\n');
const values = (p: ParsedScript) => p.directives.map((d) => [d.option?.long ?? d.name, d.value]);
const codes = (p: ParsedScript) => p.problems.map((x) => x.code);

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

test('tokenizer keeps raw offsets for every character', () => {
  const r = tokenizeDirectiveLine(`#SBATCH --job-name="a b" -t 5`, 7);
  assert.deepEqual(r.tokens.map((t) => [t.text, t.start, t.end]), [['--job-name=a b', 8, 24], ['-t', 25, 27], ['5', 28, 29]]);
  assert.equal(tokenColumn(r.tokens[0], 11), 20);
  assert.equal(tokenColumn(r.tokens[0], 12), 21);
  assert.equal(tokenColumn(r.tokens[0], 99), 24);
});
