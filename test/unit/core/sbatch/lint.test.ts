import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lintSbatch, parseSbatchScript, summarizeRequest, type SbatchDiagnostic, type TextEdit } from '../../../../src/core/sbatch';

const script = (...lines: string[]) => ['#!/bin/bash', ...lines, 'srun hostname', ''].join('\n');
const codes = (ds: SbatchDiagnostic[]) => ds.filter((d) => d.code !== 'request-summary').map((d) => d.code);

/** Applies LSP-style edits (0-based line/character) to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (l: number, c: number) => lines.slice(0, l).reduce((s, x) => s + x.length + 1, 0) + c;
  const sorted = [...edits].sort((a, b) => offset(b.range.start.line, b.range.start.character) - offset(a.range.start.line, a.range.start.character));
  let out = text;
  for (const e of sorted) {
    out = out.slice(0, offset(e.range.start.line, e.range.start.character)) + e.newText + out.slice(offset(e.range.end.line, e.range.end.character));
  }
  return out;
}

test('a clean script has only the request summary', () => {
  const ds = lintSbatch(script('#SBATCH -N 2', '#SBATCH --ntasks-per-node=2', '#SBATCH -c 2', '#SBATCH --mem=4G', '#SBATCH -t 2:00:00'));
  assert.deepEqual(codes(ds), []);
  const s = ds.find((d) => d.code === 'request-summary');
  assert.equal(s?.severity, 'information');
  assert.equal(s?.range.start.line, 1);
  assert.match(s?.message ?? '', /2 nodes × 4 tasks × 2 CPUs\/task = 8 CPUs, 4G\/node, 02:00:00 → 16\.0 core-hours/);
});

test('summarizeRequest computes nodes, tasks, CPUs, memory, time and core-hours', () => {
  const s = summarizeRequest(parseSbatchScript(script('#SBATCH -n 8 -c 4 --mem-per-cpu=1G -t 1-00:00:00 --array=1-10')));
  assert.equal(s?.tasks, 8);
  assert.equal(s?.cpus, 32);
  assert.equal(s?.totalMemoryMiB, 32 * 1024);
  assert.equal(s?.timeMinutes, 1440);
  assert.equal(s?.coreHours, 768);
  assert.equal(s?.arrayTasks, 10);
  assert.equal(summarizeRequest(parseSbatchScript('#!/bin/bash\necho\n')), undefined);
});

test('quick fix: the did-you-mean edit produces a valid option', () => {
  const text = script('#SBATCH --ntaks=4');
  const d = lintSbatch(text).find((x) => x.code === 'unknown-option');
  assert.ok(d?.fixes?.length);
  const fixed = applyEdits(text, d.fixes[0].edits);
  assert.match(fixed, /#SBATCH --ntasks=4/);
  assert.deepEqual(codes(lintSbatch(fixed)), []);
});

test('quick fix: a directive after the first command moves above it', () => {
  const text = ['#!/bin/bash', '#SBATCH -t 5', 'module load x', 'echo hi', '#SBATCH --mem=1G', 'srun a.out', ''].join('\n');
  const d = lintSbatch(text).find((x) => x.code === 'directive-after-command');
  assert.equal(d?.range.start.line, 4);
  const fixed = applyEdits(text, d?.fixes?.[0].edits ?? []);
  assert.equal(fixed, ['#!/bin/bash', '#SBATCH -t 5', '#SBATCH --mem=1G', 'module load x', 'echo hi', 'srun a.out', ''].join('\n'));
  assert.deepEqual(codes(lintSbatch(fixed)), []);
});

test('quick fix: #SBTACH, "# SBATCH" and indented directives become real ones', () => {
  for (const line of ['#SBTACH --mem=1G', '# SBATCH --mem=1G', '#Sbatch --mem=1G', '   #SBATCH --mem=1G']) {
    const text = script('#SBATCH -t 5', line);
    const d = lintSbatch(text).find((x) => x.code === 'misspelled-directive' || x.code === 'indented-directive');
    assert.ok(d, line);
    const fixed = applyEdits(text, d.fixes?.[0].edits ?? []);
    assert.match(fixed, /^#SBATCH --mem=1G$/m, line);
    const p = parseSbatchScript(fixed);
    assert.deepEqual(p.directives.map((x) => x.option?.long), ['time', 'mem'], line);
  }
});

test('script shape: shebang, CRLF, BOM, empty', () => {
  assert.deepEqual(codes(lintSbatch('#SBATCH -t 5\nhostname\n')), ['missing-shebang']);
  assert.deepEqual(codes(lintSbatch('#!/bin/bash\r\n#SBATCH -t 5\r\nhostname\r\n')), ['dos-line-endings']);
  assert.deepEqual(codes(lintSbatch('\uFEFF#!/bin/bash\n#SBATCH -t 5\nhostname\n')), ['byte-order-mark']);
  assert.deepEqual(codes(lintSbatch('')), ['empty-script']);
  const fix = lintSbatch('#SBATCH -t 5\n').find((d) => d.code === 'missing-shebang')?.fixes?.[0];
  assert.equal(applyEdits('#SBATCH -t 5\n', fix?.edits ?? []), '#!/bin/bash\n#SBATCH -t 5\n');
});
