/**
 * One live connection per configured cluster: the SSH transport (one persistent ssh2 connection,
 * prompts through VS Code) or local processes. Implements the ClusterConnection seam.
 */
import * as vscode from 'vscode';
import * as path from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import type { ClusterConfig } from '../../core/cluster/config';
import type { ExecOptions, ExecResult } from '../../core/transport';
import { LocalTransport } from '../../transport/local';
import { resolveSshTarget } from '../../transport/ssh/sshConfig';
// Type-only: ssh2 is loaded with the first SSH connection, not at activation.
import type { SshTransport, SshState } from '../../transport/ssh';
import type { ClusterConnection } from '../services';
import { createSshCallbacks } from './sshPrompts';

/** ssh2 costs tens of milliseconds to load: it is required with the first SSH connection. */
function loadSshTransport(): typeof import('../../transport/ssh') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../../transport/ssh') as typeof import('../../transport/ssh');
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'closed';

export class ClusterConnectionImpl implements ClusterConnection {
  private ssh: Promise<SshTransport> | undefined;
  private sshTransport: SshTransport | undefined;
  private readonly local: LocalTransport | undefined;
  private readonly stateEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeState = this.stateEmitter.event;
  private disposed = false;

  constructor(
    readonly config: ClusterConfig,
    private readonly context: vscode.ExtensionContext,
  ) {
    if (config.transport === 'local') this.local = new LocalTransport(config);
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
        const t = new SshTransport(target, createSshCallbacks(this.context, this.config.name));
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
    if (this.local) return this.local.exec(argv, options);
    await this.ready();
    const t = await this.transport();
    const env = this.config.slurmConf ? { SLURM_CONF: this.config.slurmConf, ...options.env } : options.env;
    return t.exec(argv, { ...options, env });
  }

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
    this.stateEmitter.dispose();
  }
}
