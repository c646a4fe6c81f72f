/**
 * The local HPC sandbox (test/sandbox/sandbox.sh) as the tests see it: the typed contents of
 * `$HPCW_SANDBOX_DIR/sandbox.json`, a way to run the script's actions (up, down, stop-ctld, ...),
 * and the environment that Slurm client commands need.
 *
 * The instance is chosen by HPCW_SANDBOX_DIR (default <repo>/.sandbox) and
 * HPCW_SANDBOX_PORT_BASE (default 26800), exactly as sandbox.sh chooses it.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file compiles to out/test/support/sandbox.js). */
const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** The sandbox script. */
export const sandboxScript = path.join(repoRoot, 'test', 'sandbox', 'sandbox.sh');

export interface SandboxPartition {
  name: string;
  default: boolean;
  /** As Slurm prints it: `00:30:00`, `1-00:00:00`. */
  maxTime: string;
  nodes: string[];
}

export interface SandboxNode {
  name: string;
  cpus: number;
  realMemory: number;
  /** The slurmd port of this node. */
  port: number;
  features: string[];
}

export interface SandboxInfo {
  /** The private folder that holds everything of this instance. */
  dir: string;
  /** The instance's slurm.conf: every Slurm client needs SLURM_CONF set to it. */
  slurmConf: string;
  clusterName: string;
  slurmctldPort: number;
  sshHost: string;
  sshPort: number;
  sshUser: string;
  /** The client's private key (mode 600). */
  sshKey: string;
  /** known_hosts holding the sandbox sshd's host key as `[127.0.0.1]:PORT ssh-ed25519 ...`. */
  knownHosts: string;
  /** A home for clients: `.ssh/config` there defines the `sshAlias` host. */
  clientHome: string;
  sshAlias: string;
  /** `SHA256:...` of the sshd's ed25519 host key. */
  hostKeyFingerprint: string;
  /** The jobcomp/filetxt file that `sacct -c` reads. */
  jobCompLoc: string;
  /** `slurmdbd` (MariaDB + slurmdbd: sacct, sstat) or `jobcomp` (only `sacct -c`): `up --accounting`. */
  accounting: 'slurmdbd' | 'jobcomp';
  partitions: SandboxPartition[];
  nodes: SandboxNode[];
}

/** The instance's folder, as sandbox.sh computes it. */
export function sandboxDir(): string {
  return process.env.HPCW_SANDBOX_DIR || path.join(repoRoot, '.sandbox');
}

/**
 * Reads the running sandbox's description. Throws a clear error when the sandbox is not up
 * (no sandbox.json, or its slurm.conf is missing).
 */
export function loadSandbox(): SandboxInfo {
  const dir = sandboxDir();
  const file = path.join(dir, 'sandbox.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new Error(
      `The sandbox cluster is not up (no ${file}): run bash test/sandbox/sandbox.sh up` +
        (process.env.HPCW_SANDBOX_DIR ? ` with HPCW_SANDBOX_DIR=${dir}` : ''),
    );
  }
  const info = JSON.parse(text) as SandboxInfo;
  if (!fs.existsSync(info.slurmConf)) {
    throw new Error(`The sandbox in ${dir} is incomplete: run bash test/sandbox/sandbox.sh up`);
  }
  return info;
}

export type SandboxAction =
  | 'up'
  | 'down'
  | 'status'
  | 'env'
  | 'stop-ctld'
  | 'start-ctld'
  | 'freeze-ctld'
  | 'thaw-ctld'
  | 'stop-sshd'
  | 'start-sshd';

export interface SandboxCtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs one sandbox.sh action for this instance (HPCW_SANDBOX_DIR / HPCW_SANDBOX_PORT_BASE
 * from the environment). Rejects when the action fails, except `status`, whose exit code
 * (0 all up, 1 otherwise) is returned.
 */
export function sandboxCtl(action: SandboxAction, timeoutMs = 120_000): Promise<SandboxCtlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [sandboxScript, action],
      { env: process.env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        if (error && !(action === 'status' && code === 1)) {
          reject(new Error(`sandbox.sh ${action} failed (exit ${code}): ${stderr.trim() || error.message}`));
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** process.env plus SLURM_CONF of the sandbox, for running Slurm client commands locally. */
export function slurmEnv(info: SandboxInfo = loadSandbox()): NodeJS.ProcessEnv {
  return { ...process.env, SLURM_CONF: info.slurmConf };
}

/**
 * Arguments for the OpenSSH CLI to reach the sandbox as the test user (`ssh ...args cmd`).
 * OpenSSH reads ~/.ssh/config from the passwd entry, not $HOME, so the client home's config
 * is passed explicitly with -F.
 */
export function sshArgs(info: SandboxInfo = loadSandbox()): string[] {
  return ['-F', path.join(info.clientHome, '.ssh', 'config'), '-o', 'BatchMode=yes', info.sshAlias];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program and resolves with its exit code and output (never rejects on a non-zero exit). */
export function runCommand(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs?: number } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number' && !error.killed) {
          reject(error);
          return;
        }
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** Runs a shell command line as the test user over the sandbox's sshd (OpenSSH CLI). */
export function sshRun(
  command: string,
  options: { input?: string | Buffer; timeoutMs?: number; info?: SandboxInfo } = {},
): Promise<CommandResult> {
  return runCommand('ssh', [...sshArgs(options.info), command], options);
}

const unfinishedStates = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING']);

/**
 * Polls `scontrol -o show job ID` until the job (every task of an array job) has ended, and
 * returns the final JobState of each record (one for a plain job). Throws after timeoutMs.
 */
export async function waitForJobEnd(
  jobId: string,
  options: { timeoutMs?: number; info?: SandboxInfo } = {},
): Promise<string[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env = slurmEnv(options.info);
  const deadline = Date.now() + timeoutMs;
  let states: string[] = [];
  while (Date.now() < deadline) {
    const r = await runCommand('scontrol', ['-o', 'show', 'job', jobId], { env, timeoutMs: 30_000 });
    if (r.code === 0) {
      states = [...r.stdout.matchAll(/\bJobState=(\S+)/g)].map((m) => m[1]);
      if (states.length > 0 && states.every((s) => !unfinishedStates.has(s))) return states;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`job ${jobId} did not end within ${timeoutMs} ms (states: ${states.join(', ') || 'unknown'})`);
}
