import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTempName, tempNameFor } from '../../../src/core/sync/tempName';
import * as path from 'node:path';
import { temporaryNameFor } from '../../../src/transport/fileTransfer';

test('tempNameFor: a hidden name beside the final one, recognised by isTempName, fresh each time', () => {
  for (const name of ['job.sbatch', 'a b.txt', 'ü.py', '.hidden', 'x']) {
    const temp = tempNameFor(name);
    assert.match(temp, /^\..+\.hpcw-tmp-[0-9a-f]{12}$/);
    assert.equal(temp.startsWith(`.${name}.hpcw-tmp-`), true, temp);
    assert.equal(isTempName(temp), true, temp);
    assert.equal(isTempName(name), false, name);
  }
  const names = new Set(Array.from({ length: 100 }, () => tempNameFor('job.sbatch')));
  assert.equal(names.size, 100);
});

test('isTempName: only our complete pattern, on names not paths', () => {
  assert.equal(isTempName('.job.sbatch.hpcw-tmp-1a2b3c'), true, 'names left by earlier versions (any length of suffix)');
  assert.equal(isTempName('job.sbatch.hpcw-tmp-1a2b3c'), false, 'not hidden');
  assert.equal(isTempName('.job.sbatch.hpcw-tmp-'), false, 'no random part');
  assert.equal(isTempName('.job.hpcw-tmp-1a2b.bak'), false, 'the marker is the end of the name');
  assert.equal(isTempName('.job.hpcw-tmp-ZZ'), false);
  assert.equal(isTempName('.hidden'), false);
});

test('temporaryNameFor keeps the temporary in the final file’s folder', () => {
  assert.match(temporaryNameFor('/home/u/run/job.sbatch'), /^\/home\/u\/run\/\.job\.sbatch\.hpcw-tmp-[0-9a-f]{12}$/);
  assert.match(temporaryNameFor('run/out.txt'), /^run\/\.out\.txt\.hpcw-tmp-[0-9a-f]{12}$/);
  assert.match(temporaryNameFor('out.txt'), /^\.out\.txt\.hpcw-tmp-[0-9a-f]{12}$/, 'relative to the login folder, as SFTP reads it');
  assert.equal(isTempName(path.posix.basename(temporaryNameFor('/a/b/c.txt'))), true);
});
