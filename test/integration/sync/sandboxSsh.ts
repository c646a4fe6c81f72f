/** An SshTransport to the sandbox's sshd, as the sync and submission integration tests use it. */
import { execFileSync } from 'node:child_process';
import { SshTransport, type SshTarget } from '../../../src/transport/ssh';
import type { SandboxInfo } from '../../support/sandbox';

/** The sandbox's sshd as a target: its test user's key only, its host key known. */
export function sandboxTarget(info: SandboxInfo): SshTarget {
  return {
    alias: info.sshAlias,
    host: info.sshHost,
    port: info.sshPort,
    user: info.sshUser,
    identityFiles: [info.sshKey],
    identitiesOnly: true,
    knownHostsFiles: [info.knownHosts],
    hashKnownHosts: false,
  };
}

export function sandboxTransport(info: SandboxInfo): SshTransport {
  return new SshTransport(
    sandboxTarget(info),
    {
      prompt: async () => undefined,
      askPassphrase: async () => undefined,
      confirmUnknownHostKey: async () => false,
    },
    { agentSocket: null },
  );
}

/**
 * The sandbox's test user is shared by every sandbox instance on the machine, and other
 * instances have been seen rewriting its authorized_keys: put this instance's key back (same
 * tagged line and lock as sandbox.sh) before connecting.
 */
export function ensureAuthorizedKey(info: SandboxInfo): void {
  const script = [
    'set -e',
    'ak=$(getent passwd "$1" | cut -d: -f6)/.ssh/authorized_keys',
    'line="$(cut -d" " -f1,2 "$2") hpcw-sandbox:$3"',
    'grep -qxF "$line" "$ak" 2>/dev/null || { printf "%s\\n" "$line" >> "$ak"; chown "$1" "$ak"; chmod 600 "$ak"; }',
  ].join('\n');
  execFileSync('flock', ['/tmp/hpcw-sandbox-user.lock', 'sh', '-c', script, 'sh', info.sshUser, `${info.sshKey}.pub`, info.dir]);
}
