import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tarArchive, tarHeader, type TarEntry } from '../../../src/core/sync/tar';

test('GNU tar extracts our archive: contents, modes and mtimes kept', () => {
  const entries: TarEntry[] = [
    { name: '0', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755, mtime: 1_600_000_000 },
    { name: '1', data: Buffer.alloc(0), mode: 0o600, mtime: 1_700_000_000 },
    { name: '2', data: randomBytes(512), mode: 0o644, mtime: 1 },
    { name: '3', data: randomBytes(70_001), mode: 0o640, mtime: 2_000_000_000 },
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-tar-'));
  try {
    const archive = tarArchive(entries);
    assert.equal(archive.length % 512, 0);
    execFileSync('tar', ['-x', '-p', '--no-same-owner', '-f', '-', '-C', dir], { input: archive });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['0', '1', '2', '3']);
    for (const entry of entries) {
      const file = path.join(dir, entry.name);
      assert.deepEqual(fs.readFileSync(file), Buffer.from(entry.data), entry.name);
      const stat = fs.statSync(file);
      assert.equal(stat.mode & 0o7777, entry.mode, `mode of ${entry.name}`);
      assert.equal(Math.floor(stat.mtimeMs / 1000), entry.mtime, `mtime of ${entry.name}`);
    }
    // And tar's own listing agrees with the sizes.
    const listing = execFileSync('tar', ['-t', '-v', '-f', '-'], { input: archive, encoding: 'utf8' });
    assert.match(listing, /70001/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('names we never need are refused rather than written wrongly', () => {
  for (const name of ['', 'a b', 'x\ny', 'é', 'a'.repeat(101)]) {
    assert.throws(() => tarHeader({ name, data: Buffer.alloc(0), mode: 0o644, mtime: 0 }), /Unsupported tar entry name/);
  }
  assert.throws(() => tarHeader({ name: 'big', data: { length: 8 ** 11 } as unknown as Uint8Array, mode: 0o644, mtime: 0 }), /does not fit/);
});
