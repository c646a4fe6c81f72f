/**
 * Resolving a cluster entry to what an SSH connection needs, as OpenSSH does from `~/.ssh/config`
 * (first value wins; HostName, User, Port, IdentityFile, ProxyJump, UserKnownHostsFile,
 * HostKeyAlias, HashKnownHosts, IdentitiesOnly, ConnectTimeout; Include via sshConfigFile.ts).
 * Parsing is done by the `ssh-config` package; `Match exec` is never evaluated. No vscode import.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import type { default as SSHConfig } from 'ssh-config' with { 'resolution-mode': 'import' };
// ssh-config ships CommonJS for require(); its type declarations are written for ESM only.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse: parseSshConfig } = require('ssh-config') as { parse(text: string): SSHConfig };
import type { ClusterConfig } from '../../core/cluster/config';
import { expandHome, readSshConfigText, type ResolveOptions } from './sshConfigFile';

export { expandHome, listSshConfigHosts, readSshConfigText, type ResolveOptions } from './sshConfigFile';

export interface SshTarget {
  /** What the user wrote (alias or host name); used in messages. */
  alias: string;
  /** The host name or address to connect to (HostName). */
  host: string;
  port: number;
  user: string;
  /** Absolute paths of private keys to try, in order (only existing ones are tried). */
  identityFiles: string[];
  /** IdentitiesOnly: do not use the agent's other keys. */
  identitiesOnly: boolean;
  /** Jump host to connect through (ProxyJump); its own `proxyJump` is the hop before it. */
  proxyJump?: SshTarget;
  /** ProxyCommand (tokens expanded), run with `sh -c`; its stdin/stdout carry the connection. */
  proxyCommand?: string;
  /** System-wide known_hosts files, read but never written (GlobalKnownHostsFile). */
  globalKnownHostsFiles?: string[];
  /**
   * StrictHostKeyChecking: `ask` (default: the user decides on unknown keys), `yes` (unknown keys
   * are refused), `accept-new` (unknown keys are recorded without asking). A changed key is always
   * refused, whatever this says.
   */
  strictHostKeyChecking?: 'ask' | 'yes' | 'accept-new';
  /** known_hosts files to check, the first one is where new keys are recorded. */
  knownHostsFiles: string[];
  /** Name under which the host key is looked up (HostKeyAlias, else host). */
  hostKeyAlias?: string;
  /** Record new host keys hashed (HashKnownHosts yes). */
  hashKnownHosts: boolean;
  /** ConnectTimeout in milliseconds, when set. */
  connectTimeoutMs?: number;
}

// OpenSSH's default identities, without the kinds ssh2 cannot use (security keys, XMSS).
const DEFAULT_IDENTITIES = ['id_rsa', 'id_ecdsa', 'id_ed25519', 'id_dsa'];

type Computed = Record<string, string | string[]>;

function first(computed: Computed, key: string): string | undefined {
  const value = computed[key];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value[0] : value;
}

function all(computed: Computed, key: string): string[] {
  const value = computed[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The files of a space-separated file-list option (known_hosts files), tokens expanded; `none` skipped. */
function fileList(computed: Computed, key: string, tokens: TokenValues, defaults: string[]): string[] {
  const files: string[] = [];
  for (const value of all(computed, key)) {
    for (const f of value.split(/\s+/)) {
      if (f && f.toLowerCase() !== 'none') files.push(expandTokens(f.replace(/^"|"$/g, ''), tokens));
    }
  }
  return files.length > 0 ? files : defaults;
}

interface TokenValues {
  home: string;
  localUser: string;
  host: string;
  user: string;
  port: number;
  alias: string;
}

/** Expands the simple OpenSSH tokens %d %u %h %r %p %n %% and a leading `~`. */
export function expandTokens(value: string, t: TokenValues): string {
  const expanded = value.replace(/%([%duhrpn])/g, (_m, c: string) => {
    switch (c) {
      case '%': return '%';
      case 'd': return t.home;
      case 'u': return t.localUser;
      case 'h': return t.host;
      case 'r': return t.user;
      case 'p': return String(t.port);
      case 'n': return t.alias;
      default: return _m;
    }
  });
  return expandHome(expanded, t.home);
}

/** Parses a ProxyJump hop `[user@]host[:port]` (or `ssh://[user@]host[:port]`). */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } {
  let rest = spec.replace(/^ssh:\/\//, '');
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let port: number | undefined;
  const bracket = /^\[(.+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    rest = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else {
    const colon = /^([^:]+):(\d+)$/.exec(rest);
    if (colon) {
      rest = colon[1];
      port = Number(colon[2]);
    }
  }
  return { user, host: rest, port };
}

interface Explicit {
  alias: string;
  user?: string;
  port?: number;
  identityFile?: string;
  /** Overrides the config's ProxyJump (`none` disables it). */
  proxyJump?: string;
}

function resolveFrom(config: SSHConfig, explicit: Explicit, home: string, localUser: string, depth: number): SshTarget {
  if (depth > 5) throw new Error(`Too many ProxyJump hops for ${explicit.alias}.`);
  // An explicit user is passed like `ssh -l user` (it wins over User lines and feeds Match user).
  const query = explicit.user ? { Host: explicit.alias, User: explicit.user } : { Host: explicit.alias };
  const computed = config.compute(query, { ignoreCase: true, matchExec: false }) as Computed;
  const alias = explicit.alias;
  const hostNameRaw = first(computed, 'hostname') ?? alias;
  const portText = first(computed, 'port');
  const port = explicit.port ?? (portText ? Number(portText) : 22);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`Invalid port for ${alias}: ${portText}`);
  const user = explicit.user ?? first(computed, 'user') ?? localUser;
  const host = hostNameRaw.replace(/%h/g, alias).replace(/%%/g, '%');
  const tokens: TokenValues = { home, localUser, host, user, port, alias };

  const identityFiles: string[] = [];
  if (explicit.identityFile) identityFiles.push(expandTokens(explicit.identityFile, tokens));
  for (const f of all(computed, 'identityfile')) {
    if (f.toLowerCase() === 'none') continue;
    const p = expandTokens(f.replace(/^"|"$/g, ''), tokens);
    if (!identityFiles.includes(p)) identityFiles.push(p);
  }
  if (identityFiles.length === 0) {
    for (const name of DEFAULT_IDENTITIES) identityFiles.push(path.join(home, '.ssh', name));
  }

  const knownHostsFiles = fileList(computed, 'userknownhostsfile', tokens, [path.join(home, '.ssh', 'known_hosts'), path.join(home, '.ssh', 'known_hosts2')]);
  const globalKnownHostsFiles = fileList(computed, 'globalknownhostsfile', tokens, ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2']);
  const strictText = (first(computed, 'stricthostkeychecking') ?? 'ask').toLowerCase();
  const strictHostKeyChecking = strictText === 'yes' || strictText === 'true' ? 'yes' : strictText === 'accept-new' || strictText === 'no' || strictText === 'off' || strictText === 'false' ? 'accept-new' : 'ask';
  const proxyCommandRaw = first(computed, 'proxycommand');

  const timeout = first(computed, 'connecttimeout');
  const target: SshTarget = {
    alias,
    host,
    port,
    user,
    identityFiles,
    identitiesOnly: (first(computed, 'identitiesonly') ?? 'no').toLowerCase() === 'yes',
    knownHostsFiles,
    hostKeyAlias: first(computed, 'hostkeyalias'),
    hashKnownHosts: (first(computed, 'hashknownhosts') ?? 'no').toLowerCase() === 'yes',
    globalKnownHostsFiles,
    strictHostKeyChecking,
    connectTimeoutMs: timeout && /^\d+$/.test(timeout) ? Number(timeout) * 1000 : undefined,
  };

  const jump = explicit.proxyJump ?? first(computed, 'proxyjump');
  // OpenSSH uses whichever of ProxyCommand and ProxyJump comes first; `none` disables both.
  if (proxyCommandRaw && proxyCommandRaw.toLowerCase() !== 'none' && !(explicit.proxyJump && explicit.proxyJump !== 'none')) {
    const rawOrder = Object.keys(computed);
    const commandFirst = !jump || rawOrder.indexOf('proxycommand') < rawOrder.indexOf('proxyjump');
    if (commandFirst) {
      target.proxyCommand = proxyCommandRaw.replace(/%([%hprn])/g, (_m, c: string) =>
        c === '%' ? '%' : c === 'h' ? host : c === 'p' ? String(port) : c === 'r' ? user : alias,
      );
      return target;
    }
  }
  if (jump && jump.toLowerCase() !== 'none') {
    const hops = jump.split(',').map((s) => s.trim()).filter(Boolean);
    let previous: SshTarget | undefined;
    for (let i = 0; i < hops.length; i++) {
      const spec = parseJumpSpec(hops[i]);
      const hop = resolveFrom(
        config,
        { alias: spec.host, user: spec.user, port: spec.port, proxyJump: i === 0 ? undefined : 'none' },
        home,
        localUser,
        depth + 1,
      );
      if (previous) hop.proxyJump = previous;
      previous = hop;
    }
    target.proxyJump = previous;
  }
  return target;
}

/** Parses ssh_config text (already with includes inlined) and resolves one host with it. */
export function resolveSshTargetFromText(
  configText: string,
  explicit: Explicit,
  options: { home: string; localUser: string },
): SshTarget {
  return resolveFrom(parseSshConfig(configText), explicit, options.home, options.localUser, 0);
}

/**
 * Resolves a cluster entry to an SSH target: `host` may be an alias of the ssh config; explicit
 * `port`, `user` and `identityFile` in the entry override the config.
 */
export async function resolveSshTarget(config: ClusterConfig, options: ResolveOptions = {}): Promise<SshTarget> {
  if (!config.host) throw new Error(`Cluster "${config.name}" has no host.`);
  const home = options.home ?? os.homedir();
  const localUser = options.localUser ?? safeLocalUser();
  const file = options.sshConfigPath ?? path.join(home, '.ssh', 'config');
  const text = await readSshConfigText(file, home);
  let alias = config.host;
  let user = config.user;
  const at = alias.lastIndexOf('@');
  if (at > 0) {
    user ??= alias.slice(0, at);
    alias = alias.slice(at + 1);
  }
  return resolveSshTargetFromText(
    text,
    { alias, user, port: config.port, identityFile: config.identityFile },
    { home, localUser },
  );
}

function safeLocalUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}
