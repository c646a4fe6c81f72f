/**
 * Keyboard-interactive and password authentication against a private sshd of this test (the
 * sandbox's sshd is key-only): `UsePAM yes` on 127.0.0.1, a temporary user with a known password
 * (set with chpasswd, removed afterwards). Needs root, like the sandbox.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelledError, isCancelled } from '../../../src/core/errors';
import { SshTransport, type SshCallbacks, type SshPrompt } from '../../../src/transport/ssh';
import type { SshTarget } from '../../../src/transport/ssh/sshConfig';

const USER = 'hpcwkbd';
const PASSWORD = 'Kbd pass; $(not run) 1';
// HPCW_SANDBOX_PORT_BASE + 90 and + 91: away from the sandbox's own six ports.
const PORT_BASE = Number(process.env.HPCW_SANDBOX_PORT_BASE || 26800) + 90;
let dir: string;
const daemons: ChildProcess[] = [];
let createdUser = false;
const open: SshTransport[] = [];

function waitForPort(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const tryOnce = () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on port ${port} did not start`));
        else setTimeout(tryOnce, 50);
      });
    };
    tryOnce();
  });
}

async function startSshd(name: string, port: number, settings: string): Promise<void> {
  const config = path.join(dir, `${name}_config`);
  await fs.writeFile(
    config,
    [`Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${dir}/host_key`, `PidFile ${dir}/${name}.pid`, 'UsePAM yes', 'PubkeyAuthentication no', `AllowUsers ${USER}`, 'PrintMotd no', settings, ''].join('\n'),
  );
  const daemon = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', path.join(dir, `${name}.log`)], { stdio: 'ignore' });
  daemons.push(daemon);
  await waitForPort(port);
}

before(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hpcw-kbd-'));
  await fs.mkdir('/run/sshd', { recursive: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  try {
    execFileSync('id', [USER], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', USER]);
    createdUser = true;
  }
  execFileSync('chpasswd', { input: `${USER}:${PASSWORD}\n` });
  await startSshd('kbd', PORT_BASE, 'KbdInteractiveAuthentication yes\nPasswordAuthentication no');
  await startSshd('password', PORT_BASE + 1, 'KbdInteractiveAuthentication no\nPasswordAuthentication yes');
});

after(async () => {
  for (const t of open) t.dispose();
  for (const d of daemons) d.kill('SIGTERM');
  if (createdUser) {
    // The user's sessions end with the daemons; userdel refuses while a process of the user runs.
    for (let i = 0; i < 20; i++) {
      try {
        execFileSync('userdel', ['-r', USER], { stdio: 'ignore' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
});

function target(port: number): SshTarget {
  return { alias: 'kbd-test', host: '127.0.0.1', port, user: USER, identityFiles: [], identitiesOnly: true, knownHostsFiles: [path.join(dir, 'known_hosts')], hashKnownHosts: false };
}

function answering(answers: Array<string | undefined>): { callbacks: SshCallbacks; prompts: SshPrompt[] } {
  const prompts: SshPrompt[] = [];
  const queue = [...answers];
  return {
    prompts,
    callbacks: {
      prompt: async (p) => {
        prompts.push(p);
        return queue.shift();
      },
      askPassphrase: async () => undefined,
      confirmUnknownHostKey: async () => true,
    },
  };
}

function transport(port: number, callbacks: SshCallbacks): SshTransport {
  const t = new SshTransport(target(port), callbacks, { agentSocket: null, backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 } });
  open.push(t);
  return t;
}

test('keyboard-interactive: the prompt is asked once, hidden, and reused for every command', async () => {
  const { callbacks, prompts } = answering([PASSWORD]);
  const t = transport(PORT_BASE, callbacks);
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) => t.exec(['echo', String(i)])));
  assert.deepEqual(results.map((r) => r.stdout), Array.from({ length: 12 }, (_, i) => `${i}\n`));
  assert.equal((await t.exec(['id', '-un'])).stdout, `${USER}\n`);
  assert.equal(prompts.length, 1);
  assert.equal(prompts[0].echo, false);
  assert.match(prompts[0].prompt, /Password/i);
  const log = await fs.readFile(path.join(dir, 'kbd.log'), 'utf8');
  assert.equal(log.match(/Accepted keyboard-interactive/g)?.length, 1);
});

test('keyboard-interactive: a wrong answer is asked again; cancelling is a clear error', async () => {
  const retry = answering(['wrong', PASSWORD]);
  const t = transport(PORT_BASE, retry.callbacks);
  assert.equal((await t.exec(['echo', 'ok'])).stdout, 'ok\n');
  assert.equal(retry.prompts.length, 2);
  const cancel = answering([undefined]);
  const c = transport(PORT_BASE, cancel.callbacks);
  await assert.rejects(c.connect(), /Authentication cancelled for hpcwkbd@kbd-test/);
  assert.equal(c.state, 'failed');
  // A command does not prompt again by itself after a cancel; connect() does.
  await assert.rejects(c.exec(['true']), /Authentication cancelled/);
  assert.equal(cancel.prompts.length, 1);
});

test('password authentication', async () => {
  const { callbacks, prompts } = answering([PASSWORD]);
  const t = transport(PORT_BASE + 1, callbacks);
  assert.equal((await t.exec(['echo', 'pw'])).stdout, 'pw\n');
  assert.equal((await t.exec(['echo', 'pw2'])).stdout, 'pw2\n');
  assert.deepEqual(prompts, [{ title: `SSH ${USER}@kbd-test`, prompt: `Password for ${USER}@kbd-test`, echo: false }]);
  const wrong = transport(PORT_BASE + 1, answering(['nope', 'nope', 'nope']).callbacks);
  await assert.rejects(wrong.connect(), /Permission denied \(.*password.*\) for hpcwkbd@kbd-test/);
});

test('a dismissed keyboard-interactive or password prompt is a CancelledError; a wrong password is not', async () => {
  const isCancelledError = (message: RegExp) => (e: unknown) => e instanceof CancelledError && isCancelled(e) && message.test(e.message);
  const keyboard = transport(PORT_BASE, answering([undefined]).callbacks);
  await assert.rejects(keyboard.connect(), isCancelledError(/^Authentication cancelled for hpcwkbd@kbd-test\.$/));
  await assert.rejects(keyboard.exec(['true']), isCancelledError(/^Authentication cancelled/));
  const password = transport(PORT_BASE + 1, answering([undefined]).callbacks);
  await assert.rejects(password.connect(), isCancelledError(/^Authentication cancelled for hpcwkbd@kbd-test\.$/));
  assert.equal(password.state, 'failed');
  const wrong = transport(PORT_BASE + 1, answering(['nope', 'nope', 'nope']).callbacks);
  await assert.rejects(wrong.connect(), (e: unknown) => !isCancelled(e) && /Permission denied/.test((e as Error).message));
});
