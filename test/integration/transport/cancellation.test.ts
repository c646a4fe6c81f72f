/**
 * Every way an SSH command or connection is cancelled ends in core's CancelledError, against the
 * sandbox's real sshd: an aborted command (running, queued for a channel, or aborted before it
 * starts), a passphrase prompt the user dismisses, an unknown host key the user does not trust.
 * Timeouts and refusals stay SshErrors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { ensureAuthorizedKey, sandboxTarget } from '../sync/sandboxSsh';
import { CancelledError, isCancelled } from '../../../src/core/errors';
import { SshError, SshTransport, type SshCallbacks, type SshTransportOptions } from '../../../src/transport/ssh';
import type { SshTarget } from '../../../src/transport/ssh/sshConfig';

let info: SandboxInfo;
let target: SshTarget;
let tmp: string;
const open: SshTransport[] = [];

const refuseAll: SshCallbacks = {
  prompt: async () => undefined,
  askPassphrase: async () => undefined,
  confirmUnknownHostKey: async () => false,
};

function transport(t: SshTarget, options: SshTransportOptions = {}): SshTransport {
  const created = new SshTransport(t, refuseAll, { agentSocket: null, ...options });
  open.push(created);
  return created;
}

function cancelled(message: RegExp): (error: unknown) => boolean {
  return (error) => error instanceof CancelledError && isCancelled(error) && message.test(error.message);
}

/** `pgrep -f` pattern for `marker` that does not match the pgrep command line itself. */
function pattern(marker: string): string {
  return `[${marker[0]}]${marker.slice(1)}`;
}

/**
 * Waits until a process whose command line holds `marker` runs (`present`) or is gone on the host,
 * for at most 60 s: the commands killed here would run for 300 s, so only a kill makes them go.
 */
async function remoteProcess(t: SshTransport, marker: string, present: boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const found = await t.exec(['pgrep', '-f', pattern(marker)]);
    if ((found.code === 0) === present) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`the process marked ${marker} is ${present ? 'not running' : 'still running'}`);
}

before(async () => {
  info = loadSandbox();
  ensureAuthorizedKey(info);
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hpcw-ssh-cancel-'));
  target = sandboxTarget(info);
});

after(async () => {
  for (const t of open) t.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('an aborted command is a CancelledError, running or not yet started; a timeout is not', async () => {
  const t = transport(target);
  const marker = `hpcw-cancel-${process.pid}-running`;
  const controller = new AbortController();
  const running = t.exec(['sh', '-c', 'sleep 300; : "$0"', marker], { signal: controller.signal });
  await remoteProcess(t, marker, true);
  controller.abort();
  await assert.rejects(running, cancelled(/^Command aborted: sh$/));
  // The remote command was killed, not left behind.
  await remoteProcess(t, marker, false);

  const before = new AbortController();
  before.abort();
  await assert.rejects(t.exec(['true'], { signal: before.signal }), cancelled(/^Command aborted: true$/));

  await assert.rejects(t.exec(['sleep', '20'], { timeoutMs: 200 }), (e: unknown) => e instanceof SshError && e.kind === 'timeout' && !isCancelled(e));
  assert.equal((await t.exec(['echo', 'still here'])).stdout, 'still here\n');
  assert.equal(t.connectionCount, 1);
});

test('a command waiting for a free channel, aborted, is a CancelledError and frees its place', async () => {
  const t = transport(target, { maxChannels: 1 });
  const marker = `hpcw-cancel-${process.pid}-holder`;
  const holder = new AbortController();
  const holding = t.exec(['sh', '-c', 'sleep 300; : "$0"', marker], { signal: holder.signal });
  // Wait (on another connection: this one has one channel) until the holder runs.
  await remoteProcess(transport(target), marker, true);
  const queued = new AbortController();
  const waiting = t.exec(['echo', 'never'], { signal: queued.signal });
  queued.abort();
  await assert.rejects(waiting, cancelled(/^Command aborted: echo$/));
  holder.abort();
  await assert.rejects(holding, cancelled(/^Command aborted: sh$/));
  await remoteProcess(t, marker, false);
  assert.equal((await t.exec(['echo', 'next'])).stdout, 'next\n');
});

test('a dismissed passphrase prompt is a CancelledError; commands keep failing with it without asking', async () => {
  const key = path.join(tmp, 'encrypted_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-C', 'hpcw-cancel-test', '-f', key]);
  let asked = 0;
  const t = new SshTransport({ ...target, identityFiles: [key] }, { ...refuseAll, askPassphrase: async () => void asked++ }, { agentSocket: null });
  open.push(t);
  await assert.rejects(t.connect(), cancelled(new RegExp(`^Authentication cancelled \\(passphrase for ${key}\\)\\.$`)));
  assert.equal(t.state, 'failed');
  await assert.rejects(t.exec(['true']), cancelled(/^Authentication cancelled/));
  assert.equal(asked, 1);
});

test('an unknown host key the user does not trust is a CancelledError; a refusal by policy is an SshError', async () => {
  const knownHosts = path.join(tmp, 'known_hosts');
  const asking = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' });
  await assert.rejects(asking.connect(), cancelled(/was not accepted; not connected\.$/));
  assert.equal(asking.connectionCount, 0);
  const strict = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'yes' });
  await assert.rejects(strict.connect(), (e: unknown) => e instanceof SshError && e.kind === 'hostkey' && !isCancelled(e));
});
