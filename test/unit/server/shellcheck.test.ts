import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import {
  parseShellcheckJson1,
  runShellcheck,
  shellDialect,
  shellcheckExecutable,
  ShellcheckScheduler,
  type ShellcheckFixData,
} from '../../../src/server/shellcheck';

function installed(): boolean {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const HAVE_SHELLCHECK = installed();

test('the setting names the executable', () => {
  assert.equal(shellcheckExecutable('auto'), 'shellcheck');
  assert.equal(shellcheckExecutable(undefined), 'shellcheck');
  assert.equal(shellcheckExecutable('off'), undefined);
  assert.equal(shellcheckExecutable('/opt/bin/shellcheck'), '/opt/bin/shellcheck');
  assert.equal(shellcheckExecutable('~/bin/shellcheck'), path.join(os.homedir(), 'bin/shellcheck'));
});

test('the dialect comes from the shebang, bash otherwise', () => {
  assert.equal(shellDialect('#!/bin/bash\n'), 'bash');
  assert.equal(shellDialect('#!/bin/sh\n'), 'sh');
  assert.equal(shellDialect('#!/usr/bin/env dash\n'), 'dash');
  assert.equal(shellDialect('#!/usr/bin/env -S ksh\n'), 'ksh');
  assert.equal(shellDialect('#SBATCH -n 1\n'), 'bash');
  assert.equal(shellDialect('#!/usr/bin/zsh\n'), 'bash');
});

test('json1 output maps to 0-based diagnostics with codes, severities and fixes', () => {
  const out = JSON.stringify({
    comments: [
      { file: '-', line: 3, endLine: 3, column: 7, endColumn: 11, level: 'info', code: 2086, message: 'Double quote', fix: { replacements: [{ line: 3, endLine: 3, column: 7, endColumn: 7, replacement: '"' }, { line: 3, endLine: 3, column: 11, endColumn: 11, replacement: '"' }] } },
      { file: '-', line: 1, endLine: 1, column: 1, endColumn: 2, level: 'error', code: 1000, message: 'x', fix: null },
      { file: '-', line: 1, endLine: 1, column: 1, endColumn: 2, level: 'style', code: 2001, message: 'y', fix: null },
    ],
  });
  const [info, error, style] = parseShellcheckJson1(out);
  assert.deepEqual(info.range, { start: { line: 2, character: 6 }, end: { line: 2, character: 10 } });
  assert.equal(info.code, 'SC2086');
  assert.equal(info.source, 'shellcheck');
  assert.equal(info.severity, 3);
  assert.equal((info.data as ShellcheckFixData).shellcheckFix.length, 2);
  assert.equal(error.severity, 1);
  assert.equal(style.severity, 4);
  assert.throws(() => parseShellcheckJson1('not json'));
  assert.throws(() => parseShellcheckJson1('{"x":1}'));
});

test('a missing executable yields no diagnostics and says so', async () => {
  const r = await runShellcheck('/nonexistent/shellcheck', 'echo $x\n');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.missing, true);
});

test('an executable that fails or prints garbage yields no diagnostics', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
  const bad = path.join(dir, 'fake-shellcheck');
  fs.writeFileSync(bad, '#!/bin/sh\necho "not json"\nexit 1\n', { mode: 0o755 });
  const crash = path.join(dir, 'crash-shellcheck');
  fs.writeFileSync(crash, '#!/bin/sh\necho boom >&2\nexit 3\n', { mode: 0o755 });
  try {
    const r1 = await runShellcheck(bad, 'echo\n');
    assert.deepEqual(r1.diagnostics, []);
    assert.match(r1.problem ?? '', /unexpected output/);
    const r2 = await runShellcheck(crash, 'echo\n');
    assert.deepEqual(r2.diagnostics, []);
    assert.match(r2.problem ?? '', /exited with 3: boom/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('real shellcheck: body findings, and #SBATCH lines are no noise', { skip: !HAVE_SHELLCHECK && 'shellcheck not installed' }, async () => {
  const script = '#!/bin/bash\n#SBATCH --time=10\n#SBATCH --output=%x-%j.out # comment\n\techo $foo\n';
  const r = await runShellcheck('shellcheck', script);
  assert.equal(r.problem, undefined);
  const codes = r.diagnostics.map((d) => d.code).sort();
  assert.deepEqual(codes, ['SC2086', 'SC2154']);
  for (const d of r.diagnostics) assert.equal(d.range.start.line, 3);
  // json1 counts a tab as one column: $foo starts at character 6.
  assert.equal(r.diagnostics[0].range.start.character, 6);
});

test('the scheduler debounces and reports only the latest request', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
  const counter = path.join(dir, 'runs');
  const fake = path.join(dir, 'fake-shellcheck');
  // Counts its runs and reports one comment whose message is the script's first line.
  fs.writeFileSync(fake, `#!/bin/sh\necho x >> ${counter}\nread -r first\nprintf '{"comments":[{"line":1,"endLine":1,"column":1,"endColumn":2,"level":"warning","code":1,"message":"%s"}]}' "$first"\nexit 1\n`, { mode: 0o755 });
  try {
    const results: { uri: string; version: number; diagnostics: Diagnostic[] }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const s = new ShellcheckScheduler((uri, version, diagnostics) => {
      results.push({ uri, version, diagnostics });
      done();
    }, () => undefined, 50);
    for (let v = 1; v <= 5; v++) s.schedule('file:///a', v, `v${v}\n`, fake);
    await finished;
    await new Promise((r) => setTimeout(r, 200));
    s.dispose();
    assert.equal(results.length, 1);
    assert.equal(results[0].version, 5);
    assert.equal(results[0].diagnostics[0].message, 'v5');
    assert.equal(fs.readFileSync(counter, 'utf8').trim().split('\n').length, 1, 'one run for five requests');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
