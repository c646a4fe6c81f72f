/**
 * Robustness: thousands of random and mutated scripts through the parser, linter and summary.
 * Nothing may throw, every range must lie inside the document, and no document may take long
 * (a generous 2 s bound that only catches hangs and catastrophic backtracking).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch, parseSbatchScript, summarizeRequest, OPTIONS, type SbatchDiagnostic } from '../../../../src/core/sbatch';

const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
const fixtures = path.join(repo, 'test', 'fixtures', 'sbatch');
const cluster = parseClusterSnapshot(fs.readFileSync(path.join(fixtures, 'sandbox-cluster.json'), 'utf8'));
const corpus = ['valid', 'invalid'].flatMap((d) => fs.readdirSync(path.join(fixtures, d)).map((f) => fs.readFileSync(path.join(fixtures, d, f), 'utf8')));
/**
 * 2 s per document on an idle machine. When the machine is busy (other test runs on the same
 * cores) the bound grows with a calibration loop, so that only hangs and blow-ups fail.
 */
function calibrate(): number {
  const t0 = performance.now();
  let x = 0;
  for (let i = 0; i < 1e7; i++) x = (x + i) % 1000003;
  const ms = performance.now() - t0;
  return Math.max(1, ms / 20) + (x < 0 ? 1 : 0);
}
const BOUND_MS = 2000 * calibrate();
/** Big documents re-measure the machine's speed right before they run. */
const boundFor = (text: string) => (text.length > 100_000 ? Math.max(BOUND_MS, 2000 * calibrate()) : BOUND_MS);

/** A small deterministic PRNG (mulberry32) so failures can be replayed from the seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '#SBATCH', '#SBATCH ', '#SBTACH ', '# SBATCH ', '##SBATCH ', '#SLURM ', '  #SBATCH ', '--', '-', '=', '"', "'", '\\', '#', ':', '%', '?', ',',
  ' ', '\t', '\r', '\n', '\r\n', '\uFEFF', '\0', 'hetjob', 'packjob', '[', ']', '(', ')', '&', '|', '*', '@', '+', '0', '1', '99999999999999999999',
  'n[1-3]', 'afterok:', 'singleton', 'gpu:a100:2', 'now+1hour', '1-00:00:00', '4G', 'plane=4', 'B:USR1@60', '%j', '%A_%a', 'é', '😀', '\u2028',
  ...OPTIONS.slice(0, 60).map((o) => '--' + o.long), ...OPTIONS.filter((o) => o.short).map((o) => '-' + o.short),
];

function randomScript(r: () => number): string {
  const lines: string[] = [r() < 0.9 ? '#!/bin/bash' : ''];
  const n = Math.floor(r() * 40);
  for (let i = 0; i < n; i++) {
    let line = r() < 0.7 ? '#SBATCH ' : '';
    const k = Math.floor(r() * 8);
    for (let j = 0; j < k; j++) line += PIECES[Math.floor(r() * PIECES.length)] + (r() < 0.5 ? ' ' : '');
    lines.push(line);
  }
  if (r() < 0.5) lines.push('srun hostname');
  return lines.join(r() < 0.1 ? '\r\n' : '\n');
}

function mutate(text: string, r: () => number): string {
  let s = text;
  const ops = 1 + Math.floor(r() * 6);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(r() * (s.length + 1));
    const op = Math.floor(r() * 5);
    if (op === 0) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 5));
    else if (op === 1) s = s.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + s.slice(at);
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0xffff)) + s.slice(at);
    else if (op === 3) s = s.slice(0, at) + s.slice(at).toUpperCase();
    else s = s.slice(0, at) + s.slice(Math.floor(r() * s.length)); // splice a later part earlier
  }
  return s;
}

function randomBytes(r: () => number, len: number): string {
  const bytes = Buffer.alloc(len);
  for (let i = 0; i < len; i++) bytes[i] = Math.floor(r() * 256);
  return bytes.toString('latin1');
}

function check(text: string, label: string): void {
  const bound = boundFor(text);
  const t0 = performance.now();
  let diags: SbatchDiagnostic[];
  try {
    const parsed = parseSbatchScript(text);
    summarizeRequest(parsed);
    diags = lintSbatch(text, { cluster, directoryExists: () => false });
    lintSbatch(text);
  } catch (e) {
    assert.fail(`${label}: threw ${(e as Error).stack}\n--- input (first 300 chars) ---\n${JSON.stringify(text.slice(0, 300))}`);
  }
  const ms = performance.now() - t0;
  assert.ok(ms < bound, `${label}: ${ms.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`);
  const lineCount = text.split('\n').length;
  for (const d of diags) {
    const { start, end } = d.range;
    assert.ok(start.line >= 0 && start.line < lineCount && end.line < lineCount + 1, `${label}: range outside the document: ${JSON.stringify(d)}`);
    assert.ok(start.character >= 0 && end.character >= 0, `${label}: negative character: ${JSON.stringify(d)}`);
    assert.ok(start.line < end.line || (start.line === end.line && start.character <= end.character), `${label}: reversed range ${JSON.stringify(d)}`);
    assert.equal(typeof d.message, 'string');
  }
}

test('random scripts built from directive pieces', () => {
  const r = rng(1);
  for (let i = 0; i < 3000; i++) check(randomScript(r), `random #${i} (seed 1)`);
});

test('mutations of the corpus', () => {
  const r = rng(2);
  for (let i = 0; i < 3000; i++) check(mutate(corpus[i % corpus.length], r), `mutation #${i} (seed 2)`);
});

test('garbage bytes', () => {
  const r = rng(3);
  for (let i = 0; i < 500; i++) check(randomBytes(r, Math.floor(r() * 4000)), `garbage #${i} (seed 3)`);
  for (let i = 0; i < 200; i++) check('#!/bin/bash\n#SBATCH ' + randomBytes(r, Math.floor(r() * 300)) + '\n', `garbage directive #${i}`);
});

test('extremes: 1 MB lines, 100k lines, CRLF, BOM, tabs, unterminated quotes, deep brackets', () => {
  const big = 'x'.repeat(1 << 20);
  check(`#!/bin/bash\n#SBATCH --job-name=${big}\nhostname\n`, '1 MB value');
  check(`#!/bin/bash\n#SBATCH ${'-'.repeat(1 << 20)}\n`, '1 MB of dashes');
  check(`#!/bin/bash\n#SBATCH --comment="${big}\n`, '1 MB unterminated quote');
  check(`#!/bin/bash\n#SBATCH ${'"a" '.repeat(100000)}\n`, 'many quoted words');
  check(`#!/bin/bash\n#SBATCH --constraint=${'('.repeat(100000)}a${')'.repeat(100000)}\n`, 'deep parentheses');
  check(`#!/bin/bash\n#SBATCH --nodelist=${'n[1-9],'.repeat(20000)}n1\n`, 'long host list');
  check(`#!/bin/bash\n#SBATCH --nodelist=n[1-99999999]\n`, 'huge host range');
  check(`#!/bin/bash\n#SBATCH --array=${'1,'.repeat(100000)}2\n`, 'long array');
  check(`#!/bin/bash\n#SBATCH --dependency=afterok${':1'.repeat(100000)}\n`, 'long dependency');
  check(`#!/bin/bash\n#SBATCH --time=${'1'.repeat(100000)}\n`, 'long number');
  check(`#!/bin/bash\n#SBATCH --begin=${'now '.repeat(100000)}\n`, 'long begin');
  check(`#!/bin/bash\n#SBATCH --mem-bind=${'map_mem:1,'.repeat(50000)}\n`, 'long mem-bind');
  check('#!/bin/bash\n' + '#SBATCH -t 5\n'.repeat(100000), '100k directives');
  check('#!/bin/bash\n#SBATCH -t 5\n' + 'echo "line"\n'.repeat(100000), '100k lines of body');
  check('#!/bin/bash\n#SBATCH -t 5\n' + 'echo x\n#SBATCH --mem=1G\n'.repeat(50000), '50k directives after the command');
  check('#!/bin/bash\n' + '# comment\n'.repeat(100000) + '#SBATCH -t 5\n', '100k comment lines');
  check('#!/bin/bash\r\n#SBATCH\t-t\t5\r\n\thostname\r\n', 'CRLF and tabs');
  check('\uFEFF#!/bin/bash\n#SBATCH -t 5\n', 'BOM');
  check('\n'.repeat(100000), 'only newlines');
  check('#SBATCH', 'keyword only');
  check('#!', 'shebang only');
});

test('a 5,000-line script is linted quickly enough to lint on every keystroke', () => {
  const text = '#!/bin/bash\n' + '#SBATCH -N 2 -n 4 -t 1:00:00 --mem=1G\n'.repeat(30) + 'srun ./a.out --input data.txt > out.log 2>&1\n'.repeat(4970);
  check(text, '5000 lines');
  // Informational only (no timing assertion): printed so regressions are visible in logs.
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) lintSbatch(text, { cluster });
  console.log(`# lint of a 5,000-line script: ${((performance.now() - t0) / 20).toFixed(2)} ms`);
});
