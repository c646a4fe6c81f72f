/**
 * The cluster service as the integration tests drive it: a registry with one `sandbox` entry that
 * reaches the sandbox's sshd through the client home's ssh config alias (as the extension does),
 * prompts that answer nothing, and a wait that polls until a value is there.
 */
import { ClusterRegistry, type Cluster, type ClusterOptions } from '../../../src/cluster';
import type { ClusterConfig } from '../../../src/core/cluster/config';
import type { SandboxInfo } from '../../support/sandbox';
import { until } from '../../support/until';
import { ensureAuthorizedKey } from '../sync/sandboxSsh';

export function sandboxCluster(info: SandboxInfo, options: { remoteDir: string } & Partial<ClusterOptions>): { registry: ClusterRegistry; cluster: Cluster } {
  ensureAuthorizedKey(info);
  // The sandbox's client home holds the ssh config alias and its known_hosts, as for the VS Code layer.
  process.env.HOME = info.clientHome;
  const { remoteDir, ...overrides } = options;
  const registry = new ClusterRegistry(() => ({
    sshCallbacks: () => ({ prompt: async () => undefined, askPassphrase: async () => undefined, confirmUnknownHostKey: async () => false }),
    allUsers: () => false,
    refreshIntervalMs: () => 60_000,
    ...overrides,
  }));
  const config: ClusterConfig = { name: 'sandbox', host: info.sshAlias, transport: 'ssh', remoteDir };
  registry.reload([config]);
  return { registry, cluster: registry.get('sandbox')! };
}

/** Polls `check` until it returns a value other than undefined (false and null are values here). */
export async function untilValue<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const boxed = await until(
    async () => {
      const value = await check();
      return value === undefined ? undefined : { value };
    },
    { what, timeoutMs, intervalMs: 200 },
  );
  return boxed.value;
}

/**
 * Waits for a promise the way the other waits do (polling, bounded): the service's own timers
 * (the refresh, a follower's resumption) are unref'd and keep no process alive, so a bare await
 * on something only they move forward could let the test process run out of work.
 */
export async function untilSettled<T>(what: string, promise: Promise<T>, timeoutMs = 120_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await untilValue(what, () => (settled ? true : undefined), timeoutMs);
  return promise;
}
