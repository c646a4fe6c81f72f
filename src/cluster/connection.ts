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
import { resolveSshTarget } from '../transport/sshConfig';
// Type-only: ssh2 is loaded with the first SSH connection, not at activation.
import type { SshCallbacks, SshState, SshTransport } from '../transport/sshTransport';
import { Emitter } from './events';

/** ssh2 costs tens of milliseconds to load: it is required with the first SSH connection. */
function loadSshTransport(): typeof import('../transport/sshTransport') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../transport/sshTransport') as typeof import('../transport/sshTransport');
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
