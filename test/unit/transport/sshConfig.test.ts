import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { expandTokens, listSshConfigHosts, parseJumpSpec, resolveSshTarget, resolveSshTargetFromText, type SshTarget } from '../../../src/transport/ssh/sshConfig';

// A recorded user ssh config (test/fixtures/transport/home/.ssh/config, with an Include) and what
// OpenSSH 9.2 itself resolved from it: `ssh -G -F config <host>` run as root (ssh-G.txt).
const FIXTURES = path.join(__dirname, '../../../../test/fixtures/transport');
const HOME = path.join(FIXTURES, 'home');
const options = { home: HOME, localUser: 'root' };

function recordedOpenSsh(): Map<string, Map<string, string[]>> {
  const hosts = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of readFileSync(path.join(FIXTURES, 'ssh-G.txt'), 'utf8').split('\n')) {
    const header = /^== (.+)$/.exec(line);
    if (header) {
      current = new Map();
      hosts.set(header[1], current);
      continue;
    }
    const m = /^(\S+) (.*)$/.exec(line);
    if (!m || !current) continue;
    current.set(m[1], [...(current.get(m[1]) ?? []), m[2]]);
  }
  return hosts;
}

test('resolves every recorded host exactly as OpenSSH did', async () => {
  const recorded = recordedOpenSsh();
  assert.equal(recorded.size, 7);
  for (const [alias, fields] of recorded) {
    const target = await resolveSshTarget({ name: alias, host: alias }, options);
    const one = (k: string) => fields.get(k)![0];
    assert.equal(target.host, one('hostname'), `${alias} hostname`);
    assert.equal(target.user, one('user'), `${alias} user`);
    assert.equal(target.port, Number(one('port')), `${alias} port`);
    assert.equal(target.hashKnownHosts, one('hashknownhosts') === 'yes', `${alias} hashknownhosts`);
    assert.equal(target.identitiesOnly, one('identitiesonly') === 'yes', `${alias} identitiesonly`);
    const knownHosts = one('userknownhostsfile').split(' ').map((p) => p.replace(/^\/root\//, `${HOME}/`));
    assert.deepEqual(target.knownHostsFiles, knownHosts, `${alias} known hosts files`);
    const theirKeys = fields.get('identityfile')!.map((f) =>
      expandTokens(f, { home: HOME, localUser: 'root', host: target.host, user: target.user, port: target.port, alias }),
    );
    const explicit = theirKeys.some((k) => !/\/\.ssh\/id_[a-z0-9_]+$/.test(k));
    if (explicit) assert.deepEqual(target.identityFiles, theirKeys, `${alias} identity files`);
    else for (const k of target.identityFiles) assert.ok(theirKeys.includes(k), `${alias}: ${k} is one of OpenSSH's defaults`);
    const theirJump = fields.get('proxyjump')?.[0];
    assert.deepEqual(jumpHosts(target), theirJump ? theirJump.split(',').map((h) => parseJumpSpec(h).host) : [], `${alias} proxyjump`);
  }
});

/** The jump hosts of a resolved target, first hop first. */
function jumpHosts(target: SshTarget): string[] {
  const hops: string[] = [];
  for (let hop = target.proxyJump; hop; hop = hop.proxyJump) hops.unshift(hop.alias);
  return hops;
}

test('the jump hosts are resolved through the config too', async () => {
  const inner = await resolveSshTarget({ name: 'inner', host: 'inner' }, options);
  assert.equal(inner.proxyJump?.host, 'gate.example.org');
  assert.equal(inner.proxyJump?.user, 'gateway-user');
  assert.equal(inner.proxyJump?.port, 2200);
  assert.equal(inner.proxyJump?.proxyJump, undefined);
  const twohop = await resolveSshTarget({ name: 't', host: 'twohop' }, options);
  // ProxyJump bigiron,gate: connect to bigiron, from there to gate, from there to the target.
  assert.equal(twohop.proxyJump?.alias, 'gate');
  assert.equal(twohop.proxyJump?.host, 'gate.example.org');
  assert.equal(twohop.proxyJump?.user, 'gateuser');
  assert.equal(twohop.proxyJump?.proxyJump?.host, 'login.bigiron.example.org');
  assert.equal(twohop.proxyJump?.proxyJump?.port, 2222);
  assert.equal(twohop.proxyJump?.proxyJump?.user, 'alice');
});

test('explicit settings override the config; user@host works', async () => {
  const target = await resolveSshTarget({ name: 'b', host: 'bigiron', user: 'bob', port: 2022, identityFile: '~/keys/mine' }, options);
  assert.equal(target.host, 'login.bigiron.example.org');
  assert.equal(target.user, 'bob');
  assert.equal(target.port, 2022);
  assert.deepEqual(target.identityFiles, [`${HOME}/keys/mine`, `${HOME}/.ssh/id_bigiron`, `${HOME}/.ssh/keys/bob@login.bigiron.example.org`]);
  const at = await resolveSshTarget({ name: 'g', host: 'carol@gate' }, options);
  assert.equal(at.user, 'carol');
  assert.equal(at.host, 'gate.example.org');
});

test('Include files are read (relative to ~/.ssh, with globs)', async () => {
  const target = await resolveSshTarget({ name: 'f', host: 'fromfile' }, options);
  assert.equal(target.host, 'included.example.org');
  assert.equal(target.user, 'incuser');
  assert.equal(target.hostKeyAlias, 'included-alias');
});

test('a host that is in no config and no config file at all', async () => {
  const target = await resolveSshTarget({ name: 'x', host: 'login.example.net' }, { home: '/nonexistent', localUser: 'zoe' });
  assert.equal(target.host, 'login.example.net');
  assert.equal(target.user, 'zoe');
  assert.equal(target.port, 22);
  assert.deepEqual(target.knownHostsFiles, ['/nonexistent/.ssh/known_hosts', '/nonexistent/.ssh/known_hosts2']);
  await assert.rejects(resolveSshTarget({ name: 'nohost' }, options), /has no host/);
});

test('the concrete aliases of the config are listed for "Add cluster"', async () => {
  assert.deepEqual(await listSshConfigHosts({ home: HOME }), ['fromfile', 'bigiron', 'inner', 'twohop', 'gate']);
});

test('ProxyJump specs and tokens', () => {
  assert.deepEqual(parseJumpSpec('u@h:2200'), { user: 'u', host: 'h', port: 2200 });
  assert.deepEqual(parseJumpSpec('ssh://h'), { user: undefined, host: 'h', port: undefined });
  assert.deepEqual(parseJumpSpec('[::1]:22'), { user: undefined, host: '::1', port: 22 });
  const t = { home: '/home/a', localUser: 'a', host: 'h.example', user: 'r', port: 22, alias: 'h' };
  assert.equal(expandTokens('~/.ssh/%r@%h-%p%%', t), '/home/a/.ssh/r@h.example-22%');
  assert.equal(expandTokens('%d/x/%u', t), '/home/a/x/a');
});

test('ProxyCommand (tokens expanded; the first of ProxyCommand/ProxyJump wins), StrictHostKeyChecking, GlobalKnownHostsFile', () => {
  const text = [
    'Host viacmd',
    '  HostName inner.example.org',
    '  User u',
    '  Port 2200',
    '  ProxyCommand ssh -W %h:%p gate',
    '  ProxyJump ignored',
    '  StrictHostKeyChecking accept-new',
    '  GlobalKnownHostsFile /etc/site_known_hosts',
    'Host viajump',
    '  ProxyJump gate',
    '  ProxyCommand ignored %h',
    '  StrictHostKeyChecking yes',
    'Host *',
    '  StrictHostKeyChecking no',
  ].join('\n');
  const viaCmd = resolveSshTargetFromText(text, { alias: 'viacmd' }, options);
  assert.equal(viaCmd.proxyCommand, 'ssh -W inner.example.org:2200 gate');
  assert.equal(viaCmd.proxyJump, undefined);
  assert.equal(viaCmd.strictHostKeyChecking, 'accept-new');
  assert.deepEqual(viaCmd.globalKnownHostsFiles, ['/etc/site_known_hosts']);
  const viaJump = resolveSshTargetFromText(text, { alias: 'viajump' }, options);
  assert.equal(viaJump.proxyCommand, undefined);
  assert.equal(viaJump.proxyJump?.host, 'gate');
  assert.equal(viaJump.strictHostKeyChecking, 'yes');
  assert.deepEqual(viaJump.globalKnownHostsFiles, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  // StrictHostKeyChecking no: new keys are recorded without asking (a changed key is still refused).
  assert.equal(resolveSshTargetFromText(text, { alias: 'other' }, options).strictHostKeyChecking, 'accept-new');
  assert.equal(resolveSshTargetFromText('', { alias: 'x' }, options).strictHostKeyChecking, 'ask');
});
