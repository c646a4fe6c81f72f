/**
 * The script corpus: test/fixtures/sbatch/valid/*.sbatch must lint without errors and
 * invalid/*.sbatch each hold one mistake, named by a "# expect: CODE" header line. All are linted
 * with the recorded snapshot of the sandbox cluster, so cluster-aware mistakes count too.
 * Every code that appears must be documented in README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch } from '../../../../src/core/sbatch';

const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
const dir = path.join(repo, 'test', 'fixtures', 'sbatch');
const cluster = parseClusterSnapshot(fs.readFileSync(path.join(dir, 'sandbox-cluster.json'), 'utf8'));
const files = (sub: string) => fs.readdirSync(path.join(dir, sub)).filter((f) => f.endsWith('.sbatch')).sort();
const read = (sub: string, f: string) => fs.readFileSync(path.join(dir, sub, f), 'utf8');
const codesDoc = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
const seenCodes = new Set<string>();

test('the corpus is large enough', () => {
  assert.ok(files('valid').length >= 20, 'valid scripts');
  assert.ok(files('invalid').length >= 40, 'invalid scripts');
});

for (const f of files('valid')) {
  test(`valid/${f} has no errors or warnings`, () => {
    const diags = lintSbatch(read('valid', f), { cluster });
    diags.forEach((d) => seenCodes.add(d.code));
    const bad = diags.filter((d) => d.severity === 'error' || d.severity === 'warning').map((d) => `${d.range.start.line + 1}: ${d.code}: ${d.message}`);
    assert.deepEqual(bad, []);
  });
}

for (const f of files('invalid')) {
  test(`invalid/${f} is flagged with exactly its expected mistake`, () => {
    const text = read('invalid', f);
    const m = /# expect: ([a-z-]+)/.exec(text);
    assert.ok(m, `${f} needs a "# expect: CODE" line`);
    const expected = m[1];
    const diags = lintSbatch(text, { cluster });
    diags.forEach((d) => seenCodes.add(d.code));
    const hit = diags.find((d) => d.code === expected);
    assert.ok(hit, `expected ${expected}, got ${diags.map((d) => d.code).join(', ')}`);
    // One mistake per file: no other errors or warnings than the expected code.
    const others = diags.filter((d) => d.code !== expected && (d.severity === 'error' || d.severity === 'warning')).map((d) => `${d.code}: ${d.message}`);
    assert.deepEqual(others, []);
  });
}

// versions/*.sbatch: what changed since 22.05, each with the versions whose sbatch --test-only
// accepts it ("# accepts: 22.05 24.11", recorded against the sandboxes; the agreement test
// re-checks it per version). Without a snapshot no error (some version accepts it); with one of a
// version, an error exactly when that version rejects it.
const fullVersions: Record<string, string> = { '22.05': '22.05.8', '24.11': '24.11.5', '26.05': '26.05.5' };
for (const f of files('versions')) {
  test(`versions/${f}: an error exactly for the versions whose sbatch rejects it`, () => {
    const text = read('versions', f);
    const m = /# accepts: ([\d. ]+)$/m.exec(text);
    assert.ok(m, `${f} needs a "# accepts: VERSION..." line`);
    const accepts = m[1].trim().split(/\s+/);
    const unversioned = lintSbatch(text, { cluster: { ...cluster, slurmVersion: undefined } });
    unversioned.forEach((d) => seenCodes.add(d.code));
    assert.deepEqual(unversioned.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`), [], 'no error without a version');
    for (const [major, full] of Object.entries(fullVersions)) {
      const diags = lintSbatch(text, { cluster: { ...cluster, slurmVersion: full } });
      diags.forEach((d) => seenCodes.add(d.code));
      const errors = diags.filter((d) => d.severity === 'error').map((d) => d.code);
      assert.equal(errors.length > 0, !accepts.includes(major), `Slurm ${full}: errors ${errors.join(', ') || 'none'}; sbatch ${accepts.includes(major) ? 'accepts' : 'rejects'} it`);
    }
  });
}

test('every code seen is documented in README.md', () => {
  const undocumented = [...seenCodes].filter((c) => !codesDoc.includes('`' + c + '`'));
  assert.deepEqual(undocumented, []);
});
