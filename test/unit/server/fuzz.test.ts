/**
 * The server's feature modules on random and mutated scripts: completion, hover, symbols and
 * code actions at random positions never throw (in the server a throw would only be logged,
 * so this is where such bugs show).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lintSbatch, parseSbatchScript } from '../../../src/core/sbatch';
import { codeActionsFor } from '../../../src/server/codeActions';
import { completionsAt } from '../../../src/server/completion';
import { cursorContext } from '../../../src/server/cursor';
import { hoverAt } from '../../../src/server/hover';
import { documentSymbols } from '../../../src/server/symbols';
import type { ClusterSnapshot } from '../../../src/core/cluster/snapshot';

/** A small deterministic PRNG (mulberry32) so that a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  '#SBATCH', ' ', '\t', '--', '-', '=', '"', "'", '\\', '#', '%', '%j', '%4a', ',', ':', 'hetjob', 'packjob',
  'time', 'partition', 'mail-type', 'output', 'gres', 'gpu:2', 'n', 'N', 'p', '10', '2-4', 'BEGIN', '\r', '\n', '\n',
  '\u00e9', '\ud83d\ude80', '\0', '\uFEFF', 'srun x', '# SBATCH', '##SBATCH', 'debug',
];

const SNAPSHOT: ClusterSnapshot = {
  version: 1, cluster: 'c',
  partitions: [{ name: 'debug', isDefault: true, state: 'up', maxTimeMinutes: 30, maxNodes: 1, nodes: ['n1'], totalNodes: 1, totalCpus: 2 }],
  nodes: [{ name: 'n1', state: 'idle', cpus: 2, realMemoryMiB: 100, gres: [{ name: 'gpu', type: 'x', count: 1 }], features: ['f'], partitions: ['debug'] }],
  qos: ['q'], accounts: ['a'],
};

test('random scripts: no feature throws', () => {
  const random = rng(20261125);
  for (let iter = 0; iter < 1500; iter++) {
    let text = '';
    const len = Math.floor(random() * 40);
    for (let i = 0; i < len; i++) text += PIECES[Math.floor(random() * PIECES.length)];
    if (random() < 0.2) text = '#!/bin/bash\n' + text;
    const doc = TextDocument.create('file:///fuzz.sbatch', 'sbatch', 1, text);
    const parsed = parseSbatchScript(text);
    const diagnostics = lintSbatch(text, { cluster: SNAPSHOT });
    documentSymbols(parsed);
    for (let k = 0; k < 5; k++) {
      const line = Math.floor(random() * (doc.lineCount + 1));
      const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, '');
      const character = Math.floor(random() * (lineText.length + 2));
      const position = { line, character };
      try {
        cursorContext(lineText, Math.min(character, lineText.length));
        completionsAt(lineText, position, random() < 0.5 ? SNAPSHOT : null);
        hoverAt(parsed, lineText, position, () => 'summary');
        codeActionsFor(doc, diagnostics, [], { start: position, end: position }, { diagnostics: [] });
      } catch (err) {
        assert.fail(`iteration ${iter}: ${JSON.stringify(text)} at ${line}:${character}: ${(err as Error).stack}`);
      }
    }
  }
});
