/**
 * One live connection per configured cluster: the SSH transport (one persistent ssh2 connection;
 * prompts through the callbacks the caller supplies) or local processes. The cluster's
 * `slurmConf` is applied here, for both transports, and wins over a command's own environment.
 */
import * as path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { ClusterConfig } from '../core/cluster/config';
import type { CommandRunner, ExecOptions, ExecResult } from '../core/transport';
import { LocalTransport } from '../transport/local';
import { localStreamHost, type StreamProcess } from '../transport/streams';
import { shellCommand } from '../core/shellQuote';
import type { Duplex } from 'node:stream';
import { resolveSshTarget } from '../transport/ssh/sshConfig';
// Type-only: ssh2 is loaded with the first SSH connection, not at activation.
import type { SshCallbacks, SshState, SshTransport } from '../transport/ssh';
import { Emitter } from './events';

/** ssh2 costs tens of milliseconds to load: it is required with the first SSH connection. */
function loadSshTransport(): typeof import('../transport/ssh') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../transport/ssh') as typeof import('../transport/ssh');
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export class ClusterConnection implements CommandRunner {
  private ssh: Promise<SshTransport> | undefined;
  private sshTransport: SshTransport | undefined;
  private readonly local: LocalTransport | undefined;
  private readonly stateEmitter = new Emitter<void>();
  private disposed = false;

  constructor(
    readonly config: ClusterConfig,
    /** Prompts and secrets for SSH (passwords, codes, passphrases, unknown host keys). */
    private readonly sshCallbacks: () => SshCallbacks,
  ) {
    if (config.transport === 'local') this.local = new LocalTransport(config);
  }

  onDidChangeState(listener: () => void): () => void {
    return this.stateEmitter.on(listener);
  }

  get isLocal(): boolean {
    return this.local !== undefined;
  }

  /** Transport state (local: always connected). */
  get state(): ConnectionState {
    if (this.local) return 'connected';
    return (this.sshTransport?.state as SshState | undefined) ?? 'idle';
  }

  get lastError(): string | undefined {
    return this.sshTransport?.error;
  }

  private transport(): Promise<SshTransport> {
    if (!this.ssh) {
      this.ssh = resolveSshTarget(this.config).then((target) => {
        const { SshTransport } = loadSshTransport();
        const t = new SshTransport(target, this.sshCallbacks());
        t.onStateChange(() => this.stateEmitter.fire());
        this.sshTransport = t;
        if (this.disposed) t.dispose();
        return t;
      });
      this.ssh.catch(() => (this.ssh = undefined));
    }
    return this.ssh;
  }

  /** Connects (prompting when needed); for local clusters nothing to do. */
  async connect(): Promise<void> {
    if (this.local) return;
    const t = await this.transport();
    await t.connect();
  }

  /** Connects the first time (prompts allowed); later commands reconnect by themselves. */
  async ready(): Promise<void> {
    if (this.local) return;
    const t = await this.transport();
    if (t.state === 'idle') await t.connect();
  }

  disconnect(): void {
    this.sshTransport?.disconnect();
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    // The local transport applies the cluster's slurmConf itself (it expands `~` locally).
    if (this.local) return this.local.exec(argv, options);
    await this.ready();
    const t = await this.transport();
    const env = this.config.slurmConf ? { ...options.env, SLURM_CONF: this.config.slurmConf } : options.env;
    return t.exec(argv, { ...options, env });
  }

  /**
   * Starts a long-lived process from argv (quoted by core/shellQuote) with the cluster's
   * slurmConf: over SSH an exec channel of the connection, locally a child in its own session.
   */
  async spawn(argv: readonly string[]): Promise<StreamProcess> {
    if (this.local) {
      const conf = this.config.slurmConf;
      const expanded = conf && (conf === '~' || conf.startsWith('~/')) ? path.join(this.local.homeDir(), conf.slice(1)) : conf;
      return localStreamHost.spawnShell(shellCommand(argv, { env: expanded ? { SLURM_CONF: expanded } : undefined }));
    }
    await this.ready();
    const env = this.config.slurmConf ? { SLURM_CONF: this.config.slurmConf } : undefined;
    return (await this.transport()).spawnShell(shellCommand(argv, { env }));
  }

  /** A stream to a Unix socket on the cluster: over the SSH connection, or `net.connect` locally. */
  async openUnixSocket(socketPath: string): Promise<Duplex> {
    if (this.local) return localStreamHost.openUnixSocket(socketPath);
    await this.ready();
    return (await this.transport()).openUnixSocket(socketPath);
  }

  /** An SFTP session multiplexed on the same SSH connection; undefined for transport "local". */
  async sftp(): Promise<SFTPWrapper | undefined> {
    if (this.local) return undefined;
    await this.ready();
    return (await this.transport()).sftp();
  }

  async homeDir(): Promise<string> {
    if (this.local) return this.local.homeDir();
    await this.ready();
    return (await this.transport()).homeDir();
  }

  /** The remote working directory for a workspace folder, with `~` expanded to an absolute path. */
  async remoteDir(workspaceFolderName: string): Promise<string> {
    const dir = this.config.remoteDir ?? `~/hpc-workbench/${workspaceFolderName}`;
    const home = await this.homeDir();
    if (dir === '~') return home;
    if (dir.startsWith('~/')) return path.posix.join(home, dir.slice(2));
    if (dir.startsWith('/')) return path.posix.normalize(dir);
    return path.posix.join(home, dir);
  }

  dispose(): void {
    this.disposed = true;
    this.sshTransport?.dispose();
    this.stateEmitter.clear();
  }
}
