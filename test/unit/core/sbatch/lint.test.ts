import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseClusterSnapshot, type ClusterSnapshot } from '../../../../src/core/cluster/snapshot';
import { lintSbatch, parseSbatchScript, summarizeRequest, type SbatchDiagnostic, type TextEdit } from '../../../../src/core/sbatch';

const repo = path.resolve(__dirname, '..', '..', '..', '..', '..');
const sandbox = parseClusterSnapshot(fs.readFileSync(path.join(repo, 'test/fixtures/sbatch/sandbox-cluster.json'), 'utf8'));
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

test('warnings: duplicate with different values, deprecated packjob, hetjob in line', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -t 5', '#SBATCH --time=10'))), ['duplicate-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -t 5', '#SBATCH --time=5'))), ['redundant-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -v', '#SBATCH -v'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH packjob', '#SBATCH -n 2'))), ['deprecated-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH hetjob -n 2'))), ['hetjob-in-line']);
});

test('heterogeneous components are checked separately (no duplicate across components)', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1 --mem=1G', '#SBATCH hetjob', '#SBATCH -n 2 --mem=2G'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -n 1', '#SBATCH hetjob', '#SBATCH --mem=1G --mem-per-cpu=1G'))), ['conflicting-options']);
});

test('combinations sbatch rejects', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --mem=1G --mem-per-gpu=1G'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --cpus-per-gpu=2 -c 2'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gpus-per-task=1'))), ['conflicting-options']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gpus-per-task=1 -n 2'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -N 4 -n 2'))), ['conflicting-options']);
});

test('script shape: shebang, CRLF, BOM, empty', () => {
  assert.deepEqual(codes(lintSbatch('#SBATCH -t 5\nhostname\n')), ['missing-shebang']);
  assert.deepEqual(codes(lintSbatch('#!/bin/bash\r\n#SBATCH -t 5\r\nhostname\r\n')), ['dos-line-endings']);
  assert.deepEqual(codes(lintSbatch('\uFEFF#!/bin/bash\n#SBATCH -t 5\nhostname\n')), ['byte-order-mark']);
  assert.deepEqual(codes(lintSbatch('')), ['empty-script']);
  const fix = lintSbatch('#SBATCH -t 5\n').find((d) => d.code === 'missing-shebang')?.fixes?.[0];
  assert.equal(applyEdits('#SBATCH -t 5\n', fix?.edits ?? []), '#!/bin/bash\n#SBATCH -t 5\n');
});

test('options: removed, command-line only, abbreviated, too new for the cluster', () => {
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --workdir=/tmp'))), ['removed-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --test-only'))), ['command-line-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --job=x'))), ['abbreviated-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --nod=2'))), ['ambiguous-option']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --tres-per-task=cpu=2'))), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --tres-per-task=cpu=2'), { cluster: sandbox })), ['option-too-new']);
  // Newer values of old options (recorded: sbatch 22.05 rejects both).
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --exclusive=topo'), { cluster: sandbox })), ['option-too-new']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gres-flags=allow-task-sharing'), { cluster: sandbox })), ['option-too-new']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH --gres-flags=allow-task-sharing'))), []);
});

test('output directory check only for relative directories without patterns', () => {
  const asked: string[] = [];
  const exists = (d: string) => {
    asked.push(d);
    return d === 'logs';
  };
  const ds = lintSbatch(script('#SBATCH -o logs/%j.out -e results/err/%j.err -i %u/in'), { directoryExists: exists });
  assert.deepEqual(codes(ds), ['output-dir-missing']);
  assert.match(ds.find((d) => d.code === 'output-dir-missing')?.message ?? '', /results\/err.*does not create it/);
  assert.deepEqual(asked, ['logs', 'results/err']);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -o /abs/x.out -D /w -e rel/x'), { directoryExists: () => false })), []);
  assert.deepEqual(codes(lintSbatch(script('#SBATCH -o nodir/x.out'))), [], 'no check without a directory oracle');
});

test('cluster: partitions, time limits, sizes, features, nodes, gres', () => {
  const c = (...lines: string[]) => codes(lintSbatch(script(...lines), { cluster: sandbox }));
  assert.deepEqual(c('#SBATCH -p compute -N 4 -n 8 -t 1-00:00:00 -C bigmem --mem=2000'), []);
  assert.deepEqual(c('#SBATCH -p debug -t 31'), ['time-exceeds-partition']);
  assert.deepEqual(c('#SBATCH -t 31'), ['time-exceeds-partition'], 'the default partition is debug');
  assert.deepEqual(c('#SBATCH -p debug,compute -t 60'), [], 'one of the partitions is enough');
  assert.deepEqual(c('#SBATCH -p debgu'), ['unknown-partition']);
  assert.deepEqual(c('#SBATCH -N 3'), ['too-many-nodes']);
  assert.deepEqual(c('#SBATCH -c 3'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH --ntasks-per-node=3'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH -n 5'), ['too-many-cpus']);
  assert.deepEqual(c('#SBATCH -n 5 -O'), []);
  assert.deepEqual(c('#SBATCH --mem=2001'), ['too-much-memory']);
  assert.deepEqual(c('#SBATCH --mem-per-cpu=1500 -c 2'), ['too-much-memory']);
  assert.deepEqual(c('#SBATCH -C bigmem'), ['unknown-feature'], 'the nodes of debug (the default) have no bigmem');
  assert.deepEqual(c('#SBATCH -p compute -C "bigmem&fast"'), ['unknown-feature']);
  assert.deepEqual(c('#SBATCH -w n[1-2] -N 2'), []);
  assert.deepEqual(c('#SBATCH -w n[1-5]'), ['unknown-node']);
  assert.deepEqual(c('#SBATCH -w n3'), ['node-not-in-partition']);
  // The sandbox's GPUs: gpu:a100:2 on n1 and n2, gpu:v100:1 on n3 (5 in all).
  assert.deepEqual(c('#SBATCH --gres=gpu:1'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:a100:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:h100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -G h100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH --gres=gpu:v100:2'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH -G 5'), []);
  assert.deepEqual(c('#SBATCH -p compute', '#SBATCH -G 6'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gres=mps:1'), ['unknown-gres']);
  const fix = lintSbatch(script('#SBATCH --partition=compte'), { cluster: sandbox }).find((d) => d.code === 'unknown-partition')?.fixes?.[0];
  assert.equal(fix?.edits[0].newText, 'compute');
  assert.deepEqual(fix?.edits[0].range, { start: { line: 1, character: 20 }, end: { line: 1, character: 26 } });
});

test('cluster: GPUs, QOS and accounts', () => {
  const gpu: ClusterSnapshot = {
    ...sandbox,
    qos: ['normal', 'high'],
    accounts: ['physics'],
    nodes: sandbox.nodes.map((n) => ({ ...n, gres: [{ name: 'gpu', type: 'a100', count: 2 }] })),
  };
  const c = (...lines: string[]) => codes(lintSbatch(script(...lines), { cluster: gpu }));
  assert.deepEqual(c('#SBATCH --gres=gpu:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:a100:2'), []);
  assert.deepEqual(c('#SBATCH --gres=gpu:3'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gres=gpu:v100:1'), ['unknown-gres']);
  assert.deepEqual(c('#SBATCH -G 4'), []);
  assert.deepEqual(c('#SBATCH -G 5'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH --gpus-per-node=3'), ['too-many-gpus']);
  assert.deepEqual(c('#SBATCH -q hihg'), ['unknown-qos']);
  assert.deepEqual(c('#SBATCH -A chemistry'), ['unknown-account']);
});
