/**
 * Reading ssh_config files: the text with its `Include` directives inlined (globs, paths relative
 * to ~/.ssh, as OpenSSH does), and the concrete host aliases they define (for pickers).
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where to read ssh_config from. */
export interface ResolveOptions {
  /** ssh_config file to read (default `<home>/.ssh/config`). */
  sshConfigPath?: string;
  /** Home directory for `~` and defaults (default `os.homedir()`). */
  home?: string;
  /** Local user name for `%u` and the default remote user (default the current user). */
  localUser?: string;
}

/** Expands a leading `~` or `~/` to `home`. */
export function expandHome(p: string, home: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return p;
}

function globToRegExp(glob: string): RegExp {
  const re = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`);
}

/** Reads an ssh_config file with its `Include` directives inlined (relative to ~/.ssh). */
export async function readSshConfigText(file: string, home: string, depth = 0): Promise<string> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return '';
  }
  if (depth > 8 || !/^\s*include\b/im.test(text)) return text;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*include(?:\s+|\s*=\s*)(.+?)\s*$/i.exec(line);
    if (!m) {
      out.push(line);
      continue;
    }
    for (const raw of m[1].split(/\s+/)) {
      let pattern = expandHome(raw.replace(/^"|"$/g, ''), home);
      if (!path.isAbsolute(pattern)) pattern = path.join(home, '.ssh', pattern);
      const dir = path.dirname(pattern);
      const base = path.basename(pattern);
      let names: string[] = [base];
      if (/[*?]/.test(base)) {
        try {
          const re = globToRegExp(base);
          names = (await fs.readdir(dir)).filter((n) => re.test(n)).sort();
        } catch {
          names = [];
        }
      }
      for (const name of names) out.push(await readSshConfigText(path.join(dir, name), home, depth + 1));
    }
  }
  return out.join('\n');
}

/** The concrete host aliases of an ssh_config file (Host patterns without wildcards or negation). */
export async function listSshConfigHosts(options: ResolveOptions = {}): Promise<string[]> {
  const home = options.home ?? os.homedir();
  const file = options.sshConfigPath ?? path.join(home, '.ssh', 'config');
  const text = await readSshConfigText(file, home);
  const hosts: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*host(?:\s+|\s*=\s*)(.+?)\s*$/i.exec(line);
    if (!m) continue;
    for (const pattern of m[1].split(/\s+/)) {
      const name = pattern.replace(/^"|"$/g, '');
      if (name && !/[*?!]/.test(name) && !hosts.includes(name)) hosts.push(name);
    }
  }
  return hosts;
}
