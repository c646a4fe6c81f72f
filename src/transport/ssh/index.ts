/**
 * The SSH transport: what its users need. `SshTransport` (transport.ts) is the connection; the
 * other files of this folder are its parts (handshake, host-key policy, authentication plan, keys,
 * channel limiter, ProxyCommand, errors) and the OpenSSH files it reads (ssh_config, known_hosts).
 * Importing this module loads ssh2: the extension requires it lazily (clusters/connection.ts) and
 * imports `./sshConfig` directly where it only resolves targets.
 */
export { SshTransport } from './transport';
export { SshError, mapConnectError, type SshErrorKind } from './errors';
export { preferredHostKeyAlgorithms } from './hostKeyPolicy';
export type { SshState, SshStateChange, SshCallbacks, SshPrompt, HostKeyInfo, PassphraseAnswer, SshSecretStore, SshTransportOptions } from './types';
export { resolveSshTarget, resolveSshTargetFromText, listSshConfigHosts, expandTokens, expandHome, parseJumpSpec, type SshTarget, type ResolveOptions } from './sshConfig';
export { parseKnownHosts, checkHostKey, appendKnownHost, readKnownHosts, sha256Fingerprint, knownHostName, type KnownHostEntry, type HostKeyCheck } from './knownHosts';
export { backoffDelay, backoffCeiling, DEFAULT_BACKOFF, type BackoffPolicy } from './sshBackoff';
