/**
 * SSH command benchmark: N small commands over HPC Workbench's one persistent ssh2 connection
 * versus the OpenSSH CLI spawned per command (what most Slurm tools do), against the sandbox's
 * sshd with the same key and known_hosts. Also shown: OpenSSH with a ControlMaster socket (the
 * best a CLI-based tool can do when the user has configured multiplexing).
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/ssh.js      (the sandbox must be up)
 *   HPCW_BENCH_N=50  HPCW_BENCH_COMMAND="squeue -h"
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadSandbox, sshArgs } from '../test/support/sandbox';
import { resolveSshTarget } from '../src/transport/ssh/sshConfig';
import { SshTransport } from '../src/transport/ssh';

const run = promisify(execFile);
const N = Number(process.env.HPCW_BENCH_N ?? 50);
const COMMANDS: string[][] = process.env.HPCW_BENCH_COMMAND ? [process.env.HPCW_BENCH_COMMAND.split(' ')] : [['true'], ['squeue', '-h']];

function now(): bigint {
  return process.hrtime.bigint();
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function main(): Promise<void> {
  const info = loadSandbox();
  const configPath = path.join(info.clientHome, '.ssh', 'config');
  const target = await resolveSshTarget({ name: 'bench', host: info.sshAlias }, { home: info.clientHome, sshConfigPath: configPath });
  const refuse = async () => undefined;
  const transport = new SshTransport(target, { prompt: refuse, askPassphrase: refuse, confirmUnknownHostKey: async () => false }, { agentSocket: null });
  const controlDir = mkdtempSync(path.join(tmpdir(), 'hpcw-bench-ssh-'));
  const controlArgs = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlDir}/cm-%C`, '-o', 'ControlPersist=60'];
  const cli = sshArgs(info);
  console.log(`${N} commands each, sshd ${info.sshHost}:${info.sshPort}, seconds (lower is better)`);
  console.log('command        | ours: connect | ours: N seq | ours: N parallel | ssh CLI per cmd | ssh ControlMaster | CLI/ours seq | CLI/ours parallel');
  try {
    for (const argv of COMMANDS) {
      let t = now();
      await transport.connect();
      const connect = seconds(t);

      t = now();
      for (let i = 0; i < N; i++) await transport.exec(argv);
      const seq = seconds(t);

      t = now();
      await Promise.all(Array.from({ length: N }, () => transport.exec(argv)));
      const parallel = seconds(t);

      t = now();
      for (let i = 0; i < N; i++) await run('ssh', [...cli, argv.join(' ')]).catch(() => undefined);
      const perCommand = seconds(t);

      // ControlMaster: the first command opens the master, the others reuse it.
      t = now();
      for (let i = 0; i < N; i++) await run('ssh', [...controlArgs, ...cli, argv.join(' ')]).catch(() => undefined);
      const master = seconds(t);
      await run('ssh', [...controlArgs, '-O', 'exit', ...cli]).catch(() => undefined);

      const name = argv.join(' ').padEnd(14);
      console.log(
        `${name} | ${connect.toFixed(3).padStart(13)} | ${seq.toFixed(3).padStart(11)} | ${parallel.toFixed(3).padStart(16)} | ${perCommand.toFixed(3).padStart(15)} | ${master.toFixed(3).padStart(17)} | ${(perCommand / seq).toFixed(1).padStart(11)}x | ${(perCommand / parallel).toFixed(1).padStart(16)}x`,
      );
      transport.disconnect();
    }
    console.log(`(per command: ours ${'seq'} ≈ one channel round trip on an open connection; CLI ≈ process + TCP + key exchange + auth each time)`);
  } finally {
    transport.dispose();
    rmSync(controlDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
