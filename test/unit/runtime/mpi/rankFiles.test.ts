import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstFailedStatus } from '../../../../src/core/mpi/failure';
import type { RankLine } from '../../../../src/core/mpi/rankOutput';
import { RankFileTail, readRankStatuses } from '../../../../src/runtime/mpi/rankFiles';

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

test('status files: the code, ordered by when each was written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpcw-status-'));
  try {
    writeFileSync(join(dir, '3.status'), '1\n');
    await new Promise((r) => setTimeout(r, 30));
    writeFileSync(join(dir, '0.status'), '2\n');
    writeFileSync(join(dir, '0.out'), 'not a status');
    const statuses = readRankStatuses(dir);
    assert.deepEqual(statuses.map((s) => [s.rank, s.code]), [[0, 2], [3, 1]]);
    assert.equal(firstFailedStatus(statuses)?.rank, 3, 'rank 3 ended first');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('RankFileTail: many writers at once, lines over 64 KiB, lines written in pieces: each line whole, from its writer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hpcw-tail-'));
  try {
    const got: RankLine[] = [];
    const tail = new RankFileTail(dir, (l) => got.push(l));
    const writers = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `${i}.out` : `w${1000 + i}.err`));
    const line = (w: number, n: number): string => `${w}:${n}:${String.fromCharCode(97 + w).repeat(n % 3 === 0 ? 150_000 : 10 + n)}`;
    // Round-robin: each step appends one third of the current line of every writer, polling in between.
    for (let n = 0; n < 6; n++) {
      for (let part = 0; part < 3; part++) {
        writers.forEach((name, w) => {
          const text = `${line(w, n)}\n`;
          const third = Math.ceil(text.length / 3);
          appendFileSync(join(dir, name), text.slice(part * third, (part + 1) * third));
        });
        tail.poll();
      }
    }
    tail.finish();
    assert.equal(got.length, writers.length * 6);
    for (const l of got) {
      const w = Number(l.text.split(':')[0]);
      const n = Number(l.text.split(':')[1]);
      assert.equal(l.text, line(w, n), `line ${n} of writer ${w} is whole`);
      assert.equal(l.rank, w % 2 === 0 ? w : undefined);
      assert.equal(l.stream, w % 2 === 0 ? 'stdout' : 'stderr');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
