import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { completionsAt, resolveCompletion } from '../../../src/server/completion';
import type { ClusterSnapshot } from '../../../src/core/cluster/snapshot';

export const SNAPSHOT: ClusterSnapshot = {
  version: 1,
  cluster: 'testcluster',
  partitions: [
    { name: 'debug', isDefault: true, state: 'up', maxTimeMinutes: 30, maxNodes: 2, nodes: ['n1', 'n2'], totalNodes: 2, totalCpus: 4 },
    { name: 'compute', isDefault: false, state: 'up', maxTimeMinutes: 1440, maxNodes: null, nodes: ['n1', 'n2', 'n3', 'n4'], totalNodes: 4, totalCpus: 8 },
  ],
  nodes: [
    { name: 'n1', state: 'idle', cpus: 2, realMemoryMiB: 2000, gres: [{ name: 'gpu', type: 'a100', count: 2 }], features: ['avx2', 'ib'], partitions: ['debug', 'compute'] },
    { name: 'n2', state: 'idle', cpus: 2, realMemoryMiB: 2000, gres: [], features: ['avx2'], partitions: ['debug', 'compute'] },
  ],
  qos: ['normal', 'long'],
  accounts: ['physics'],
};

function complete(marked: string, snapshot?: ClusterSnapshot): CompletionItem[] {
  const i = marked.indexOf('|');
  return completionsAt(marked.slice(0, i) + marked.slice(i + 1), { line: 3, character: i }, snapshot);
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

test('long option names with their value syntax and documentation', () => {
  const items = complete('#SBATCH --ti|');
  const time = items.find((i) => i.label === '--time');
  assert.ok(time, 'offers --time');
  assert.match(time.detail ?? '', /--time=.*\(-t\)/);
  assert.equal(time.documentation, undefined, 'documentation comes with resolve');
  assert.match(JSON.stringify(resolveCompletion({ ...time }).documentation), /SBATCH_TIMELIMIT/);
  const edit = time.textEdit as TextEdit;
  assert.deepEqual(edit.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 12 } });
  assert.equal(edit.newText, '--time=');
  // A flag is inserted without "=".
  assert.equal((items.find((i) => i.label === '--requeue')?.textEdit as TextEdit).newText, '--requeue');
  assert.ok(items.length > 80, `every option is offered (${items.length})`);
});

test('short options after a single dash', () => {
  const items = complete('#SBATCH -|');
  const n = items.find((i) => i.label === '-n');
  assert.ok(n);
  assert.match(n.detail ?? '', /--ntasks/);
  assert.equal((n.textEdit as TextEdit).newText, '-n ');
});

test('enumerated values: mail types, open-mode, dependency types', () => {
  assert.ok(labels(complete('#SBATCH --mail-type=|')).includes('END'));
  assert.ok(labels(complete('#SBATCH --mail-type=BEGIN,|')).includes('FAIL'));
  assert.deepEqual(labels(complete('#SBATCH --open-mode=|')).sort(), ['append', 'truncate']);
  assert.ok(labels(complete('#SBATCH --dependency=|')).includes('afterok:'));
});

test('cluster values from the snapshot: partitions, QOS, accounts, gres, features, nodes', () => {
  assert.deepEqual(labels(complete('#SBATCH --partition=|')), []);
  const parts = complete('#SBATCH --partition=|', SNAPSHOT);
  assert.deepEqual(labels(parts), ['debug', 'compute']);
  assert.match(parts[0].detail ?? '', /MaxTime 00:30:00/);
  assert.deepEqual(labels(complete('#SBATCH -p |', SNAPSHOT)), ['debug', 'compute']);
  assert.deepEqual(labels(complete('#SBATCH --qos=|', SNAPSHOT)), ['normal', 'long']);
  assert.deepEqual(labels(complete('#SBATCH -A |', SNAPSHOT)), ['physics']);
  assert.deepEqual(labels(complete('#SBATCH --gres=|', SNAPSHOT)), ['gpu', 'gpu:a100']);
  assert.deepEqual(labels(complete('#SBATCH --constraint=avx2&|', SNAPSHOT)), ['avx2', 'ib']);
  assert.deepEqual(labels(complete('#SBATCH --nodelist=|', SNAPSHOT)), ['n1', 'n2']);
});

test('% filename patterns in --output, replacing the typed %', () => {
  const items = complete('#SBATCH --output=logs/%|');
  const j = items.find((i) => i.label === '%j');
  assert.ok(j);
  assert.deepEqual((j.textEdit as TextEdit).range, { start: { line: 3, character: 22 }, end: { line: 3, character: 23 } });
  assert.ok(labels(items).includes('%A') && labels(items).includes('%x'));
  assert.ok(!labels(complete('#SBATCH --job-name=x%|')).includes('%j'), 'not in other options');
});

test('no completion in the shell body or in comments', () => {
  assert.deepEqual(complete('srun --ti|'), []);
  assert.deepEqual(complete('#SBATCH --time=5 # --ti|'), []);
});

test('the keyword at the start of a line', () => {
  const items = complete('#SB|');
  assert.deepEqual(labels(items), ['#SBATCH']);
});
