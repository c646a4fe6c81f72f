/**
 * The SSH transport against the sandbox's real sshd (127.0.0.1, key-only, user hpcwtest).
 * Run: HPCW_SANDBOX_DIR=... HPCW_SANDBOX_PORT_BASE=... node --test --test-concurrency=1 out/test/integration/transport/
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
import { resolveSshTarget, type SshTarget } from '../../../src/transport/ssh/sshConfig';
import { SshTransport, type HostKeyInfo, type SshCallbacks, type SshStateChange } from '../../../src/transport/ssh';

let info: SandboxInfo;
let target: SshTarget;
let tmp: string;
const open: SshTransport[] = [];

/** Callbacks that record every call and answer as told; by default they refuse everything. */
function recordingCallbacks(answers: { hostKey?: boolean; passphrases?: string[]; remember?: boolean } = {}) {
  const calls: { hostKeys: HostKeyInfo[]; prompts: string[]; passphrases: Array<[string, boolean]> } = { hostKeys: [], prompts: [], passphrases: [] };
  const store = new Map<string, string>();
  const passphrases = [...(answers.passphrases ?? [])];
  const callbacks: SshCallbacks = {
    prompt: async (p) => {
      calls.prompts.push(p.prompt);
      return undefined;
    },
    askPassphrase: async (keyPath, retry) => {
      calls.passphrases.push([keyPath, retry]);
      const next = passphrases.shift();
      return next === undefined ? undefined : { passphrase: next, remember: answers.remember };
    },
    confirmUnknownHostKey: async (hostKey) => {
      calls.hostKeys.push(hostKey);
      return answers.hostKey ?? false;
    },
    secrets: {
      get: async (k) => store.get(k),
      store: async (k, v) => void store.set(k, v),
      delete: async (k) => void store.delete(k),
    },
  };
  return { callbacks, calls, store };
}

function transport(t: SshTarget, callbacks: SshCallbacks = recordingCallbacks().callbacks, options = {}): SshTransport {
  const created = new SshTransport(t, callbacks, { agentSocket: null, ...options });
  open.push(created);
  return created;
}

before(async () => {
  info = loadSandbox();
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'hpcw-ssh-it-'));
  // The alias of the client home's ssh config resolves to the sandbox sshd.
  target = await resolveSshTarget({ name: 'sandbox', host: info.sshAlias }, { home: info.clientHome, sshConfigPath: path.join(info.clientHome, '.ssh', 'config') });
});

after(async () => {
  for (const t of open) t.dispose();
  await fs.rm(tmp, { recursive: true, force: true });
});

test('the ssh config alias resolves to the sandbox sshd', () => {
  assert.equal(target.host, info.sshHost);
  assert.equal(target.port, info.sshPort);
  assert.equal(target.user, info.sshUser);
  assert.deepEqual(target.identityFiles, [info.sshKey]);
  assert.deepEqual(target.knownHostsFiles, [info.knownHosts]);
});

test('exec: output, exit codes, stderr, stdin, cwd and env', async () => {
  const t = transport(target);
  const states: string[] = [];
  t.onStateChange((c: SshStateChange) => states.push(c.state));
  const r = await t.exec(['sh', '-c', 'echo out; echo err >&2; exit 7']);
  assert.deepEqual(r, { stdout: 'out\n', stderr: 'err\n', code: 7 });
  assert.deepEqual(states, ['connecting', 'connected']);
  assert.equal((await t.exec(['cat'], { stdin: 'line 1\nline 2\n' })).stdout, 'line 1\nline 2\n');
  assert.equal((await t.exec(['pwd'], { cwd: '/tmp' })).stdout, '/tmp\n');
  const home = await t.homeDir();
  assert.match(home, /^\//);
  assert.equal((await t.exec(['pwd'], { cwd: '~' })).stdout.trim(), home);
  assert.equal((await t.exec(['printenv', 'GREETING'], { env: { GREETING: 'hello world' } })).stdout, 'hello world\n');
  // The sshd's SetEnv reaches commands: Slurm finds the sandbox cluster.
  assert.equal((await t.exec(['printenv', 'SLURM_CONF'])).stdout.trim(), info.slurmConf);
  const missing = await t.exec(['no-such-command-hpcw']);
  assert.equal(missing.code, 127);
});

test('many commands, sequential and concurrent, share ONE connection', async () => {
  const t = transport(target);
  // Concurrent first callers share one connection attempt.
  await Promise.all([t.connect(), t.connect(), t.exec(['true']), t.homeDir()]);
  const seen = new Set<string>();
  for (let i = 0; i < 10; i++) seen.add((await t.exec(['printenv', 'SSH_CONNECTION'])).stdout.trim());
  const parallel = await Promise.all(Array.from({ length: 30 }, () => t.exec(['printenv', 'SSH_CONNECTION'])));
  for (const r of parallel) seen.add(r.stdout.trim());
  // SSH_CONNECTION holds the client's address and port: one value = one TCP connection.
  assert.equal(seen.size, 1, [...seen].join(' | '));
  assert.equal(t.connectionCount, 1);
});

test('channels beyond the limit wait in a queue', async () => {
  const t = transport(target, undefined, { maxChannels: 2 });
  const log = `/tmp/hpcw-queue-${randomBytes(6).toString('hex')}`;
  await Promise.all(
    Array.from({ length: 6 }, () => t.exec(['sh', '-c', 'echo start >> "$1"; sleep 0.2; echo end >> "$1"', 'sh', log])),
  );
  const lines = (await fs.readFile(log, 'utf8')).trim().split('\n');
  await fs.rm(log, { force: true });
  let running = 0;
  let most = 0;
  for (const line of lines) {
    running += line === 'start' ? 1 : -1;
    most = Math.max(most, running);
  }
  assert.equal(lines.length, 12);
  assert.equal(most, 2);
});

test('hostile arguments, cwd and env values arrive literally and execute nothing', async () => {
  const t = transport(target);
  const canary = `/tmp/hpcw-canary-${randomBytes(6).toString('hex')}`;
  const hostile = [
    'job name with spaces',
    `$(touch ${canary})`,
    `\`touch ${canary}\``,
    `; touch ${canary}`,
    `a\ntouch ${canary}`,
    `' ; touch ${canary}; echo '`,
    `" ; touch ${canary}; echo "`,
    `"$(touch ${canary})"`,
    `| touch ${canary}`,
    `&& touch ${canary}`,
    `> ${canary}`,
    '*',
    '~',
    '$HOME',
    '${HOME}',
    '-n',
    '',
    'tab\there',
    "it's",
    'back\\slash',
    'ünïcødé ✓',
  ];
  const r = await t.exec(['printf', '%s\\0', ...hostile]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), hostile);
  // As a partition name for a Slurm command, too.
  const sinfo = await t.exec(['sinfo', '-h', '-p', `debug;touch ${canary}`, '-o', '%P']);
  assert.equal(sinfo.stdout.trim(), '');
  // As a working directory and as environment values.
  const dirName = `dir $(touch ${canary}) ; \`x\` 'q' "d"`;
  const mk = await t.exec(['mkdir', '-p', `/tmp/${dirName}`]);
  assert.equal(mk.code, 0, mk.stderr);
  assert.equal((await t.exec(['pwd'], { cwd: `/tmp/${dirName}` })).stdout, `/tmp/${dirName}\n`);
  await t.exec(['rmdir', `/tmp/${dirName}`]);
  const env = await t.exec(['printenv', 'V'], { env: { V: `$(touch ${canary}); \`touch ${canary}\`` } });
  assert.equal(env.stdout, `$(touch ${canary}); \`touch ${canary}\`\n`);
  assert.equal(existsSync(canary), false, 'a hostile string was executed');
});

test('disconnect() during a connection attempt: the attempt is dropped, the next command connects', async () => {
  const t = transport(target);
  const first = t.connect();
  t.disconnect();
  await assert.rejects(first, /Disconnected from hpcw-sandbox/);
  assert.equal(t.state, 'idle');
  assert.equal((await t.exec(['echo', 'fresh'])).stdout, 'fresh\n');
  assert.equal(t.state, 'connected');
  t.disconnect();
  assert.equal(t.state, 'idle');
  assert.equal((await t.exec(['echo', 'again'])).stdout, 'again\n');
  assert.equal(t.connectionCount, 2);
});

test('timeouts and aborts end the command with a clear error; the connection stays usable', async () => {
  const t = transport(target);
  await assert.rejects(t.exec(['sleep', '20'], { timeoutMs: 300 }), /timed out after 300 ms/);
  const controller = new AbortController();
  const running = t.exec(['sleep', '20'], { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(running, { name: 'AbortError' });
  assert.equal((await t.exec(['echo', 'ok'])).stdout, 'ok\n');
  assert.equal(t.connectionCount, 1);
});

test('SFTP runs on the same connection and is reused', async () => {
  const t = transport(target);
  const home = await t.homeDir();
  const sftp = await t.sftp();
  assert.equal(await t.sftp(), sftp);
  const file = `${home}/sftp-${randomBytes(4).toString('hex')}.txt`;
  await new Promise<void>((resolve, reject) => sftp.writeFile(file, 'from sftp\n', (e) => (e ? reject(e) : resolve())));
  assert.equal((await t.exec(['cat', file])).stdout, 'from sftp\n');
  await t.exec(['rm', '-f', file]);
  assert.equal(t.connectionCount, 1);
});

function fingerprintByKeygen(knownHostsFile: string): string {
  // ssh-keygen -lf reads known_hosts files too: "256 SHA256:... [127.0.0.1]:PORT (ED25519)".
  return execFileSync('ssh-keygen', ['-lf', knownHostsFile], { encoding: 'utf8' }).split(' ')[1];
}

test('unknown host key: the user is asked with the right fingerprint; refusing connects nothing', async () => {
  const knownHosts = path.join(tmp, 'refuse', 'known_hosts');
  const { callbacks, calls } = recordingCallbacks({ hostKey: false });
  const t = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }, callbacks);
  await assert.rejects(t.exec(['touch', '/tmp/should-not-exist']), /was not accepted/);
  assert.equal(calls.hostKeys.length, 1);
  assert.equal(calls.hostKeys[0].fingerprint, fingerprintByKeygen(info.knownHosts));
  assert.equal(calls.hostKeys[0].fingerprint, info.hostKeyFingerprint);
  assert.equal(calls.hostKeys[0].keyType, 'ssh-ed25519');
  assert.equal(calls.hostKeys[0].port, info.sshPort);
  assert.equal(t.state, 'failed');
  assert.equal(t.connectionCount, 0);
  assert.equal(existsSync(knownHosts), false);
  // Commands do not ask again by themselves after the user said no.
  await assert.rejects(t.exec(['true']), /was not accepted/);
  assert.equal(calls.hostKeys.length, 1);
});

test('unknown host key accepted: recorded in known_hosts (0600), the next connection does not ask', async () => {
  const knownHosts = path.join(tmp, 'accept', '.ssh', 'known_hosts');
  const first = recordingCallbacks({ hostKey: true });
  const t1 = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }, first.callbacks);
  assert.equal((await t1.exec(['echo', 'hi'])).stdout, 'hi\n');
  assert.equal(first.calls.hostKeys.length, 1);
  assert.equal((await fs.stat(knownHosts)).mode & 0o777, 0o600);
  assert.equal((await fs.stat(path.dirname(knownHosts))).mode & 0o777, 0o700);
  assert.equal(fingerprintByKeygen(knownHosts), info.hostKeyFingerprint);
  // OpenSSH accepts the recorded entry too.
  execFileSync('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-i', info.sshKey, '-p', String(info.sshPort), `${info.sshUser}@${info.sshHost}`, 'true']);
  const second = recordingCallbacks({ hostKey: false });
  const t2 = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }, second.callbacks);
  assert.equal((await t2.exec(['echo', 'again'])).stdout, 'again\n');
  assert.equal(second.calls.hostKeys.length, 0);
});

test('StrictHostKeyChecking: yes refuses an unknown key without asking; accept-new records it without asking', async () => {
  assert.equal(target.strictHostKeyChecking, 'yes', 'the sandbox client config says StrictHostKeyChecking yes');
  const strict = recordingCallbacks({ hostKey: true });
  const refusing = transport({ ...target, knownHostsFiles: [path.join(tmp, 'strict_known_hosts')] }, strict.callbacks);
  await assert.rejects(refusing.connect(), /Host key verification failed: no ssh-ed25519 key of hpcw-sandbox .* StrictHostKeyChecking is yes/);
  assert.equal(strict.calls.hostKeys.length, 0);
  const knownHosts = path.join(tmp, 'accept_new_known_hosts');
  const acceptNew = recordingCallbacks({ hostKey: false });
  const accepting = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'accept-new' }, acceptNew.callbacks);
  assert.equal((await accepting.exec(['echo', 'new'])).stdout, 'new\n');
  assert.equal(acceptNew.calls.hostKeys.length, 0);
  assert.equal(fingerprintByKeygen(knownHosts), info.hostKeyFingerprint);
});

test('hashed known_hosts entries (ssh-keygen -H) are recognised', async () => {
  const knownHosts = path.join(tmp, 'hashed_known_hosts');
  await fs.copyFile(info.knownHosts, knownHosts);
  execFileSync('ssh-keygen', ['-H', '-f', knownHosts], { stdio: 'ignore' });
  assert.match(await fs.readFile(knownHosts, 'utf8'), /^\|1\|/);
  const { callbacks, calls } = recordingCallbacks();
  const t = transport({ ...target, knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask' }, callbacks);
  assert.equal((await t.exec(['echo', 'hashed'])).stdout, 'hashed\n');
  assert.equal(calls.hostKeys.length, 0);
});

test('CHANGED host key: refused like OpenSSH, no authentication attempted', async () => {
  const otherKey = path.join(tmp, 'other_host_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', otherKey]);
  const otherPub = (await fs.readFile(`${otherKey}.pub`, 'utf8')).trim();
  const knownHosts = path.join(tmp, 'changed_known_hosts');
  await fs.writeFile(knownHosts, `# an old entry\nsomewhere.example.org ${otherPub}\n[${info.sshHost}]:${info.sshPort} ${otherPub}\n`);
  // An encrypted key: authentication would have to ask for its passphrase first.
  const encrypted = path.join(tmp, 'encrypted_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'secret words', '-f', encrypted]);
  const { callbacks, calls } = recordingCallbacks({ hostKey: true, passphrases: ['secret words'] });
  const t = transport({ ...target, identityFiles: [encrypted, info.sshKey], knownHostsFiles: [knownHosts] }, callbacks);
  const error = await t.connect().then(
    () => assert.fail('connected despite a changed host key'),
    (e: Error) => e,
  );
  assert.match(error.message, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
  assert.ok(error.message.includes(info.hostKeyFingerprint), error.message);
  assert.ok(error.message.includes(`${knownHosts} line 3`), error.message);
  assert.deepEqual(calls, { hostKeys: [], prompts: [], passphrases: [] });
  assert.equal(t.state, 'failed');
  assert.equal(t.connectionCount, 0);
  // The file was left alone.
  assert.equal((await fs.readFile(knownHosts, 'utf8')).split('\n').length, 4);
});

test('a wrong key: Permission denied with the user and host', async () => {
  const wrong = path.join(tmp, 'wrong_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrong]);
  const t = transport({ ...target, identityFiles: [wrong] });
  await assert.rejects(t.connect(), (e: Error) => {
    assert.match(e.message, new RegExp(`^Permission denied \\(publickey\\) for ${info.sshUser}@${info.sshAlias}: tried ${wrong}`));
    return true;
  });
  assert.equal(t.state, 'failed');
  const missing = transport({ ...target, identityFiles: [path.join(tmp, 'no_such_key')] });
  await assert.rejects(missing.connect(), /Permission denied \(publickey\).*no usable key or agent.*no_such_key does not exist/);
  const unreadable = transport({ ...target, identityFiles: [tmp] });
  await assert.rejects(unreadable.connect(), new RegExp(`Cannot read key file ${tmp}`));
});

test('an encrypted key: passphrase asked (again when wrong), remembered when the user agrees', async () => {
  const key = path.join(tmp, 'passphrase_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'correct horse', '-C', 'hpcw-passphrase-test', '-f', key]);
  const pub = (await fs.readFile(`${key}.pub`, 'utf8')).trim();
  const admin = transport(target);
  await admin.exec(['sh', '-c', 'printf "%s\\n" "$1" >> ~/.ssh/authorized_keys', 'sh', pub]);
  try {
    const first = recordingCallbacks({ passphrases: ['wrong', 'correct horse'], remember: true });
    const t1 = transport({ ...target, identityFiles: [key] }, first.callbacks);
    assert.equal((await t1.exec(['echo', 'unlocked'])).stdout, 'unlocked\n');
    assert.deepEqual(first.calls.passphrases, [
      [key, false],
      [key, true],
    ]);
    assert.deepEqual([...first.store.values()], ['correct horse']);
    // A second connection with the same secret store does not ask.
    const second = recordingCallbacks();
    const [[secretKey, secret]] = [...first.store.entries()];
    await second.callbacks.secrets!.store(secretKey, secret);
    const t2 = transport({ ...target, identityFiles: [key] }, second.callbacks);
    assert.equal((await t2.exec(['echo', 'again'])).stdout, 'again\n');
    assert.equal(second.calls.passphrases.length, 0);
    // Cancelling the passphrase prompt is a clear error.
    const cancel = transport({ ...target, identityFiles: [key] }, recordingCallbacks().callbacks);
    await assert.rejects(cancel.connect(), /Authentication cancelled/);
  } finally {
    await admin.exec(['sed', '-i', '/hpcw-passphrase-test/d', `${await admin.homeDir()}/.ssh/authorized_keys`]);
  }
});

test('unreachable host: connection refused is said plainly; commands do not hammer it', async () => {
  const t = transport({ ...target, port: 1 }, undefined, { backoff: { baseMs: 30_000, maxMs: 60_000, jitter: 0.5 } });
  await assert.rejects(t.connect(), /^SshError: Cannot connect to hpcw-sandbox \(127\.0\.0\.1 port 1\): connection refused/);
  assert.equal(t.state, 'failed');
  // The next attempt is 15-30 s away: a command fails at once with the reason and the delay.
  await assert.rejects(t.exec(['true']), /connection refused.*Retrying in \d+ s\./);
  // An explicit retry by the user tries now.
  await assert.rejects(t.connect({ immediate: true }), (e: Error) => /connection refused/.test(e.message) && !/Retrying/.test(e.message));
});

test('ssh-agent: the key is taken from the agent of SSH_AUTH_SOCK', async () => {
  const socket = path.join(tmp, 'agent.sock');
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
    execFileSync('ssh-add', [info.sshKey], { env: { ...process.env, SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    const t = new SshTransport({ ...target, identityFiles: [], identitiesOnly: false }, recordingCallbacks().callbacks, { agentSocket: socket });
    open.push(t);
    assert.equal((await t.exec(['echo', 'agent'])).stdout, 'agent\n');
    // Without the agent, the same target has no way in.
    const none = transport({ ...target, identityFiles: [], identitiesOnly: false });
    await assert.rejects(none.connect(), /Permission denied \(publickey\)/);
  } finally {
    agent.kill('SIGTERM');
  }
});

test('ProxyJump: through the sandbox sshd to itself', async () => {
  const jumped = transport({ ...target, proxyJump: { ...target } });
  const r = await jumped.exec(['printenv', 'SSH_CONNECTION']);
  const clientPort = r.stdout.trim().split(' ')[1];
  // The inner connection's client socket belongs to the jump host's sshd, not to this process.
  const sockets = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${clientPort} )`], { encoding: 'utf8' });
  assert.match(sockets, /"sshd"/, sockets);
  assert.doesNotMatch(sockets, /"node"/);
  const direct = transport(target);
  const directPort = (await direct.exec(['printenv', 'SSH_CONNECTION'])).stdout.trim().split(' ')[1];
  const directSockets = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${directPort} )`], { encoding: 'utf8' });
  assert.match(directSockets, /"node"/, directSockets);
});

test('ProxyCommand: the connection runs through the command (here OpenSSH -W via the sandbox)', async () => {
  const config = path.join(info.clientHome, '.ssh', 'config');
  const t = transport({ ...target, proxyCommand: `ssh -F ${config} -o BatchMode=yes -W ${info.sshHost}:${info.sshPort} ${info.sshAlias}` });
  const r = await t.exec(['printenv', 'SSH_CONNECTION']);
  const clientPort = r.stdout.trim().split(' ')[1];
  const sockets = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${clientPort} )`], { encoding: 'utf8' });
  assert.match(sockets, /"sshd"/, sockets);
  const failing = transport({ ...target, proxyCommand: `sh -c 'echo "no route to the cluster" >&2; exit 3'` });
  await assert.rejects(failing.connect(), /ProxyCommand exited with 3: no route to the cluster/);
});

test('a frozen connection is detected by keep-alives; the next command reconnects', async () => {
  const t = transport(target, undefined, { keepaliveIntervalMs: 300, keepaliveCountMax: 2, backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 } });
  // The shell's parent is the session's sshd process (the one that talks to us): freeze it.
  const pid = Number((await t.exec(['sh', '-c', 'echo $PPID'])).stdout.trim());
  assert.equal((await fs.readFile(`/proc/${pid}/comm`, 'utf8')).trim(), 'sshd');
  const lost = new Promise<SshStateChange>((resolve) => t.onStateChange((c) => c.state === 'reconnecting' && resolve(c)));
  const inflight = t.exec(['sleep', '30']).then(
    () => undefined,
    (e: Error) => e,
  );
  process.kill(pid, 'SIGSTOP');
  try {
    const change = await lost;
    assert.match(change.error ?? '', /lost \(no answer to keep-alives\)/);
    assert.match((await inflight)?.message ?? '', /Connection to hpcw-sandbox lost/);
  } finally {
    process.kill(pid, 'SIGCONT');
    process.kill(pid, 'SIGTERM');
  }
  assert.equal((await t.exec(['echo', 'back'])).stdout, 'back\n');
  assert.equal(t.connectionCount, 2);
});

test('sshd stopped mid-session: the running command fails clearly, then the connection comes back', async () => {
  const t = transport(target, undefined, { backoff: { baseMs: 200, maxMs: 2000, jitter: 0.5 } });
  const states: SshStateChange[] = [];
  t.onStateChange((c) => states.push(c));
  assert.equal((await t.exec(['echo', 'before'])).stdout, 'before\n');
  const inflight = t.exec(['sleep', '30']);
  const inflightError = inflight.then(
    () => undefined,
    (e: Error) => e,
  );
  await sandboxCtl('stop-sshd');
  try {
    const error = await inflightError;
    assert.ok(error, 'the command in flight should have failed');
    assert.match(error.message, new RegExp(`Connection to ${info.sshAlias} lost`));
    assert.equal(t.state, 'reconnecting');
    // While sshd is down, commands fail with the reason and the state stays "reconnecting".
    await assert.rejects(t.exec(['true']), /connection refused/);
    assert.equal(t.state, 'reconnecting');
  } finally {
    await sandboxCtl('start-sshd');
  }
  let result: string | undefined;
  const errors: string[] = [];
  const deadline = Date.now() + 30_000;
  while (result === undefined && Date.now() < deadline) {
    result = await t.exec(['echo', 'after']).then(
      (r) => r.stdout,
      (e: Error) => {
        errors.push(e.message);
        return new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 200));
      },
    );
  }
  assert.equal(result, 'after\n', `errors after sshd restarted: ${errors.join(' | ')}`);
  assert.equal(t.state, 'connected');
  assert.ok(states.some((s) => s.state === 'reconnecting' && /lost/.test(s.error ?? '')));
  assert.equal(t.connectionCount, 2);
});
