import { after, before, describe, test } from 'node:test';
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
import { LspSession, serverPath } from '../lsp/lspSession';

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

/**
 * A stand-in ShellCheck for timing-free tests: reports one comment whose message is the
 * script's last line; a script containing SLOW records its PID in `slow.pid` and sleeps (so a
 * stale run is one that never ends by itself); every run appends a line to `runs`.
 */
function fakeShellcheck(dir: string): string {
  const fake = path.join(dir, 'fake-shellcheck');
  fs.writeFileSync(
    fake,
    [
      '#!/bin/sh',
      `echo run >> '${dir}/runs'`,
      'input=$(cat)',
      'case "$input" in',
      `  *SLOW*) echo $$ > '${dir}/slow.pid.tmp'; mv '${dir}/slow.pid.tmp' '${dir}/slow.pid'; exec sleep 120 ;;`,
      'esac',
      'last=$(printf "%s\\n" "$input" | tail -n 1)',
      `printf '{"comments":[{"line":1,"endLine":1,"column":1,"endColumn":2,"level":"warning","code":1,"message":"%s"}]}' "$last"`,
      'exit 1',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return fake;
}

/** Resolves when `cond` holds (checked every 20 ms), rejects after `timeoutMs`. */
async function until(what: string, cond: () => boolean, timeoutMs = 20000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is dead for our purpose.
  try {
    return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

test('the scheduler runs at once on open and save, waits after a change', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
  const fake = fakeShellcheck(dir);
  const results: { version: number; message: string }[] = [];
  // A change waits a minute here: only open and save can deliver within the test's lifetime.
  const s = new ShellcheckScheduler((_uri, version, d) => results.push({ version, message: d[0]?.message ?? '' }), () => undefined, { delayMs: 60_000 });
  try {
    s.schedule('file:///a', 1, 'echo\nv1', fake, 'open');
    await until('the open result', () => results.length === 1);
    assert.deepEqual(results[0], { version: 1, message: 'v1' });
    s.schedule('file:///a', 2, 'echo\nv2', fake, 'change');
    s.schedule('file:///a', 2, 'echo\nv2', fake, 'save');
    await until('the save result', () => results.length === 2);
    assert.deepEqual(results[1], { version: 2, message: 'v2' });
    // Saving again without a change starts no run.
    s.schedule('file:///a', 2, 'echo\nv2', fake, 'save');
    s.schedule('file:///a', 3, 'echo\nv3', fake, 'open');
    await until('the next result', () => results.length === 3);
    assert.deepEqual(results[2], { version: 3, message: 'v3' });
    assert.equal(fs.readFileSync(path.join(dir, 'runs'), 'utf8').trim().split('\n').length, 3, 'three runs: open, save, open');
  } finally {
    s.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the adaptive wait follows the last run, within its bounds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-'));
  const fake = fakeShellcheck(dir);
  let got = 0;
  const s = new ShellcheckScheduler(() => got++, () => undefined, { minDelayMs: 10, maxDelayMs: 100 });
  try {
    assert.equal(s.changeDelayMs, 50, 'half the maximum before any run');
    s.schedule('file:///a', 1, 'echo\nv1', fake, 'open');
    await until('a result', () => got === 1);
    assert.ok(s.changeDelayMs >= 10 && s.changeDelayMs <= 100, String(s.changeDelayMs));
    assert.equal(new ShellcheckScheduler(() => undefined, () => undefined, 7).changeDelayMs, 7, 'a fixed wait stays fixed');
  } finally {
    s.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('ShellCheck over a real LSP client', () => {
  let dir: string;
  before(() => {
    assert.ok(fs.existsSync(serverPath), 'dist/server.js exists: run `npm run build` first');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-lsp-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('SBATCH diagnostics never wait for ShellCheck; a stale run is killed; the newest is merged in', async () => {
    const fake = fakeShellcheck(dir);
    const s = await LspSession.start({ initializationOptions: { shellcheck: fake } });
    const pidFile = path.join(dir, 'slow.pid');
    try {
      const uri = 'file:///tmp/hpcw-sc/slow.sbatch';
      const slow = '#!/bin/bash\n#SBATCH --tiem=5\necho SLOW\n';
      await s.open(uri, slow);
      // Ours arrive while ShellCheck is still running (it never ends by itself on this text).
      const first = await s.waitForDiagnostics(uri, (_d, p) => p.version === 1);
      assert.deepEqual(first.map((d) => d.code), ['unknown-option']);
      await until('the slow run to start', () => readPid(pidFile) !== undefined);
      const pid = readPid(pidFile) as number;
      assert.ok(alive(pid), 'the slow ShellCheck is running');

      // A newer version makes it stale: it is killed, not awaited, and the new text is checked.
      const fresh = '#!/bin/bash\n#SBATCH --tiem=5\necho fast\n';
      await s.change(uri, fresh, 2);
      await until('the stale run to be killed', () => !alive(pid));
      const merged = await s.waitForDiagnostics(uri, (d, p) => p.version === 2 && d.some((x) => x.source === 'shellcheck'));
      assert.deepEqual(merged.filter((d) => d.source === 'sbatch').map((d) => d.code), ['unknown-option']);
      assert.deepEqual(merged.filter((d) => d.source === 'shellcheck').map((d) => d.message), ['echo fast']);

      // A save with the text unchanged delivers nothing new; a save after an edit runs at once.
      await s.change(uri, fresh + 'echo saved\n', 3);
      await s.notify_('textDocument/didSave', { textDocument: { uri } });
      const saved = await s.waitForDiagnostics(uri, (d, p) => p.version === 3 && d.some((x) => x.message === 'echo saved'));
      assert.equal(saved.filter((d) => d.source === 'shellcheck').length, 1);
    } finally {
      await s.stop();
    }
  });
});
