/**
 * Jupyter with `transport: "local"` (the extension running on the login node itself): the cluster
 * service starts Jupyter Server on this machine, reaches its private socket directly, runs a cell
 * in the remote (here: local) folder, and leaves no server or kernel process once the last kernel
 * is shut down. Runs as whichever user the tests run as (root in CI: --allow-root is added).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ClusterRegistry } from '../../../src/cluster';
import type { KernelOutput } from '../../../src/core/notebook/kernelOutput';
import { loadSandbox } from '../../support/sandbox';
import { untilValue as until } from './sandboxCluster';

const info = loadSandbox();
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-jupyter-local-'));
const registry = new ClusterRegistry(() => ({
  sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
  allUsers: () => false,
  refreshIntervalMs: () => 60_000,
}));
registry.reload([{ name: 'here', transport: 'local', slurmConf: info.slurmConf, remoteDir: scratch }]);
// Debian's Jupyter Server is a module of /usr/bin/python3 (root's PATH may start with another Python).
const command = '/usr/bin/python3 -m jupyter_server';
const cluster = registry.get('here')!;

after(async () => {
  await cluster.jupyter().shutdown();
  registry.dispose();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** This machine's Jupyter processes started for this test (their argv names the scratch folder). */
function ours(): string[] {
  return execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => /jupyter_server|jupyter server|ipykernel_launcher/.test(l) && (l.includes(scratch) || l.includes('hpcw-jupyter.')));
}

test('transport local: the server runs on this machine, a cell runs in the folder, nothing is left after shutdown', async () => {
  const remoteDir = await cluster.remoteDir('ws');
  fs.mkdirSync(remoteDir, { recursive: true });
  const kernel = await cluster.jupyter().startKernel({ command, cwd: remoteDir });
  const server = (await cluster.jupyter().runningServer())!;
  assert.ok(server, 'a server runs');
  const mode = fs.statSync(path.dirname(server.socketPath)).mode & 0o777;
  assert.equal(mode.toString(8), '700', 'the socket is in a private folder');
  const outputs: KernelOutput[] = [];
  const result = await kernel.execute('import os\nprint(os.getcwd(), 6 * 7)', { onOutput: (o) => outputs.push(o) });
  assert.equal(result.status, 'ok');
  const text = outputs.map((o) => (o.kind === 'stream' ? o.text : '')).join('');
  assert.equal(text.trim(), `${fs.realpathSync(remoteDir)} 42`);
  await cluster.jupyter().shutdown();
  await until('no Jupyter process of this test left', () => (ours().length === 0 ? true : undefined), 60_000);
  assert.equal(fs.existsSync(path.dirname(server.socketPath)), false, 'the private folder is removed');
});
