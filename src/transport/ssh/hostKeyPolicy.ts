/**
 * Host-key verification, as OpenSSH does it before any authentication is sent: a key known for
 * the host passes; a revoked or changed one is refused whatever the settings say; an unknown one
 * follows StrictHostKeyChecking: `yes` refuses, `accept-new` records it, `ask` (the default) asks
 * the user, and records it when trusted (not trusted: a CancelledError).
 */
import { CancelledError } from '../../core/errors';
import { SshError, type ConnectFailure } from './errors';
import type { HandshakeContext } from './handshakeContext';
import { appendKnownHost, checkHostKey, keyTypeOfBlob, knownKeyTypes, readKnownHosts, sha256Fingerprint, type KnownHostEntry } from './knownHosts';
import type { SshTarget } from './sshConfig';
import type { SshCallbacks } from './types';

/** What is known about a target's host keys before connecting. */
export interface KnownHostKeys {
  /** The name the key is looked up under (HostKeyAlias, else the host name). */
  keyHost: string;
  entries: KnownHostEntry[];
}

/** Reads the target's known_hosts files (user ones, then global ones). */
export async function knownHostKeysFor(target: SshTarget): Promise<KnownHostKeys> {
  const entries = await readKnownHosts([...target.knownHostsFiles, ...(target.globalKnownHostsFiles ?? [])]);
  return { keyHost: target.hostKeyAlias ?? target.host, entries };
}

/** ssh2 host key algorithms with those already known for the host first (as OpenSSH orders them). */
export function preferredHostKeyAlgorithms(knownTypes: readonly string[]): string[] | undefined {
  if (knownTypes.length === 0) return undefined;
  const defaults = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const first: string[] = [];
  for (const type of knownTypes) {
    const algorithms = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
    for (const a of algorithms) if (defaults.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...defaults.filter((a) => !first.includes(a))];
}

/** The host key algorithms to offer for `target`, or undefined for ssh2's defaults. */
export function hostKeyAlgorithmsFor(target: SshTarget, known: KnownHostKeys): string[] | undefined {
  return preferredHostKeyAlgorithms(knownKeyTypes(known.entries, known.keyHost, target.port));
}

export interface HostKeyVerification {
  target: SshTarget;
  known: KnownHostKeys;
  /** The key blob the server sent. */
  key: Buffer;
  callbacks: Pick<SshCallbacks, 'confirmUnknownHostKey'>;
  context: Pick<HandshakeContext, 'askUser'>;
}

/** Checks the server's key; returns undefined when it may be trusted, else the reason to refuse. */
export async function verifyHostKey({ target, known, key, callbacks, context }: HostKeyVerification): Promise<ConnectFailure | undefined> {
  const { keyHost } = known;
  let keyType: string;
  try {
    keyType = keyTypeOfBlob(key);
  } catch {
    return new SshError(`The host key sent by ${target.alias} is invalid.`, 'hostkey');
  }
  const fingerprint = sha256Fingerprint(key);
  const check = checkHostKey(known.entries, keyHost, target.port, key);
  if (check.status === 'known') return undefined;
  if (check.status === 'revoked') {
    return new SshError(
      `The ${keyType} host key of ${target.alias} (${fingerprint}) is marked as revoked in ${check.entry.file} line ${check.entry.line}. Refusing to connect.`,
      'hostkey',
    );
  }
  if (check.status === 'changed') {
    const forget = keyHost === target.host && target.port === 22 ? keyHost : `'[${keyHost}]:${target.port}'`;
    return new SshError(
      `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED for ${target.alias}! Someone could be eavesdropping on you right now (man-in-the-middle attack), or the host key has just been changed. The fingerprint of the ${keyType} key sent by the remote host is ${fingerprint}. Offending ${check.entry.keyType} key in ${check.entry.file}:${check.entry.line}. If the change is expected, remove the old key from ${check.entry.file} line ${check.entry.line} (e.g. ssh-keygen -R ${forget} -f ${check.entry.file}). Connection refused; nothing was sent.`,
      'hostkey',
    );
  }
  const knownHostsFile = target.knownHostsFiles[0];
  if (!knownHostsFile || target.strictHostKeyChecking === 'yes') {
    return new SshError(
      `Host key verification failed: no ${keyType} key of ${target.alias} (${fingerprint}) is known${knownHostsFile ? ` in ${knownHostsFile}` : ''} and StrictHostKeyChecking is yes.`,
      'hostkey',
    );
  }
  let accepted = target.strictHostKeyChecking === 'accept-new';
  if (!accepted) {
    try {
      accepted = await context.askUser(() => callbacks.confirmUnknownHostKey({ host: keyHost, port: target.port, keyType, fingerprint, knownHostsFile }));
    } catch {
      accepted = false;
    }
  }
  if (!accepted) return new CancelledError(`Host key of ${target.alias} (${keyType} ${fingerprint}) was not accepted; not connected.`);
  try {
    await appendKnownHost(knownHostsFile, keyHost, target.port, key, target.hashKnownHosts);
  } catch (error) {
    return new SshError(`Could not record the host key in ${knownHostsFile}: ${(error as Error).message}`, 'hostkey');
  }
  return undefined;
}
