/**
 * Language-server benchmark: our sbatch-language-server side by side with bash-language-server
 * (what people run on these files today), both driven over stdio by the same LSP client, on a
 * 50-line and a 5,000-line batch script.
 *
 *   npm run build && npx tsc -p . && node out/bench/lsp.js
 *
 * Measured per server and size (medians): didOpen → first publishDiagnostics, without and with
 * ShellCheck (ours runs it at once on open; bash-language-server debounces it by 500 ms); completion and hover latency on an
 * `#SBATCH --time` line; server RSS after the documents were opened; spawn → initialize.
 * Also our linter's own CPU time in-process (no protocol). Environment: HPCW_BENCH_RUNS
 * (default 7) documents opened per size (2 for the 5,000-line script with ShellCheck, which
 * takes ShellCheck itself seconds).
 *
 * Then, on a 50- and a 500-line script: last keystroke → ShellCheck's diagnostics for that text
 * (p50, p95) while typing 5 characters 60 ms apart, beside the ShellCheck CLI's own time on the
 * same text (spawn → exit), taken right before each typed document. Goal: ≤ CLI + 150 ms. HPCW_BENCH_LSP=keystroke runs only this part.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LspSession, repoRoot, serverPath } from '../test/unit/lsp/lspSession';
import { lintSbatch } from '../src/core/sbatch';

const RUNS = Math.max(3, Number(process.env.HPCW_BENCH_RUNS ?? 7));
const REQUESTS = 30;
const BASH_LS = path.join(repoRoot, 'node_modules', 'bash-language-server', 'out', 'cli.js');

const HEADER = [
  '#!/bin/bash',
  '#SBATCH --job-name=bench',
  '#SBATCH --partition=compute',
  '#SBATCH --nodes=2',
  '#SBATCH --ntasks-per-node=2',
  '#SBATCH --cpus-per-task=1',
  '#SBATCH --time=00:30:00',
  '#SBATCH --mem=1G',
  '#SBATCH --output=%x-%j.out',
  '#SBATCH --error=%x-%j.err',
  '#SBATCH --mail-type=END,FAIL',
  '#SBATCH --tiem=10',
  '',
  'set -euo pipefail',
  'echo "$undefined_setting"',
];
/** The position of "--ti|me" on the `#SBATCH --time` line. */
const TIME_POSITION = { line: 6, character: 12 };

function block(k: number): string[] {
  return [
    `# step ${k}`,
    `for i in $(seq 1 4); do`,
    `  echo "step ${k}.$i on $HOSTNAME"`,
    `  srun --ntasks=1 ./step "${k}" "$i" > "out_${k}_$i.txt"`,
    'done',
    `if [ -f "result_${k}.txt" ]; then`,
    `  cp "result_${k}.txt" "results/\${SLURM_JOB_ID}_${k}.txt"`,
    'fi',
    `mkdir -p "results/${k}"`,
    `echo "step ${k} done at $(date +%s)"`,
  ];
}

export function benchScript(lines: number): string {
  const out = [...HEADER];
  for (let k = 0; out.length < lines; k++) out.push(...block(k));
  return out.slice(0, lines).join('\n') + '\n';
}

function median(xs: number[]): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface ServerKind {
  name: string;
  start(shellcheck: boolean): Promise<LspSession>;
}

const OURS: ServerKind = {
  name: 'sbatch-language-server',
  start: (shellcheck) => LspSession.start({ args: [serverPath, '--stdio'], initializationOptions: { shellcheck: shellcheck ? 'auto' : 'off' } }),
};
const BASH_LANGUAGE_SERVER: ServerKind = {
  name: 'bash-language-server',
  start: (shellcheck) =>
    LspSession.start({
      args: [BASH_LS, 'start'],
      env: { ...process.env, SHELLCHECK_PATH: shellcheck ? 'shellcheck' : '', BACKGROUND_ANALYSIS_MAX_FILES: '0', EXPLAINSHELL_ENDPOINT: '' },
    }),
};

interface Result {
  startupMs: number;
  firstDiagnosticsMs: number;
  /** Documents whose diagnostics never came (within 45 s). */
  timeouts: number;
  completionMs: number;
  hoverMs: number;
  completionItems: number;
  hoverFound: boolean;
  rssMiB: number;
}

let docCounter = 0;

/** didOpen → the first publication for that document matching `pred`. */
async function timeToDiagnostics(s: LspSession, text: string, languageId: string, pred: (sources: string[]) => boolean): Promise<number> {
  const uri = `file:///tmp/hpcw-bench/${++docCounter}/job.sh`;
  const seen = s.published.length;
  const t0 = performance.now();
  const waiting = s.waitForDiagnostics(uri, (d) => pred(d.map((x) => x.source ?? '')), 45_000, seen);
  await s.open(uri, text, languageId);
  let ms = NaN;
  try {
    await waiting;
    ms = performance.now() - t0;
  } catch {
    // No matching publication: e.g. ShellCheck timed out inside the server (reported as "timeout").
  }
  await s.close(uri);
  return ms;
}

async function measure(kind: ServerKind, text: string, withShellcheck: boolean, runs = RUNS): Promise<Result> {
  const t0 = performance.now();
  const s = await kind.start(withShellcheck);
  const startupMs = performance.now() - t0;
  const languageId = kind === OURS ? 'sbatch' : 'shellscript';
  try {
    const pred = withShellcheck ? (sources: string[]) => sources.includes('shellcheck') : () => true;
    // One warm-up document, then the measured ones.
    await timeToDiagnostics(s, text, languageId, pred);
    const diag: number[] = [];
    for (let i = 0; i < runs; i++) diag.push(await timeToDiagnostics(s, text, languageId, pred));

    // Requests on one open document.
    const uri = `file:///tmp/hpcw-bench/${++docCounter}/requests.sh`;
    await s.open(uri, text, languageId);
    await s.waitForDiagnostics(uri, () => true, 60_000).catch(() => undefined);
    const completion: number[] = [];
    const hover: number[] = [];
    let completionItems = 0;
    let hoverFound = false;
    for (let i = 0; i < REQUESTS; i++) {
      let t = performance.now();
      const c = await s.request<{ items?: unknown[] } | unknown[] | null>('textDocument/completion', { textDocument: { uri }, position: TIME_POSITION });
      completion.push(performance.now() - t);
      completionItems = Array.isArray(c) ? c.length : (c?.items?.length ?? 0);
      t = performance.now();
      const h = await s.request<unknown>('textDocument/hover', { textDocument: { uri }, position: TIME_POSITION });
      hover.push(performance.now() - t);
      hoverFound = h !== null;
    }
    return {
      startupMs,
      firstDiagnosticsMs: median(diag),
      timeouts: diag.filter((x) => !Number.isFinite(x)).length,
      completionMs: median(completion),
      hoverMs: median(hover),
      completionItems,
      hoverFound,
      rssMiB: s.rssKiB() / 1024,
    };
  } finally {
    await s.stop();
  }
}

function lintCpuMs(text: string): number {
  lintSbatch(text);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    lintSbatch(text);
    times.push(performance.now() - t);
  }
  return median(times);
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const fd = (r: Result) => (r.timeouts === 0 ? f(r.firstDiagnosticsMs) : Number.isFinite(r.firstDiagnosticsMs) ? `${f(r.firstDiagnosticsMs)} (${r.timeouts} timeouts)` : 'timeout');
const ratio = (theirs: number, ours: number) => (Number.isFinite(theirs) && Number.isFinite(ours) && ours > 0 ? `${(theirs / ours).toFixed(1)}×` : 'n/a');

function percentile(xs: number[], p: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The ShellCheck CLI on `text` from stdin, as our server runs it: spawn → exit (ms). */
function cliMs(text: string): number {
  const t = performance.now();
  spawnSync('shellcheck', ['--format=json1', '--shell=bash', '--color=never', '-'], { input: text, stdio: ['pipe', 'ignore', 'ignore'] });
  return performance.now() - t;
}

/**
 * Typing at the end of the script: each keystroke adds a letter to an unassigned variable, so
 * ShellCheck's SC2154 message names exactly the text it saw. Time from the last keystroke's
 * didChange to the publication holding ShellCheck's answer for that version.
 */
async function keystrokeToShellcheck(text: string, runs: number): Promise<{ typed: number[]; cli: number[] }> {
  const s = await OURS.start(true);
  const times: number[] = [];
  const cli: number[] = [];
  try {
    for (let r = 0; r < runs + 1; r++) {
      const uri = `file:///tmp/hpcw-bench/${++docCounter}/typing.sh`;
      let name = `v${r}_`;
      const textFor = (n: string) => `${text}echo "$${n}"\n`;
      // The CLI on the same text right before, so that both see the same load.
      if (r > 0) cli.push(cliMs(textFor(`${name}abcde`)));
      await s.open(uri, textFor(name), 'sbatch', 1);
      await s.waitForDiagnostics(uri, (d) => d.some((x) => x.source === 'shellcheck' && x.message.startsWith(`${name} `)), 60_000);
      let version = 1;
      let t0 = 0;
      for (const ch of 'abcde') {
        name += ch;
        version++;
        const seen = s.published.length;
        t0 = performance.now();
        await s.change(uri, textFor(name), version);
        if (ch !== 'e') await new Promise((res) => setTimeout(res, 60));
        else {
          const want = `${name} `;
          const v = version;
          await s.waitForDiagnostics(uri, (d, p) => p.version === v && d.some((x) => x.source === 'shellcheck' && x.message.startsWith(want)), 60_000, seen);
        }
      }
      const ms = performance.now() - t0;
      if (r > 0) times.push(ms); // the first document warms up
      await s.close(uri);
    }
  } finally {
    await s.stop();
  }
  return { typed: times, cli };
}

async function keystrokeSection(): Promise<void> {
  const rows: string[][] = [];
  for (const lines of [50, 500]) {
    const text = benchScript(lines);
    cliMs(text);
    const { typed, cli } = await keystrokeToShellcheck(text, RUNS);
    const cliP50 = percentile(cli, 50);
    rows.push([
      `${lines} lines`,
      f(percentile(typed, 50)),
      f(percentile(typed, 95)),
      f(cliP50),
      f(percentile(cli, 95)),
      `${f(percentile(typed, 50) - cliP50)} / ${f(percentile(typed, 95) - cliP50)}`,
      f(percentile(typed, 95) - percentile(cli, 95)),
    ]);
  }
  const header = ['size', 'keystroke→ShellCheck p50 (ms)', 'p95', 'CLI p50 (ms)', 'CLI p95', 'over CLI p50 (p50 / p95)', 'p95 over CLI p95'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(`\nLast keystroke → ShellCheck diagnostics (5 keystrokes 60 ms apart, ${RUNS} documents), beside the CLI on the same text:`);
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('Goal: over CLI ≤ 150 ms. Ours waits after a change a quarter of the last run\'s duration (15–100 ms);');
  console.log('a run made stale by a newer keystroke is killed.');
}

async function main(): Promise<void> {
  let shellcheckVersion = 'not installed';
  try {
    shellcheckVersion = /version: (\S+)/.exec(execFileSync('shellcheck', ['--version'], { encoding: 'utf8' }))?.[1] ?? '?';
  } catch {
    // measured without ShellCheck
  }
  const bashLsVersion = execFileSync(process.execPath, [BASH_LS, '--version'], { encoding: 'utf8' }).trim();
  console.log(`load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs`);
  console.log(`LSP benchmark: ${RUNS} documents per size, ${REQUESTS} requests; node ${process.version}, bash-language-server ${bashLsVersion}, shellcheck ${shellcheckVersion}`);
  if (process.env.HPCW_BENCH_LSP === 'keystroke') {
    if (shellcheckVersion !== 'not installed') await keystrokeSection();
    return;
  }

  const rows: string[][] = [];
  for (const lines of [50, 5000]) {
    const text = benchScript(lines);
    const ours = await measure(OURS, text, false);
    const theirs = await measure(BASH_LANGUAGE_SERVER, text, false);
    let oursSc: Result | undefined;
    let theirsSc: Result | undefined;
    if (shellcheckVersion !== 'not installed') {
      const runs = lines > 1000 ? 2 : RUNS;
      oursSc = await measure(OURS, text, true, runs);
      theirsSc = await measure(BASH_LANGUAGE_SERVER, text, true, runs);
    }
    const cpu = lintCpuMs(text);
    const L = `${lines} lines`;
    rows.push(
      [L, 'didOpen → diagnostics, no ShellCheck (ms)', fd(ours), fd(theirs), ratio(theirs.firstDiagnosticsMs, ours.firstDiagnosticsMs)],
      ...(oursSc && theirsSc
        ? [[L, 'didOpen → diagnostics incl. ShellCheck (ms)', fd(oursSc), fd(theirsSc), ratio(theirsSc.firstDiagnosticsMs, oursSc.firstDiagnosticsMs)]]
        : []),
      [L, 'completion on #SBATCH --ti| (ms)', f(ours.completionMs, 2), f(theirs.completionMs, 2), ratio(theirs.completionMs, ours.completionMs)],
      [L, '  items returned', String(ours.completionItems), String(theirs.completionItems), ''],
      [L, 'hover on --time (ms)', f(ours.hoverMs, 2), f(theirs.hoverMs, 2), ratio(theirs.hoverMs, ours.hoverMs)],
      [L, '  hover found', ours.hoverFound ? 'yes' : 'no', theirs.hoverFound ? 'yes' : 'no', ''],
      [L, 'server RSS after the run (MiB)', f(ours.rssMiB), f(theirs.rssMiB), ratio(theirs.rssMiB, ours.rssMiB)],
      [L, 'spawn → initialize result (ms)', f(ours.startupMs), f(theirs.startupMs), ratio(theirs.startupMs, ours.startupMs)],
      [L, 'our lintSbatch CPU time in-process (ms)', f(cpu, 3), '', ''],
    );
  }
  const header = ['size', 'metric (median)', 'ours', 'bash-ls', 'bash-ls/ours'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log('\n"ratio" > 1 means bash-language-server takes longer (or uses more memory) than ours.');
  console.log('With ShellCheck: ours runs it at once on open, bash-language-server after 500 ms (debounce); included.');
  console.log('"timeout": no diagnostics within 45 s (bash-language-server gives ShellCheck 10 s and then publishes');
  console.log('nothing; ours gives it 30 s and keeps its own diagnostics).');
  if (shellcheckVersion !== 'not installed') await keystrokeSection();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
