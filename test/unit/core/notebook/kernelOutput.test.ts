/**
 * The mapping of a kernel's iopub messages to cell outputs, on messages recorded from ipykernel
 * 6.17 (Debian 12, test/fixtures/jupyter), and the Jupyter launch script's pure parts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { bundleItems, kernelOutput, stripAnsi, type KernelOutput } from '../../../../src/core/notebook/kernelOutput';
import { DEFAULT_JUPYTER_COMMAND, INSTALL_HINT, isMissingJupyter, jupyterLaunchArgv, jupyterLaunchScript, redact, socketPathFrom } from '../../../../src/core/notebook/jupyterLaunch';

const fixtures = path.resolve(__dirname, '..', '..', '..', '..', '..', 'test', 'fixtures');
type Recorded = Record<string, { code: string; iopub: { msg_type: string; content: unknown }[] }>;
const recorded = JSON.parse(readFileSync(path.join(fixtures, 'jupyter', 'iopub-ipykernel-6.17.json'), 'utf8')) as Recorded;

function outputs(name: string): KernelOutput[] {
  return recorded[name].iopub.map((m) => kernelOutput(m.msg_type, m.content)).filter((o): o is KernelOutput => o !== undefined);
}

test('stream messages keep their stream; execute_input and status are not outputs', () => {
  assert.deepEqual(outputs('stream'), [
    { kind: 'stream', name: 'stdout', text: 'out\n' },
    { kind: 'stream', name: 'stderr', text: 'err\n' },
  ]);
  assert.equal(kernelOutput('status', { execution_state: 'busy' }), undefined);
});

test('execute_result: its execution count, text/plain last', () => {
  const [result] = outputs('result');
  assert.equal(result.kind, 'rich');
  if (result.kind !== 'rich') return;
  assert.equal(result.executionCount, 2);
  assert.deepEqual(result.items, [{ mime: 'text/plain', data: "{'a': 1}" }]);
  assert.equal(result.update, false);
});

test('display_data with HTML and a display id; the HTML item comes before text/plain', () => {
  const [display] = outputs('html');
  assert.ok(display.kind === 'rich');
  assert.equal(display.displayId, 'd1');
  assert.deepEqual(display.items.map((i) => i.mime), ['text/html', 'text/plain']);
  assert.equal(display.items[0].data, '<b>bold</b>');
  const update = kernelOutput('update_display_data', { data: { 'text/plain': 'x' }, metadata: {}, transient: { display_id: 'd1' } });
  assert.ok(update?.kind === 'rich' && update.update && update.displayId === 'd1');
});

test('a matplotlib plot: image/png decoded from base64 to PNG bytes', () => {
  const [plot] = outputs('plot');
  assert.ok(plot.kind === 'rich');
  const png = plot.items.find((i) => i.mime === 'image/png');
  assert.ok(png && png.data instanceof Uint8Array);
  assert.deepEqual([...png.data.slice(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(plot.items.at(-1)?.mime, 'text/plain');
});

test('an error: name, message, and the traceback as the stack (ANSI colours kept, strippable)', () => {
  const [error] = outputs('error');
  assert.ok(error.kind === 'error');
  assert.equal(error.name, 'ZeroDivisionError');
  assert.equal(error.message, 'division by zero');
  const plain = stripAnsi(error.stack);
  assert.match(plain, /Traceback \(most recent call last\)/);
  assert.match(plain, /ZeroDivisionError: division by zero/);
  assert.doesNotMatch(plain, /\x1b/);
});

test('clear_output(wait=True)', () => {
  assert.deepEqual(outputs('clear'), [{ kind: 'clear', wait: true }]);
});

test('JSON bundles are serialized; lists of lines are joined; malformed content does not throw', () => {
  assert.deepEqual(bundleItems({ 'application/json': { a: [1] }, 'text/plain': ['a', 'b'] }), [
    { mime: 'application/json', data: '{"a":[1]}' },
    { mime: 'text/plain', data: 'ab' },
  ]);
  assert.deepEqual(kernelOutput('error', null), { kind: 'error', name: 'Error', message: '', stack: 'Error: ' });
  assert.deepEqual(kernelOutput('stream', undefined), { kind: 'stream', name: 'stdout', text: '' });
});

test('the launch script: the token is read from stdin, never an argument; options appended to the configured command', () => {
  const argv = jupyterLaunchArgv('module load python && jupyter server', "/home/u/it's here");
  assert.equal(argv[0], '/bin/sh');
  assert.equal(argv[4], "/home/u/it's here");
  assert.match(argv[2], /IFS= read -r token/);
  assert.match(argv[2], /module load python && jupyter server --no-browser --sock="\$d\/server\.sock" --ServerApp\.root_dir="\$1"/);
  assert.doesNotMatch(argv.join(' '), /--ServerApp\.token|--IdentityProvider\.token/);
  // The default falls back to python3 -m jupyter_server.
  const def = jupyterLaunchScript(DEFAULT_JUPYTER_COMMAND);
  assert.equal(def, jupyterLaunchScript(undefined));
  assert.match(def, /command -v jupyter .* python3 -m jupyter_server/);
});

test('the launch script runs in sh: token only in the environment, private folder, stops when stdin closes, folder removed', { skip: process.platform !== 'linux' }, () => {
  // A stand-in "server" that prints its argv and the token it got, then waits to be told to end.
  const fake = 'printf "argv:%s\\n" "$*"; printf "token:%s\\n" "$JUPYTER_TOKEN"; ls -ld "${JUPYTER_RUNTIME_DIR%/runtime}"; exec sleep 30';
  const script = jupyterLaunchScript(`sh -c '${fake}' fake`);
  // Its own session (setsid), as the transports run it: its watcher signals its whole group.
  // stdin: the token, then open for a moment (the server runs), then closed (stop).
  const run = spawnSync('/bin/sh', ['-c', `{ printf 'sekrit\\n'; sleep 1; } | setsid -w sh -c "$1" sh /tmp/hpcw-launch-test; echo "exit:$?"`, 'outer', script], { encoding: 'utf8', timeout: 20_000 });
  const out = run.stdout;
  const sock = socketPathFrom(out);
  assert.ok(sock && /^\/.*\/hpcw-jupyter\.[A-Za-z0-9]{8}\/server\.sock$/.test(sock), out + run.stderr);
  assert.match(out, /^token:sekrit$/m);
  assert.match(out, new RegExp(`^argv:--no-browser --sock=\\S+server\\.sock --ServerApp\\.root_dir=/tmp/hpcw-launch-test${process.getuid?.() === 0 ? ' --allow-root' : ''}$`, 'm'));
  assert.match(out, /^drwx------ /m);
  assert.match(out, /^exit:/m);
  // The folder is removed once the server has ended.
  assert.ok(!existsSync(path.dirname(sock)), `${path.dirname(sock)} still exists`);
});

test('socket line, token redaction, and what counts as "no Jupyter"', () => {
  assert.equal(socketPathFrom('hpcw-jupyter-socket /tmp/hpcw-jupyter.abc/serv'), undefined);
  assert.equal(socketPathFrom('noise\nhpcw-jupyter-socket /tmp/hpcw-jupyter.abc/server.sock\nmore'), '/tmp/hpcw-jupyter.abc/server.sock');
  assert.equal(redact('http://x/?token=abc123 and abc123', 'abc123'), 'http://x/?token=<token> and <token>');
  assert.equal(redact('text', ''), 'text');
  assert.ok(isMissingJupyter(127, 'sh: 1: nosuchjupyter: not found'));
  assert.ok(isMissingJupyter(1, '/usr/bin/python3: No module named jupyter_server'));
  assert.ok(isMissingJupyter(1, "Jupyter command `jupyter-server` not found."));
  assert.ok(!isMissingJupyter(1, 'OSError: [Errno 98] Address already in use'));
  assert.match(INSTALL_HINT, /python3-jupyter-server python3-ipykernel/);
  assert.match(INSTALL_HINT, /pip install --user jupyter-server ipykernel/);
  assert.match(INSTALL_HINT, /hpcWorkbench\.notebook\.jupyterCommand/);
});
