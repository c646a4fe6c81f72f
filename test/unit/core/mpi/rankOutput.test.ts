import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, rankOutputFile } from '../../../../src/core/mpi/rankOutput';

test('LineSplitter: lines across chunks, CRLF, UTF-8 split mid-character, unterminated last line', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('ab\r\ncé\nΩmega', 'utf8');
  for (const b of bytes) s.push(Buffer.from([b])); // one byte at a time
  assert.deepEqual(lines, ['ab', 'cé']);
  s.end();
  assert.deepEqual(lines, ['ab', 'cé', 'Ωmega']);
});

test('rank directory names: <rank>.out|err carry the rank, w<pid>.out|err (multiprocessing) none', () => {
  assert.deepEqual(rankOutputFile('3.out'), { rank: 3, stream: 'stdout' });
  assert.deepEqual(rankOutputFile('10.err'), { rank: 10, stream: 'stderr' });
  assert.deepEqual(rankOutputFile('w4242.err'), { stream: 'stderr' });
  assert.equal(rankOutputFile('3.status'), undefined);
  assert.equal(rankOutputFile('sitecustomize.py'), undefined);
  assert.equal(rankOutputFile('x3.out'), undefined);
});
