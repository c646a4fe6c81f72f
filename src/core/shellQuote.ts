/**
 * The one place where argument lists become text for a POSIX shell (a remote login shell
 * over SSH, or `sh -c` locally). Every remote command is built from an argv array and goes
 * through `shellCommand`; nothing else concatenates user-controlled strings into commands.
 */

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word so that a POSIX shell passes it through literally. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) {
    throw new Error('An argument contains a NUL byte, which cannot be passed to a command.');
  }
  if (word !== '' && SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Quotes a path that may begin with `~/`: the tilde stays unquoted so the remote shell
 * expands it to the home directory; the rest is quoted literally.
 */
export function shellQuotePath(path: string): string {
  if (path === '~') return '~';
  if (path.startsWith('~/')) return `~/${shellQuote(path.slice(2))}`;
  return shellQuote(path);
}

export interface ShellCommandOptions {
  /** Directory to run in (may start with `~/`). */
  cwd?: string;
  /** Environment variables set for this command only. */
  env?: Record<string, string>;
}

/** Builds one shell command line from an argv array. */
export function shellCommand(argv: readonly string[], options: ShellCommandOptions = {}): string {
  if (argv.length === 0) throw new Error('Empty command.');
  const parts: string[] = [];
  if (options.env) {
    for (const [key, value] of Object.entries(options.env)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`Invalid environment variable name: ${key}`);
      parts.push(`${key}=${shellQuote(value)}`);
    }
  }
  parts.push(...argv.map(shellQuote));
  const command = parts.join(' ');
  return options.cwd ? `cd ${shellQuotePath(options.cwd)} && ${command}` : command;
}
