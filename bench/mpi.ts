/**
 * MPI launch overhead: our local run (core launch command builder + per-rank wrapper +
 * demultiplexer + process sweep, no VS Code) versus bare `mpirun` on the same mpi4py program, with
 * the same launcher flags, runs interleaved (bare, ours, bare, ours, ...).
 *
 *   npx tsc -p . && node out/bench/mpi.js
 *
 * Environment: HPCW_BENCH_RUNS (default 10) runs of each; HPCW_BENCH_RANKS (default 4).
 * Then attribution side by side: Open MPI's own `--tag-output` versus our per-rank files on the
 * flood program (lines whose tag names a rank other than the one that wrote all of the line).
 * Programs: bench/mpi_hello.py (start-up dominated) and test/fixtures/mpi/flood.py (output
 * dominated: 4 x 300 lines, some of 70 kB). Launcher and Python detection happen once, before
 * timing (the extension caches them too).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { detectLocalLauncher as detectLauncher } from '../src/runtime/mpi/launcher';
import { buildLaunchPlan } from '../src/core/mpi/launchPlan';
import { chooseLocalPythonForMpi as choosePythonForMpi } from '../src/runtime/mpi/python';
import { startLocalRun } from '../src/runtime/mpi/run';
import { LocalTransport } from '../src/transport/local';
import { availableParallelism } from 'node:os';

const root = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.HPCW_BENCH_RUNS ?? 10);
const RANKS = Number(process.env.HPCW_BENCH_RANKS ?? 4);

function bare(argv: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; lines: number; code: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0;
    const count = (d: Buffer): void => {
      for (const b of d) if (b === 10) lines++;
    };
    child.stdout.on('data', count);
    child.stderr.on('data', count);
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - t0, lines, code }));
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const runner = new LocalTransport();
  const env = { ...process.env, SLURM_JOB_ID: undefined };
  const launcher = await detectLauncher({ setting: 'mpirun', env, runner });
  const python = (await choosePythonForMpi({ runner })).python;
  console.log(`launcher ${launcher.command} (${launcher.kind} ${launcher.version ?? ''}), ${python}, ${RANKS} ranks, ${RUNS} runs each, ${availableParallelism()} cores`);

  const programs: [string, string, string[]][] = [
    ['hello (start-up)', path.join(root, 'bench', 'mpi_hello.py'), []],
    ['flood (output, 1200 lines/run)', path.join(root, 'test', 'fixtures', 'mpi', 'flood.py'), ['300']],
  ];
  console.log('\nprogram                           bare mpirun median (mean)   ours median (mean)   ratio (median)');
  for (const [label, program, args] of programs) {
    // The same launcher flags both ways: only our wrapper, demultiplexer and sweep differ.
    const plan = buildLaunchPlan({ launcher, program, args, ranks: RANKS, python, isRoot: process.getuid?.() === 0, cores: availableParallelism() });
    const bareEnv = { ...env, ...plan.env };
    const bareMs: number[] = [];
    const oursMs: number[] = [];
    for (let i = -1; i < RUNS; i++) {
      const b = await bare(plan.argv, bareEnv);
      if (b.code !== 0) throw new Error(`bare mpirun failed (${b.code})`);
      let lines = 0;
      const t0 = performance.now();
      const run = startLocalRun({ launcher, program, args, ranks: RANKS, python }, 'mpi', { env, onLine: () => lines++ });
      const r = await run.done;
      const ms = performance.now() - t0;
      if (r.exitCode !== 0) throw new Error(`our run failed (${r.exitCode})`);
      if (lines < b.lines) throw new Error(`our run lost lines: ${lines} < ${b.lines}`);
      if (i >= 0) {
        bareMs.push(b.ms);
        oursMs.push(ms);
      }
    }
    const ratio = median(oursMs) / median(bareMs);
    console.log(
      `${label.padEnd(34)}${`${median(bareMs).toFixed(0)} ms (${mean(bareMs).toFixed(0)})`.padEnd(28)}${`${median(oursMs).toFixed(0)} ms (${mean(oursMs).toFixed(0)})`.padEnd(21)}${ratio.toFixed(3)}`,
    );
  }
}

/** Lines of flood.py output whose content is not one whole line of the rank the tag names. */
function misattributed(pairs: Iterable<[number | undefined, string]>): { lines: number; wrong: number } {
  let lines = 0;
  let wrong = 0;
  for (const [rank, text] of pairs) {
    if (rank === undefined) continue;
    lines++;
    const m = /^R (\d+) (?:out|err) \d+ (\d+) ([a-z]*)$/.exec(text);
    if (!m || Number(m[1]) !== rank || m[3].length !== Number(m[2]) || m[3] !== 'abcdefghijklmnopqrstuvwxyz'[rank % 26].repeat(m[3].length)) wrong++;
  }
  return { lines, wrong };
}

async function attribution(): Promise<void> {
  const runner = new LocalTransport();
  const env = { ...process.env, SLURM_JOB_ID: undefined };
  const launcher = await detectLauncher({ setting: 'mpirun', env, runner });
  const python = (await choosePythonForMpi({ runner })).python;
  const program = path.join(root, 'test', 'fixtures', 'mpi', 'flood.py');
  const runs = Math.min(RUNS, 5);
  const plan = buildLaunchPlan({ launcher, program, args: ['300'], ranks: RANKS, python, isRoot: process.getuid?.() === 0, cores: availableParallelism() });
  const tagged = { lines: 0, wrong: 0 };
  const ours = { lines: 0, wrong: 0 };
  for (let i = 0; i < runs; i++) {
    const argv = [plan.argv[0], '--tag-output', ...plan.argv.slice(1)];
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { env: { ...env, ...plan.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      child.stderr.on('data', (d: Buffer) => chunks.push(d));
      child.on('error', reject);
      child.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
    const pairs = out.split('\n').filter(Boolean).map((l): [number | undefined, string] => {
      const m = /^\[\d+,(\d+)\]<std(?:out|err)>:(.*)$/.exec(l);
      return m ? [Number(m[1]), m[2]] : [-1, l];
    });
    const t = misattributed(pairs);
    tagged.lines += t.lines;
    tagged.wrong += t.wrong;
    const lines: [number | undefined, string][] = [];
    const run = startLocalRun({ launcher, program, args: ['300'], ranks: RANKS, python }, 'mpi', { env, onLine: (l) => lines.push([l.rank, l.text]) });
    await run.done;
    const o = misattributed(lines);
    ours.lines += o.lines;
    ours.wrong += o.wrong;
  }
  console.log(`\nattribution over ${runs} flood runs: mpirun --tag-output ${tagged.wrong}/${tagged.lines} lines wrong or cut; ours ${ours.wrong}/${ours.lines}`);
}

main().then(attribution).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
