import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SyncFilter } from '../../../src/core/sync/exclusion';
import { isTempName } from '../../../src/core/sync/tempName';
import { scanLocalTree } from '../../../src/core/sync/localScan';

test('default folders are excluded, user globs add to them', () => {
  const filter = new SyncFilter({ excludeGlobs: ['data/**', '*.log'] });
  assert.equal(filter.excludes('.git', true), true);
  assert.equal(filter.excludes('node_modules', true), true);
  assert.equal(filter.excludes('pkg/__pycache__', true), true);
  assert.equal(filter.excludes('.venv', true), true);
  assert.equal(filter.excludes('data', true), true, 'data/** also names the folder itself');
  assert.equal(filter.excludes('data/big.h5', false), true);
  assert.equal(filter.excludes('run/deep/x.log', false), true, 'a glob without / matches the name at any depth');
  assert.equal(filter.excludes('src/main.py', false), false);
  assert.equal(filter.excludes('node_modules.txt', false), false);
});

test('defaults can be turned off, but version control folders never sync', () => {
  const filter = new SyncFilter({ defaultExcludes: false });
  assert.equal(filter.excludes('node_modules', true), false);
  assert.equal(filter.excludes('.git', true), true);
});

test('our temporary upload names are recognised and never synced', () => {
  assert.equal(isTempName('.job.sbatch.hpcw-tmp-1a2b3c'), true);
  assert.equal(isTempName('job.sbatch'), false);
  assert.equal(isTempName('.hidden'), false);
  assert.equal(new SyncFilter().excludes('a/.x.hpcw-tmp-00ff', false), true);
});

test('.gitignore rules: anchoring, folders, negation, nested files override', () => {
  const filter = new SyncFilter();
  filter.addGitignore('', '*.o\n/build/\nresults/\n!keep.o\n');
  filter.addGitignore('sub', '!*.o\nlocal.txt\n');
  assert.equal(filter.excludes('a.o', false), true);
  assert.equal(filter.excludes('keep.o', false), false, 'negation re-includes');
  assert.equal(filter.excludes('build', true), true);
  assert.equal(filter.excludes('src/build', true), false, '/build/ is anchored to the root');
  assert.equal(filter.excludes('build', false), false, 'build/ matches folders only');
  assert.equal(filter.excludes('x/results', true), true);
  assert.equal(filter.excludes('sub/z.o', false), false, 'the nested .gitignore re-includes');
  assert.equal(filter.excludes('sub/local.txt', false), true);
  assert.equal(filter.excludes('local.txt', false), false, 'nested rules apply only below their folder');
});

test('gitignore can be turned off', () => {
  const filter = new SyncFilter({ gitignore: false });
  filter.addGitignore('', '*\n');
  assert.equal(filter.excludes('a.py', false), false);
});

test('scanLocalTree applies every rule and records size, mtime and mode', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-scan-'));
  const write = (rel: string, text: string, mode = 0o644) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text, { mode });
  };
  write('.gitignore', '*.tmp\nbuild/\n');
  write('job.sbatch', '#!/bin/bash\n', 0o755);
  write('src/a b/ü.py', 'print(1)\n');
  write('src/x.tmp', 'no');
  write('build/out.bin', 'no');
  write('.git/HEAD', 'no');
  write('node_modules/m/index.js', 'no');
  write('src/__pycache__/a.pyc', 'no');
  write('sub/.gitignore', '!important.tmp\n');
  write('sub/important.tmp', 'yes');
  write('data/raw.csv', 'no');
  symlinkSync(path.join(root, 'job.sbatch'), path.join(root, 'link.sbatch'));
  symlinkSync(path.join(root, 'src'), path.join(root, 'srclink'));
  const manifest = await scanLocalTree(root, { filter: new SyncFilter({ excludeGlobs: ['data/**'] }) });
  assert.deepEqual([...manifest.files.keys()].sort(), ['.gitignore', 'job.sbatch', 'link.sbatch', 'src/a b/ü.py', 'sub/.gitignore', 'sub/important.tmp']);
  assert.deepEqual([...manifest.dirs].sort(), ['src', 'src/a b', 'sub']);
  const job = manifest.files.get('job.sbatch')!;
  assert.equal(job.size, 12);
  assert.equal(job.mode & 0o111, 0o111);
  assert.equal(Number.isInteger(job.mtime), true);
  rmSync(root, { recursive: true, force: true });
});
