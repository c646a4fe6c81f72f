/**
 * Activation benchmark: how long HPC Workbench takes to activate inside a real VS Code
 * (code-server, through test/vscode-runner/code), side by side with built-in extensions of
 * the same kind, and how big its bundles are.
 *
 *   npm run build && npx tsc -p . && node out/bench/activation.js
 *
 * Environment: HPCW_BENCH_RUNS (default 3) fresh code-server starts; HPCW_VSCODE_PATH runs a
 * desktop VS Code executable instead of the code-server stand-in.
 * "wall" is `await getExtension(id).activate()` as seen by another extension (loading the
 * bundle + activate); "activate" is the time spent inside our `activate` (its API's
 * `activationMs`).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

const root = path.resolve(__dirname, '..', '..');
// Type-only: the probe itself runs inside VS Code, in the extension host.
import type { Measured, ProbeResult } from './activationProbe';

const OURS = 'hpc-workbench.hpc-workbench';


function runProbe(workspace: string): Promise<ProbeResult> {
  const executable = process.env.HPCW_VSCODE_PATH ?? path.join(root, 'test', 'vscode-runner', 'code');
  const args = [
    workspace,
    `--extensionDevelopmentPath=${root}`,
    `--extensionTestsPath=${path.join(root, 'out', 'bench', 'activationProbe.js')}`,
    `--user-data-dir=${path.join(workspace, '..', 'user-data')}`,
    `--extensions-dir=${path.join(workspace, '..', 'extensions')}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = output.split('\n').find((l) => l.includes('HPCW_BENCH '));
      if (code !== 0 || !line) {
        reject(new Error(`probe failed (exit ${code}):\n${output.slice(-3000)}`));
        return;
      }
      resolve(JSON.parse(line.slice(line.indexOf('HPCW_BENCH ') + 'HPCW_BENCH '.length)) as ProbeResult);
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

function bundleSizes(): void {
  console.log('\nbundles (dist/):');
  for (const name of ['extension.js', 'server.js', 'sbatch-lint.js']) {
    const file = path.join(root, 'dist', name);
    if (!fs.existsSync(file)) {
      console.log(`  ${name.padEnd(16)} missing (npm run build)`);
      continue;
    }
    const data = fs.readFileSync(file);
    console.log(`  ${name.padEnd(16)} ${kib(data.length).padStart(10)}  gzip ${kib(gzipSync(data).length).padStart(9)}`);
  }
  const vsix = path.join(root, 'dist', 'hpc-workbench.vsix');
  if (fs.existsSync(vsix)) console.log(`  ${'.vsix'.padEnd(16)} ${kib(fs.statSync(vsix).size).padStart(10)}  (npm run package)`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: npm run build');
  const runs = Number(process.env.HPCW_BENCH_RUNS ?? '3') || 3;
  const byId = new Map<string, Measured[]>();
  let version = '';
  for (let i = 0; i < runs; i++) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-bench-activation-'));
    const workspace = path.join(scratch, 'workspace');
    fs.mkdirSync(workspace);
    try {
      const started = Date.now();
      const result = await runProbe(workspace);
      version = result.vscode;
      for (const m of result.results) byId.set(m.id, [...(byId.get(m.id) ?? []), m]);
      console.error(`run ${i + 1}/${runs}: ${Date.now() - started} ms (VS Code ${version} start included)`);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }

  console.log(`\nactivation in VS Code ${version} (${process.env.HPCW_VSCODE_PATH ? 'desktop' : 'code-server'}), median of ${runs} cold starts:`);
  const ours = median((byId.get(OURS) ?? []).filter((m) => m.wallMs !== undefined).map((m) => m.wallMs!));
  console.log(`  ${'extension'.padEnd(36)} ${'wall ms'.padStart(9)} ${'activate ms'.padStart(12)} ${'ours/peer'.padStart(10)}`);
  for (const [id, measured] of byId) {
    const ok = measured.filter((m) => m.wallMs !== undefined && !m.wasActive);
    if (ok.length === 0) {
      const why = measured.find((m) => m.error)?.error ?? 'already active when measured';
      console.log(`  ${id.padEnd(36)} ${why}`);
      continue;
    }
    const wall = median(ok.map((m) => m.wallMs!));
    const inside = ok.filter((m) => m.activationMs !== undefined).map((m) => m.activationMs!);
    const ratio = id === OURS ? '' : (ours / wall).toFixed(2);
    console.log(
      `  ${id.padEnd(36)} ${wall.toFixed(1).padStart(9)} ${(inside.length ? median(inside).toFixed(1) : '-').padStart(12)} ${ratio.padStart(10)}`,
    );
  }
  bundleSizes();
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
