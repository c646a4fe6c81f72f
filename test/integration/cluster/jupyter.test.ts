/**
 * Jupyter on the sandbox's login node over its real sshd (the cluster service as the extension
 * drives it): the server listens on a 0600 socket in a 0700 folder, its token is in no process's
 * argv, cells run in the remote folder through streams over the one SSH connection (a plot comes
 * back as PNG bytes, an error with its traceback, input() answered, an interrupt ends a sleep),
 * and stopping (the last kernel shut down, or the connection ending) leaves no server or kernel
 * process. A missing Jupyter command gives the message naming what to install.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Cluster, ClusterRegistry } from '../../../src/cluster';
import { JupyterUnavailableError, type JupyterKernel } from '../../../src/cluster/jupyter';
import { stripAnsi, type KernelOutput } from '../../../src/core/notebook/kernelOutput';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { sandboxCluster, untilValue as until } from './sandboxCluster';

let info: SandboxInfo;
let registry: ClusterRegistry;
let cluster: Cluster;
let remoteDir: string;

before(async () => {
  info = loadSandbox();
  const name = `jupyter-tests/${randomBytes(4).toString('hex')}/ws`;
  ({ registry, cluster } = sandboxCluster(info, { remoteDir: `~/${name}` }));
  remoteDir = await cluster.remoteDir('ws');
});

after(async () => {
  await cluster.jupyter().shutdown();
  await cluster.exec(['rm', '-rf', path.posix.dirname(remoteDir)]).catch(() => undefined);
  registry.dispose();
});

/** The user's processes' command lines on the login node. */
async function processes(): Promise<string> {
  const r = await cluster.exec(['ps', '-o', 'args=', '-u', info.sshUser]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const serverOrKernel = (ps: string): string[] => ps.split('\n').filter((l) => /jupyter_server|jupyter server|ipykernel_launcher/.test(l));

async function run(kernel: JupyterKernel, code: string, input?: string): Promise<{ outputs: KernelOutput[]; status: string; prompts: string[] }> {
  const outputs: KernelOutput[] = [];
  const prompts: string[] = [];
  const result = await kernel.execute(code, {
    onOutput: (o) => outputs.push(o),
    onInput: input === undefined ? undefined : async (prompt) => (prompts.push(prompt), input),
  });
  return { outputs, status: result.status, prompts };
}

const stdout = (outputs: KernelOutput[]) => outputs.map((o) => (o.kind === 'stream' && o.name === 'stdout' ? o.text : '')).join('');

test('the server: a private socket, the token in no argv; cells run in the remote folder over the connection', async () => {
  const before = serverOrKernel(await processes());
  assert.deepEqual(before, [], 'no Jupyter running before the test');
  const kernel = await cluster.jupyter().startKernel({ cwd: remoteDir });
  const server = (await cluster.jupyter().runningServer())!;
  assert.ok(server, 'a server runs');

  // The socket: 0600, in a folder of its own with mode 0700, owned by the user.
  const modes = await cluster.exec(['stat', '-c', '%a %U %F', server.socketPath, path.posix.dirname(server.socketPath)]);
  assert.equal(modes.code, 0, modes.stderr);
  assert.deepEqual(modes.stdout.trim().split('\n'), [`600 ${info.sshUser} socket`, `700 ${info.sshUser} directory`]);

  // The token appears in no command line of the user's processes (which other users see with ps).
  const token = server.settings.token;
  assert.ok(token.length >= 32);
  const ps = await processes();
  assert.ok(serverOrKernel(ps).length >= 2, `server and kernel are listed:\n${ps}`);
  assert.ok(!ps.includes(token), 'the token is in no argv');
  assert.ok(!server.recentLog.includes(token), 'the token is not in the kept log');

  // Outputs: the working folder, a plot as PNG bytes, an error with its traceback.
  const cwd = await run(kernel, 'import os\nprint(os.getcwd())');
  assert.equal(cwd.status, 'ok');
  assert.equal(stdout(cwd.outputs).trim(), remoteDir);
  const plot = await run(kernel, '%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([0, 1, 4])\nplt.show()');
  const png = plot.outputs.flatMap((o) => (o.kind === 'rich' ? o.items : [])).find((i) => i.mime === 'image/png');
  assert.ok(png && png.data instanceof Uint8Array && png.data[1] === 0x50 && png.data.length > 1000, 'a PNG image');
  const failing = await run(kernel, 'def f():\n    return 1 / 0\nf()');
  assert.equal(failing.status, 'error');
  const error = failing.outputs.find((o) => o.kind === 'error');
  assert.ok(error?.kind === 'error');
  assert.equal(error.name, 'ZeroDivisionError');
  assert.match(stripAnsi(error.stack), /Traceback[\s\S]*f\(\)[\s\S]*ZeroDivisionError: division by zero/);

  // input() answered; an interrupt ends a sleep long before it would end.
  const asked = await run(kernel, 'name = input("Your name? ")\nprint("hello", name)', 'Ada');
  assert.deepEqual(asked.prompts, ['Your name? ']);
  assert.equal(stdout(asked.outputs).trim(), 'hello Ada');
  const sleeping = run(kernel, 'import time\nprint("sleeping", flush=True)\ntime.sleep(600)');
  await until('the cell to start', async () => ((await processes()).includes('ipykernel') ? true : undefined));
  // Interrupt once the cell is busy (the kernel is asked until the cell ends).
  const interrupting = setInterval(() => void kernel.interrupt().catch(() => undefined), 1000);
  const ended = await sleeping.finally(() => clearInterval(interrupting));
  assert.equal(ended.status, 'error');
  assert.ok(ended.outputs.some((o) => o.kind === 'error' && o.name === 'KeyboardInterrupt'), JSON.stringify(ended.outputs));

  // Restart: a fresh interpreter in the same folder.
  await run(kernel, 'x = 41');
  await kernel.restart();
  const after = await run(kernel, 'import os\nprint(os.getcwd(), "x" in globals())');
  assert.equal(stdout(after.outputs).trim(), `${remoteDir} False`);

  // The last kernel shut down: the server stops; no process is left and its folder is gone.
  await kernel.shutdown();
  await until('no Jupyter process left', async () => (serverOrKernel(await processes()).length === 0 ? true : undefined), 30_000);
  const gone = await cluster.exec(['test', '-e', path.posix.dirname(server.socketPath)]);
  assert.equal(gone.code, 1, 'the private folder is removed');
  assert.equal(await cluster.jupyter().runningServer(), undefined);
});

test('the connection ending stops the server and its kernels; the next kernel starts a new server', async () => {
  const kernel = await cluster.jupyter().startKernel({ cwd: remoteDir });
  const died = new Promise<string>((resolve) => kernel.onDidDie(resolve));
  cluster.disconnect();
  assert.match(await died, /Jupyter Server stopped/);
  await cluster.ready();
  await until('no Jupyter process left', async () => (serverOrKernel(await processes()).length === 0 ? true : undefined), 30_000);
  const again = await cluster.jupyter().startKernel({ cwd: remoteDir });
  assert.equal(stdout((await run(again, 'print(6 * 7)')).outputs).trim(), '42');
  await again.shutdown();
  await until('no Jupyter process left', async () => (serverOrKernel(await processes()).length === 0 ? true : undefined), 30_000);
});

test('no Jupyter: a missing command gives the message naming what to install and the setting', async () => {
  await assert.rejects(cluster.jupyter().startKernel({ command: 'hpcw-no-such-jupyter server', cwd: remoteDir }), (error: Error) => {
    assert.ok(error instanceof JupyterUnavailableError, error.message);
    assert.match(error.message, /hpcw-no-such-jupyter: (command )?not found/);
    assert.match(error.message, /python3-jupyter-server python3-ipykernel/);
    assert.match(error.message, /hpcWorkbench\.notebook\.jupyterCommand/);
    return true;
  });
  assert.deepEqual(serverOrKernel(await processes()), []);
});
