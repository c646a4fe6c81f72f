/**
 * Notebook benchmark against the sandbox over its sshd, side by side in one run (medians):
 *  1. a `%squeue` cell (the controller's path: the command on the cluster's connection, the table
 *     rendered) against the same command on the open connection (goal ≤ 1.2×);
 *  2. a `print(1)` cell through the tunnel (streams over the SSH connection to Jupyter Server's
 *     socket, @jupyterlab/services) against the same kernel reached by a client on the login node
 *     itself (jupyter_client, through the kernel's connection file) (goal ≤ 1.5×);
 *  3. from "run" on the first cell to a ready kernel (Jupyter Server started over SSH, a kernel,
 *     kernel_info answered), beside a kernel started on the login node by jupyter_client's
 *     start_new_kernel — what `jupyter console` does at start-up (jupyter_console itself is not
 *     installed in the sandbox; it adds its own prompt on top).
 *
 *   HPCW_SANDBOX_DIR=... node out/bench/notebook.js        (the sandbox must be up)
 *   HPCW_BENCH_N=20
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { commandOutputHtml } from '../src/core/notebook/tables';
import { sandboxCluster } from '../test/integration/cluster/sandboxCluster';
import { loadSandbox } from '../test/support/sandbox';

const N = Number(process.env.HPCW_BENCH_N ?? 20);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** A client on the login node: N print(1) executions on the kernel of `connectionFile`, median ms. */
const LOCAL_CLIENT = `
import sys, time, statistics
from jupyter_client import BlockingKernelClient
c = BlockingKernelClient(connection_file=sys.argv[1]); c.load_connection_file(); c.start_channels(); c.wait_for_ready(timeout=60)
times = []
for i in range(int(sys.argv[2])):
    t = time.perf_counter(); c.execute_interactive("print(1)", output_hook=lambda m: None, timeout=60); times.append((time.perf_counter() - t) * 1000)
print(statistics.median(times))
`;

/** jupyter console's start-up without its prompt: a kernel started and ready, ms. */
const LOCAL_START = `
import time
t = time.perf_counter()
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="python3")
kc.wait_for_ready(timeout=120)
print((time.perf_counter() - t) * 1000)
kc.stop_channels(); km.shutdown_kernel(now=True)
`;

async function main(): Promise<void> {
  const info = loadSandbox();
  const { registry, cluster } = sandboxCluster(info, { remoteDir: `~/bench-notebook/${randomBytes(4).toString('hex')}` });
  try {
    const remoteDir = await cluster.remoteDir('bench');
    await cluster.exec(['true']);
    console.log(`notebook bench, sshd ${info.sshHost}:${info.sshPort}, ${N} runs each, medians in ms (lower is better)`);

    // 1. %squeue cell vs the command itself.
    const cell: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < N; i++) {
      plain.push(await timed(() => cluster.exec(['squeue'])));
      cell.push(await timed(async () => {
        const r = await cluster.exec(['squeue'], { timeoutMs: 120_000 });
        commandOutputHtml('squeue', r.stdout);
      }));
    }
    console.log(`%squeue cell ${median(cell).toFixed(1)} | squeue on the open connection ${median(plain).toFixed(1)} | ratio ${(median(cell) / median(plain)).toFixed(2)}x (goal ≤ 1.2x)`);

    // 3. (first, while no server runs) run → ready kernel.
    const startMs = await timed(async () => {
      const k = await cluster.jupyter().startKernel({ cwd: remoteDir });
      await k.shutdown();
    });
    const kernelStart = await cluster.exec(['python3', '-c', LOCAL_START], { timeoutMs: 180_000 });
    const consoleMs = Number(kernelStart.stdout.trim());

    // 2. print(1) through the tunnel vs a client on the login node, on the same kernel.
    const kernel = await cluster.jupyter().startKernel({ cwd: remoteDir });
    const server = (await cluster.jupyter().runningServer())!;
    const tunnel: number[] = [];
    for (let i = 0; i < N; i++) tunnel.push(await timed(() => kernel.execute('print(1)', { onOutput: () => undefined })));
    const connectionFile = path.posix.join(path.posix.dirname(server.socketPath), 'runtime', `kernel-${kernel.id}.json`);
    const local = await cluster.exec(['python3', '-c', LOCAL_CLIENT, connectionFile, String(N)], { timeoutMs: 180_000 });
    if (local.code !== 0) throw new Error(`the login-node client failed: ${local.stderr}`);
    const localMs = Number(local.stdout.trim());
    console.log(`print(1) through the tunnel ${median(tunnel).toFixed(1)} | client on the login node ${localMs.toFixed(1)} | ratio ${(median(tunnel) / localMs).toFixed(2)}x (goal ≤ 1.5x)`);
    console.log(`run → ready kernel (server start over SSH + kernel) ${startMs.toFixed(0)} | kernel start on the login node (jupyter console's start-up) ${Number.isFinite(consoleMs) ? consoleMs.toFixed(0) : `failed: ${kernelStart.stderr.trim().split('\n').pop()}`}`);
    await kernel.shutdown();
    await cluster.exec(['rm', '-rf', path.posix.dirname(remoteDir)]);
  } finally {
    await cluster.jupyter().shutdown();
    registry.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
