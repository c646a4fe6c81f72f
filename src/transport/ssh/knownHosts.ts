/**
 * OpenSSH known_hosts files: parsing (plain and hashed `|1|salt|hash` host patterns, `[host]:port`,
 * wildcards, negation, `@revoked` / `@cert-authority` markers), lookup of a server's key, and
 * appending a newly trusted key. No vscode import.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host patterns field as written (comma-separated, or one hashed `|1|salt|hash`). */
  hosts: string;
  keyType: string;
  /** Base64 of the public key blob. */
  key: string;
}

export type HostKeyCheck =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  /** The host is known with a different key of the same type. */
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Parses the text of one known_hosts file; malformed lines are skipped like OpenSSH does. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0].startsWith('@')) {
      const name = fields.shift()!;
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else continue;
    }
    if (fields.length < 3) continue;
    const [hosts, keyType, key] = fields;
    if (!/^[A-Za-z0-9+/]+=*$/.test(key)) continue;
    entries.push({ file, line: i + 1, marker, hosts, keyType, key });
  }
  return entries;
}

/** The name OpenSSH looks up for a host and port: `host`, or `[host]:port` when port is not 22. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Glob match with OpenSSH's `*` and `?` wildcards (case-insensitive, like host names). */
function wildcardMatch(pattern: string, name: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(name.toLowerCase());
}

function hashedMatch(field: string, name: string): boolean {
  const parts = field.split('|');
  // |1|salt|hash → ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2], 'base64');
  const expected = parts[3];
  const actual = createHmac('sha1', salt).update(name).digest('base64');
  return actual === expected;
}

/** True when the host patterns field of an entry matches `name` (already `[host]:port` formed). */
export function hostsFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|')) return hashedMatch(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    if (pattern.startsWith('!')) {
      if (wildcardMatch(pattern.slice(1), name)) return false;
    } else if (wildcardMatch(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

/** The key type written at the start of an SSH public key blob (e.g. `ssh-ed25519`). */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) throw new Error('Invalid host key.');
  const length = blob.readUInt32BE(0);
  if (length > blob.length - 4) throw new Error('Invalid host key.');
  return blob.subarray(4, 4 + length).toString('latin1');
}

/** OpenSSH's fingerprint: `SHA256:` + base64 of the SHA-256 of the key blob, without padding. */
export function sha256Fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Host key types known for a host (used to prefer them when negotiating, like OpenSSH). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  const name = knownHostName(host, port);
  const types: string[] = [];
  for (const entry of entries) {
    if (entry.marker) continue;
    if (hostsFieldMatches(entry.hosts, name) && !types.includes(entry.keyType)) types.push(entry.keyType);
  }
  return types;
}

/**
 * Checks a server's key against known_hosts entries, like OpenSSH: a revoked key is refused; a
 * matching entry makes it known; an entry for the host with the same key type but another key
 * means it changed; otherwise it is unknown.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, blob: Buffer): HostKeyCheck {
  const name = knownHostName(host, port);
  const keyType = keyTypeOfBlob(blob);
  const key = blob.toString('base64');
  for (const entry of entries) {
    if (entry.marker === 'revoked' && entry.key === key) return { status: 'revoked', entry };
  }
  let changed: KnownHostEntry | undefined;
  for (const entry of entries) {
    if (entry.marker) continue;
    if (!hostsFieldMatches(entry.hosts, name)) continue;
    if (entry.key === key && entry.keyType === keyType) return { status: 'known', entry };
    if (entry.keyType === keyType && !changed) changed = entry;
  }
  return changed ? { status: 'changed', entry: changed } : { status: 'unknown' };
}

/** Reads and parses known_hosts files; missing or unreadable files count as empty. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      continue;
    }
    all.push(...parseKnownHosts(text, file));
  }
  return all;
}

/** One known_hosts line for a host, plain or hashed (`HashKnownHosts yes`). */
export function formatKnownHostLine(host: string, port: number, blob: Buffer, hashed = false): string {
  const name = knownHostName(host, port);
  let hosts = name;
  if (hashed) {
    const salt = randomBytes(20);
    hosts = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${hosts} ${keyTypeOfBlob(blob)} ${blob.toString('base64')}`;
}

/**
 * Appends a trusted host key to a known_hosts file, creating the file (mode 0600) and its folder
 * (mode 0700) when missing.
 */
export async function appendKnownHost(file: string, host: string, port: number, blob: Buffer, hashed = false): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const existing = await fs.readFile(file, 'utf8');
    if (existing.length > 0 && !existing.endsWith('\n')) prefix = '\n';
  } catch {
    // A new file.
  }
  await fs.appendFile(file, `${prefix}${formatKnownHostLine(host, port, blob, hashed)}\n`, { mode: 0o600 });
}
