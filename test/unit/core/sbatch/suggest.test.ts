import { test } from 'node:test';
import assert from 'node:assert/strict';
import { editDistance, suggestOptionNames } from '../../../../src/core/sbatch/suggest';

test('a swap of neighbouring letters is one edit', () => {
  assert.equal(editDistance('tiem', 'time'), 1);
  assert.equal(editDistance('ntaks', 'ntasks'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('did-you-mean puts the transposed name first', () => {
  assert.equal(suggestOptionNames('tiem')[0], 'time');
  assert.equal(suggestOptionNames('parittion')[0], 'partition');
  assert.deepEqual(suggestOptionNames('nodse'), ['nodes']);
});
