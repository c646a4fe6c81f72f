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
 * - Errors: a cancellation is core/errors' `CancelledError` (test with `isCancelled`), the same
 *   for every transport: an `exec` whose signal fires (the remote command is killed; "Command
 *   aborted: <name>"), a prompt the user dismisses (passphrase, password, keyboard-interactive:
 *   "Authentication cancelled ..."), an unknown host key not trusted. Everything else is an
 *   `SshError` whose `kind` says what failed and `retryable` whether waiting may help.
 * - The code lives in `./ssh/` (one file per part: state machine, handshake, host-key policy,
 *   authentication plan, keys, channel limiter, ProxyCommand, errors). Loading `./ssh` loads
 *   ssh2 (tens of ms): code that only resolves targets imports `./ssh/sshConfig`, and the
 *   extension requires `./ssh` with the first SSH connection.
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
export { localStreamHost, type StreamHost, type StreamProcess } from './streams';
