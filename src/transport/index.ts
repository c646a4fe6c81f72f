/** The transports: one persistent SSH connection per cluster (ssh2) and local processes. */
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
} from './sshTransport';
export { resolveSshTarget, resolveSshTargetFromText, listSshConfigHosts, expandTokens, expandHome, parseJumpSpec, type SshTarget, type ResolveOptions } from './sshConfig';
export { parseKnownHosts, checkHostKey, appendKnownHost, readKnownHosts, sha256Fingerprint, knownHostName, type KnownHostEntry, type HostKeyCheck } from './knownHosts';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF, type BackoffPolicy } from './sshBackoff';
export { LocalTransport } from './local';
