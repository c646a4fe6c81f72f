/**
 * The local transport: runs commands as child processes of this host (VS Code already on a login
 * node), from argv arrays without a shell. SLURM_CONF comes from the cluster's `slurmConf`.
 * An aborted command is killed and rejects with a CancelledError.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ClusterConfig } from '../core/cluster/config';
import { CancelledError } from '../core/errors';
import type { CommandRunner, ExecOptions, ExecResult } from '../core/transport';

const SLURM_COMMANDS = new Set(['sinfo', 'squeue', 'scontrol', 'sacct', 'sbatch', 'scancel', 'srun', 'salloc', 'sprio', 'sshare']);

export class LocalTransport implements CommandRunner {
  constructor(private readonly config: Pick<ClusterConfig, 'slurmConf'> = {}) {}

  /** The home directory commands run with (for `~/` in working directories). */
  homeDir(): string {
    return os.homedir();
  }

  private expand(p: string): string {
    if (p === '~') return this.homeDir();
    if (p.startsWith('~/')) return path.join(this.homeDir(), p.slice(2));
    return p;
  }

  exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (argv.length === 0) return Promise.reject(new Error('Empty command.'));
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    if (this.config.slurmConf) env.SLURM_CONF = this.expand(this.config.slurmConf);
    return new Promise<ExecResult>((resolve, reject) => {
      if (options.signal?.aborted) {
        reject(new CancelledError(`${argv[0]} was cancelled.`));
        return;
      }
      const child = spawn(argv[0], argv.slice(1), {
        cwd: options.cwd ? this.expand(options.cwd) : undefined,
        env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const kill = (why: Error): void => {
        child.stdin.destroy();
        child.kill('SIGTERM');
        const hard = setTimeout(() => child.kill('SIGKILL'), 2000);
        hard.unref();
        finish(() => reject(why));
      };
      const onAbort = (): void => kill(new CancelledError(`${argv[0]} was cancelled.`));
      options.signal?.addEventListener('abort', onAbort);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => kill(new Error(`${argv[0]} did not finish within ${Math.round(options.timeoutMs! / 1000)} s.`)), options.timeoutMs);
      }
      const onStdout = options.onStdout;
      child.stdout.on('data', (d: Buffer) => {
        if (!onStdout) out.push(d);
        else if (!settled) onStdout(d);
      });
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e: NodeJS.ErrnoException) => {
        const message =
          e.code === 'ENOENT'
            ? `${argv[0]} not found: is ${SLURM_COMMANDS.has(argv[0]) ? 'Slurm' : 'it'} installed on this host?`
            : `${argv[0]}: ${e.message}`;
        finish(() => reject(new Error(message)));
      });
      child.on('close', (code) => {
        finish(() => resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code }));
      });
      child.stdin.on('error', () => undefined);
      // A stream keeps stdin open (end-of-file tells it that we are gone).
      if (onStdout) {
        if (options.stdin !== undefined) child.stdin.write(options.stdin);
      } else if (options.stdin !== undefined) child.stdin.end(options.stdin);
      else child.stdin.end();
    });
  }
}
