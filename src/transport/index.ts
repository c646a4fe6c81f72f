/**
 * The transports: one persistent SSH connection per cluster (ssh2) and local processes.
 *
 * SshTransport in short:
 * - `new SshTransport(await resolveSshTarget(clusterConfig), callbacks)`; nothing happens until
 *   `connect()` or the first `exec()`. `exec(argv, { cwd, env, stdin, timeoutMs, signal })` quotes
 *   argv with core/shellQuote and runs it on a channel of the one connection (8 at a time, more
 *   wait); `sftp()` and `homeDir()` use the same connection.
 * - `state` + `onStateChange(({ state, error }) => ...)`: idle → connecting → connected; on loss
 *   → reconnecting (commands in flight reject with "Connection to <alias> lost"); a failed first
 *   connection or an auth/host-key refusal → failed.
 * - After a network failure, the next exec reconnects with exponential backoff (1 s → 60 s,
 *   jitter); a command waits for a reconnection due within 5 s, otherwise fails at once with the
 *   reason and "Retrying in N s". `connect()` waits the backoff; `connect({ immediate: true })` is
 *   for a user's explicit Retry.
 * - After an authentication failure, a cancel or a host-key refusal, commands keep failing with
 *   that error (they never prompt by themselves); only `connect()` tries again.
 * - `disconnect()` closes and goes back to idle; `dispose()` closes for good.
 */
export {
  SshTransport,
  SshError,
  mapConnectError,
  preferredHostKeyAlgorithms,
  type SshState,
  type SshStateChange,
  type SshCallbacks,
  type SshPrompt,
  type HostKeyInfo,
  type PassphraseAnswer,
  type SshSecretStore,
  type SshTransportOptions,
  type SshErrorKind,
  resolveSshTarget,
  resolveSshTargetFromText,
  listSshConfigHosts,
  expandTokens,
  expandHome,
  parseJumpSpec,
  type SshTarget,
  type ResolveOptions,
  parseKnownHosts,
  checkHostKey,
  appendKnownHost,
  readKnownHosts,
  sha256Fingerprint,
  knownHostName,
  type KnownHostEntry,
  type HostKeyCheck,
  backoffDelay,
  backoffCeiling,
  DEFAULT_BACKOFF,
  type BackoffPolicy,
} from './ssh';
export { LocalTransport } from './local';
