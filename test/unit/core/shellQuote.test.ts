import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { shellCommand, shellQuote, shellQuotePath } from '../../../src/core/shellQuote';

const hostile = [
  'plain',
  'with space',
  "it's",
  '$(touch /tmp/pwned)',
  '`id`',
  'a;b',
  'semi; rm -rf ~',
  '"double"',
  'back\\slash',
  'new\nline',
  '',
  '*',
  '~user',
  '-n',
  'ünïcødé ✓',
];

test('shellQuote round-trips hostile words through a real sh', () => {
  for (const word of hostile) {
    const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(word)}`], { encoding: 'utf8' });
    assert.equal(out, word, `word ${JSON.stringify(word)}`);
  }
});

test('shellCommand keeps argv boundaries', () => {
  const cmd = shellCommand(['printf', '%s|', ...hostile]);
  const out = execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
  assert.equal(out, hostile.map((w) => `${w}|`).join(''));
});

test('shellQuotePath leaves ~/ for the shell to expand and quotes the rest', () => {
  assert.equal(shellQuotePath('~/a b'), "~/'a b'");
  assert.equal(shellQuotePath('/x/$(y)'), "'/x/$(y)'");
  const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuotePath('~/a b')}`], {
    encoding: 'utf8',
    env: { ...process.env, HOME: '/home/someone' },
  });
  assert.equal(out, '/home/someone/a b');
});

test('shellCommand rejects NUL bytes and bad env names', () => {
  assert.throws(() => shellQuote('a\0b'), /NUL/);
  assert.throws(() => shellCommand(['true'], { env: { 'A;B': 'x' } }), /Invalid environment variable/);
});
