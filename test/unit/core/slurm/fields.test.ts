import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachRow } from '../../../../src/core/slurm/fields';

const rows = (text: string, count: number, sep = '\x1f') => {
  const out: string[][] = [];
  forEachRow(text, count, sep, (f) => out.push(f));
  return out;
};

test('rows: CRLF dropped, empty and short lines skipped, the rest joined into the last field', () => {
  assert.deepEqual(rows('a\x1fb\x1fc\r\n\nshort\x1f1\na\x1fb\x1fc\x1fd\x1fe', 3), [['a', 'b', 'c'], ['a', 'b', 'c\x1fd\x1fe']]);
  assert.deepEqual(rows('', 1), []);
  assert.deepEqual(rows('x|y|z\n', 2, '|'), [['x', 'y|z']]);
  assert.deepEqual(rows('\r\n\r\nx', 1), [['x']]);
});
