import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LineSplitter, RankFileTail, type RankLine } from '../../../src/core/mpi/rankOutput';

test('LineSplitter: lines across chunks, CRLF, UTF-8 split mid-character, unterminated last line', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  const bytes = Buffer.from('ab\r\ncé\nΩmega', 'utf8');
  for (const b of bytes) s.push(Buffer.from([b])); // one byte at a time
  assert.deepEqual(lines, ['ab', 'cé']);
  s.end();
  assert.deepEqual(lines, ['ab', 'cé', 'Ωmega']);
});

test('RankFileTail: follows files as they grow and attributes each line to its file\'s rank', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpcw-tail-'));
  try {
    const got: RankLine[] = [];
    const tail = new RankFileTail(dir, (l) => got.push(l));
    tail.poll(); // nothing yet
    writeFileSync(join(dir, '0.out'), 'zero one\nzero t');
    writeFileSync(join(dir, '10.err'), 'ten err\n');
    writeFileSync(join(dir, '1.status'), '0 1\n'); // not output
    tail.poll();
    assert.deepEqual(got, [
      { rank: 0, stream: 'stdout', text: 'zero one' },
      { rank: 10, stream: 'stderr', text: 'ten err' },
    ]);
    appendFileSync(join(dir, '0.out'), 'wo\nzero three');
    tail.poll();
    assert.deepEqual(got.at(-1), { rank: 0, stream: 'stdout', text: 'zero two' });
    tail.finish();
    assert.deepEqual(got.at(-1), { rank: 0, stream: 'stdout', text: 'zero three' });
    assert.equal(got.length, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
