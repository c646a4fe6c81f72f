/**
 * What users of the SSH transport see: its states, the callbacks through which it asks the user
 * (the UI lives behind `SshCallbacks`, no vscode import here), and its options.
 */
import type { BackoffPolicy } from './sshBackoff';

export type SshState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export interface SshStateChange {
  state: SshState;
  /** Message of the error that caused this state (failed / reconnecting). */
  error?: string;
}

export interface SshPrompt {
  title: string;
  prompt: string;
  /** False for secrets (passwords, one-time codes): the input must be hidden. */
  echo: boolean;
}

export interface HostKeyInfo {
  /** The host as looked up in known_hosts (HostKeyAlias or host name). */
  host: string;
  port: number;
  keyType: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
  /** Where the key will be recorded when accepted. */
  knownHostsFile: string;
}

export interface PassphraseAnswer {
  passphrase: string;
  /** Store it in `callbacks.secrets` once it has proven right. */
  remember?: boolean;
}

/** Where remembered secrets go (VS Code SecretStorage in the extension). */
export interface SshSecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The UI the transport needs; every method returning undefined/false means the user cancelled. */
export interface SshCallbacks {
  /** Keyboard-interactive and password prompts (2FA codes too). */
  prompt(prompt: SshPrompt): Promise<string | undefined>;
  /** The passphrase of an encrypted private key; `retry` is true after a wrong one. */
  askPassphrase(keyPath: string, retry: boolean): Promise<PassphraseAnswer | undefined>;
  /** An unknown host key: true to trust it (it is then recorded in known_hosts). */
  confirmUnknownHostKey(info: HostKeyInfo): Promise<boolean>;
  secrets?: SshSecretStore;
}

export interface SshTransportOptions {
  /** Time allowed for TCP connect + handshake + authentication, not counting user prompts (20 s). */
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Concurrent exec channels; more commands wait in a queue (8; OpenSSH's MaxSessions is 10). */
  maxChannels?: number;
  backoff?: BackoffPolicy;
  /** Agent socket; default SSH_AUTH_SOCK; null to not use an agent. */
  agentSocket?: string | null;
  /** Receives ssh2's debug lines (never secrets). */
  debug?: (line: string) => void;
}

/** The options with their defaults applied (agentSocket and debug stay optional). */
export type ResolvedSshOptions = Required<Omit<SshTransportOptions, 'debug' | 'agentSocket'>> & Pick<SshTransportOptions, 'debug' | 'agentSocket'>;
