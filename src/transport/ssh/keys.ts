/**
 * Private keys for publickey authentication: reading the file, and for an encrypted key its
 * passphrase, from the secret store when remembered, else asked (three tries) and remembered
 * when the user says so and it proved right.
 */
import { promises as fs } from 'node:fs';
import { utils } from 'ssh2';
import { CancelledError } from '../../core/errors';
import type { SshCallbacks } from './types';

/** A key file loaded for publickey authentication. */
export interface LoadedKey {
  path: string;
  data: Buffer;
  passphrase?: string;
}

/** Where a key's passphrase is remembered in the secret store. */
export const passphraseSecretKey = (keyPath: string): string => `ssh-passphrase:${keyPath}`;

/**
 * Reads a private key; for an encrypted one, finds the passphrase in the secret store or asks
 * for it (three tries). Returns undefined when the key is missing or unusable (the reason goes to
 * `notes`, for the final "Permission denied" message), throws a CancelledError when the user cancels.
 */
export async function loadKey(
  path: string,
  callbacks: Pick<SshCallbacks, 'askPassphrase' | 'secrets'>,
  askUser: <T>(ask: () => Promise<T>) => Promise<T>,
  notes: string[],
): Promise<LoadedKey | undefined> {
  const data = await readKeyFile(path, notes);
  if (!data) return undefined;
  const plain = utils.parseKey(data);
  if (!(plain instanceof Error)) return { path, data };
  if (!/encrypted|passphrase/i.test(plain.message)) {
    notes.push(`Key file ${path} is not a usable private key (${plain.message}).`);
    return undefined;
  }
  const opens = (passphrase: string) => !(utils.parseKey(data, passphrase) instanceof Error);
  const secrets = callbacks.secrets;
  const secretKey = passphraseSecretKey(path);
  const remembered = secrets ? await secrets.get(secretKey).catch(() => undefined) : undefined;
  if (remembered !== undefined) {
    if (opens(remembered)) return { path, data, passphrase: remembered };
    await secrets!.delete(secretKey).catch(() => undefined);
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const answer = await askUser(() => callbacks.askPassphrase(path, attempt > 0)).catch(() => undefined);
    if (answer === undefined) throw new CancelledError(`Authentication cancelled (passphrase for ${path}).`);
    if (opens(answer.passphrase)) {
      if (answer.remember && secrets) await secrets.store(secretKey, answer.passphrase).catch(() => undefined);
      return { path, data, passphrase: answer.passphrase };
    }
  }
  notes.push(`Wrong passphrase for ${path}.`);
  return undefined;
}

/** The key file's bytes; undefined (with a note, unless it is an absent default key) when unreadable. */
async function readKeyFile(path: string, notes: string[]): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(path);
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code !== 'ENOENT') notes.push(`Cannot read key file ${path}: ${e.code === 'EACCES' ? 'permission denied' : e.message}.`);
    else if (!/\/\.ssh\/id_[a-z0-9_]+$/.test(path)) notes.push(`Key file ${path} does not exist.`);
    return undefined;
  }
}
