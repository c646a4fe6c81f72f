import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MarkupContent } from 'vscode-languageserver';
import { OPTIONS, parseSbatchScript } from '../../../src/core/sbatch';
import { filenamePatternAt, hoverAt, optionDocumentation } from '../../../src/server/hover';

test('every option has documentation with its syntax', () => {
  for (const opt of OPTIONS) {
    const doc = optionDocumentation(opt);
    assert.ok(doc.includes(`--${opt.long}`), opt.long);
    assert.ok(doc.includes(opt.description), opt.long);
    if (opt.env) assert.ok(doc.includes(opt.env), opt.long);
    if (opt.deprecated) assert.match(doc, /Deprecated/, opt.long);
  }
});

test('deprecated options say what replaces them', () => {
  const workdir = OPTIONS.find((o) => o.long === 'workdir' || o.aliases?.includes('workdir'));
  if (workdir?.deprecated?.replacement) assert.match(optionDocumentation(workdir), new RegExp(`--${workdir.deprecated.replacement}`));
});

test('filename patterns are found with their width', () => {
  const line = '#SBATCH -o out-%4a_%j.%%';
  assert.deepEqual(filenamePatternAt(line, 16), { text: '%4a', start: 15, end: 18, letter: '%a' });
  assert.equal(filenamePatternAt(line, 20)?.letter, '%j');
  assert.equal(filenamePatternAt(line, 23)?.letter, '%%');
  assert.equal(filenamePatternAt(line, 9), undefined);
});

test('hover on names, values, patterns and the keyword', () => {
  const text = '#!/bin/bash\n#SBATCH -t 10 --output=o_%A.txt\n#SBATCH --bogus=1\n';
  const parsed = parseSbatchScript(text);
  const lines = text.split('\n');
  const hover = (line: number, character: number) => hoverAt(parsed, lines[line], { line, character }, () => 'SUMMARY');
  const value = (h: ReturnType<typeof hover>) => (h?.contents as MarkupContent).value;
  assert.match(value(hover(1, 9)), /\*\*--time\*\*/);
  assert.deepEqual(hover(1, 9)?.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 10 } });
  assert.match(value(hover(1, 11)), /--time/, 'on the value too');
  assert.match(value(hover(1, 26)), /array's master job id/i);
  assert.equal(value(hover(1, 2)), 'SUMMARY');
  assert.equal(hover(2, 10), null, 'unknown options have no documentation');
  assert.equal(hover(0, 3), null);
});
