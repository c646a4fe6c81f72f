import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  appendKnownHost,
  checkHostKey,
  formatKnownHostLine,
  hostsFieldMatches,
  knownKeyTypes,
  parseKnownHosts,
  readKnownHosts,
  sha256Fingerprint,
} from '../../../src/transport/ssh/knownHosts';
import { preferredHostKeyAlgorithms } from '../../../src/transport/ssh';

// Fixtures recorded with ssh-keygen: key1..key8.pub, a known_hosts file (two lines hashed with
// `ssh-keygen -H`) and the fingerprints `ssh-keygen -lf` printed for each key.
const FIXTURES = path.join(__dirname, '../../../../test/fixtures/transport');
const KNOWN_HOSTS = path.join(FIXTURES, 'known_hosts');

function blob(n: number): Buffer {
  const text = readFileSync(path.join(FIXTURES, `key${n}.pub`), 'utf8');
  return Buffer.from(text.split(/\s+/)[1], 'base64');
}

const entries = parseKnownHosts(readFileSync(KNOWN_HOSTS, 'utf8'), KNOWN_HOSTS);

test('parses plain, hashed, marked entries and skips comments, blank and malformed lines', () => {
  assert.equal(entries.length, 8);
  assert.deepEqual(
    entries.map((e) => [e.line, e.marker ?? '', e.keyType]),
    [
      [2, '', 'ssh-ed25519'],
      [3, '', 'ssh-ed25519'],
      [4, '', 'ssh-ed25519'],
      [5, '', 'ecdsa-sha2-nistp256'],
      [7, 'revoked', 'ssh-ed25519'],
      [8, '', 'ssh-rsa'],
      [9, 'cert-authority', 'ssh-ed25519'],
      [11, '', 'ecdsa-sha2-nistp256'],
    ],
  );
  assert.ok(entries[2].hosts.startsWith('|1|'));
});

test('fingerprints match ssh-keygen -lf', () => {
  const recorded = readFileSync(path.join(FIXTURES, 'fingerprints.txt'), 'utf8').trim().split('\n');
  assert.equal(recorded.length, 8);
  for (const line of recorded) {
    const [file, fingerprint] = line.split(' ');
    const n = Number(/key(\d)/.exec(file)![1]);
    assert.equal(sha256Fingerprint(blob(n)), fingerprint, file);
  }
});

test('a matching plain entry is known, also by a second name and with [host]:port', () => {
  assert.equal(checkHostKey(entries, 'cluster.example.org', 22, blob(1)).status, 'known');
  assert.equal(checkHostKey(entries, '10.0.0.5', 22, blob(1)).status, 'known');
  assert.equal(checkHostKey(entries, 'login.example.org', 2222, blob(2)).status, 'known');
  // The same host on port 22 is another name: unknown.
  assert.equal(checkHostKey(entries, 'login.example.org', 22, blob(2)).status, 'unknown');
  // And on another port it is not the port-22 entry.
  assert.equal(checkHostKey(entries, 'cluster.example.org', 2022, blob(1)).status, 'unknown');
});

test('hashed entries (ssh-keygen -H) match their host, with and without a port', () => {
  assert.equal(checkHostKey(entries, 'hashed.example.org', 22, blob(3)).status, 'known');
  assert.equal(checkHostKey(entries, 'hashed.example.org', 2200, blob(4)).status, 'known');
  assert.equal(checkHostKey(entries, 'other.example.org', 22, blob(3)).status, 'unknown');
});

test('a different key of a known type is a change, reported with file and line', () => {
  const check = checkHostKey(entries, 'cluster.example.org', 22, blob(6));
  assert.equal(check.status, 'changed');
  assert.ok(check.status === 'changed' && check.entry.line === 2 && check.entry.file === KNOWN_HOSTS);
  const hashed = checkHostKey(entries, 'hashed.example.org', 22, blob(6));
  assert.equal(hashed.status, 'changed');
  assert.ok(hashed.status === 'changed' && hashed.entry.line === 4);
});

test('several key types per host: each is checked against its own type', () => {
  // cluster.example.org has ed25519 (line 2) and ecdsa (line 11).
  assert.equal(checkHostKey(entries, 'cluster.example.org', 22, blob(4)).status, 'known');
  assert.deepEqual(knownKeyTypes(entries, 'cluster.example.org', 22), ['ssh-ed25519', 'ecdsa-sha2-nistp256']);
  // An RSA key for a host that only has ed25519 and ecdsa entries is not a change but unknown.
  assert.equal(checkHostKey(entries, 'cluster.example.org', 22, blob(8)).status, 'unknown');
});

test('@revoked keys are refused for every host; @cert-authority lines are not host keys', () => {
  const revoked = checkHostKey(entries, 'anything.example.net', 22, blob(5));
  assert.equal(revoked.status, 'revoked');
  assert.equal(checkHostKey(entries, 'x.example.org', 22, blob(7)).status, 'unknown');
});

test('wildcards and negated patterns', () => {
  assert.equal(checkHostKey(entries, 'node1.wild.example.org', 22, blob(8)).status, 'known');
  assert.equal(checkHostKey(entries, 'bad.wild.example.org', 22, blob(8)).status, 'unknown');
  assert.equal(hostsFieldMatches('a?c.example.org', 'abc.example.org'), true);
  assert.equal(hostsFieldMatches('a?c.example.org', 'abbc.example.org'), false);
  assert.equal(hostsFieldMatches('Cluster.Example.org', 'cluster.example.ORG'), true);
});

test('host key algorithms prefer the types already known for the host', () => {
  assert.equal(preferredHostKeyAlgorithms([]), undefined);
  const order = preferredHostKeyAlgorithms(['ssh-rsa'])!;
  assert.deepEqual(order.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  assert.ok(order.includes('ssh-ed25519'));
  assert.equal(preferredHostKeyAlgorithms(['ecdsa-sha2-nistp256'])![0], 'ecdsa-sha2-nistp256');
});

test('appending creates the file 0600 in a 0700 folder, and the entry is then known (plain and hashed)', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hpcw-kh-'));
  try {
    const file = path.join(dir, 'new', '.ssh', 'known_hosts');
    await appendKnownHost(file, 'fresh.example.org', 2201, blob(1));
    await appendKnownHost(file, 'secret.example.org', 22, blob(2), true);
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(path.dirname(file))).mode & 0o777, 0o700);
    const text = await fs.readFile(file, 'utf8');
    assert.match(text, /^\[fresh\.example\.org\]:2201 ssh-ed25519 /);
    assert.ok(!text.includes('secret.example.org'), 'hashed entry hides the host name');
    const read = await readKnownHosts([path.join(dir, 'missing'), file]);
    assert.equal(checkHostKey(read, 'fresh.example.org', 2201, blob(1)).status, 'known');
    assert.equal(checkHostKey(read, 'secret.example.org', 22, blob(2)).status, 'known');
    // A file without a final newline gets one before the new entry.
    const partial = path.join(dir, 'partial');
    await fs.writeFile(partial, formatKnownHostLine('a.example.org', 22, blob(1)));
    await appendKnownHost(partial, 'b.example.org', 22, blob(2));
    assert.equal((await fs.readFile(partial, 'utf8')).split('\n').length, 3);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
