/**
 * Protocol tests: the bundled server binary (dist/server.js, built by `npm run build`) over
 * stdio, driven by a real JSON-RPC/LSP client (vscode-jsonrpc).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  Hover,
  MarkupContent,
} from 'vscode-languageserver-protocol';
import { applyEdits, LspSession, serverPath } from './lspSession';
import type { ClusterSnapshot } from '../../../src/core/cluster/snapshot';

const SNAPSHOT: ClusterSnapshot = {
  version: 1,
  cluster: 'testcluster',
  partitions: [
    { name: 'debug', isDefault: true, state: 'up', maxTimeMinutes: 30, maxNodes: 2, nodes: ['n1', 'n2'], totalNodes: 2, totalCpus: 4 },
    { name: 'compute', isDefault: false, state: 'up', maxTimeMinutes: 1440, maxNodes: null, nodes: ['n1', 'n2', 'n3', 'n4'], totalNodes: 4, totalCpus: 8 },
  ],
  nodes: ['n1', 'n2', 'n3', 'n4'].map((name) => ({ name, state: 'idle', cpus: 2, realMemoryMiB: 2000, gres: [], features: ['avx2'], partitions: ['debug', 'compute'] })),
  qos: ['normal'],
};

const haveShellcheck = ((): boolean => {
  try {
    execFileSync('shellcheck', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

let dir: string;
let n = 0;
/** A fresh file: URI in a temp dir (the file itself exists, so path checks are meaningful). */
function uriFor(text: string): string {
  const file = path.join(dir, `job${++n}.sbatch`);
  fs.writeFileSync(file, text);
  return `file://${file}`;
}
const codes = (ds: Diagnostic[], source = 'sbatch') => ds.filter((d) => d.source === source).map((d) => d.code);
const items = (r: CompletionItem[] | CompletionList | null) => (Array.isArray(r) ? r : (r?.items ?? []));
const md = (h: Hover | null) => (h?.contents as MarkupContent | undefined)?.value ?? '';

before(() => {
  assert.ok(fs.existsSync(serverPath), 'dist/server.js exists: run `npm run build` first');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbatch-lsp-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('sbatch-language-server over stdio', () => {
  let s: LspSession;
  before(async () => {
    s = await LspSession.start({ initializationOptions: { shellcheck: 'off' } });
  });
  after(async () => {
    await s.stop();
  });

  test('initialize announces the features', () => {
    const caps = s.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 1, save: { includeText: false } });
    assert.ok(caps.completionProvider?.triggerCharacters?.includes('-'));
    assert.equal(caps.hoverProvider, true);
    assert.equal(caps.documentSymbolProvider, true);
    assert.ok(caps.codeActionProvider);
    assert.equal(s.initializeResult.serverInfo?.name, 'sbatch-language-server');
  });

  test('diagnostics with stable codes, ranges and source', async () => {
    const text = '#!/bin/bash\n#SBATCH --tiem=10\n#SBATCH --mail-type=BEGN\n#SBATCH -n 4\nsrun hostname\n#SBATCH --mem=4G\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    const ds = await s.waitForDiagnostics(uri);
    assert.deepEqual(codes(ds).sort(), ['directive-after-command', 'invalid-value', 'unknown-option']);
    const unknown = ds.find((d) => d.code === 'unknown-option');
    assert.deepEqual(unknown?.range, { start: { line: 1, character: 8 }, end: { line: 1, character: 14 } });
    assert.equal(unknown?.severity, 1);
    assert.match(unknown?.message ?? '', /--time/);
    const ignored = ds.find((d) => d.code === 'directive-after-command');
    assert.equal(ignored?.severity, 2);
    assert.equal(ignored?.range.start.line, 5);
    // The summary is a code lens, not a diagnostic.
    assert.ok(!codes(ds).includes('request-summary'));
  });

  test('a quick fix applied through the protocol lints clean', async () => {
    let text = '#!/bin/bash\n#SBATCH --tiem=10\n#SBATCH -n 2\nsrun hostname\n#SBATCH --mem=1G\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    let ds = await s.waitForDiagnostics(uri);
    assert.deepEqual(codes(ds).sort(), ['directive-after-command', 'unknown-option']);
    for (const [i, code] of ['unknown-option', 'directive-after-command'].entries()) {
      const d = ds.find((x) => x.code === code) as Diagnostic;
      const actions = await s.request<CodeAction[]>('textDocument/codeAction', {
        textDocument: { uri },
        range: d.range,
        context: { diagnostics: [d], only: ['quickfix'] },
      });
      assert.ok(actions.length > 0, `a fix for ${code}`);
      const fix = code === 'unknown-option' ? actions.find((a) => /--time/.test(a.title)) : actions.find((a) => a.isPreferred);
      assert.ok(fix, `${code}: ${JSON.stringify(actions.map((a) => a.title))}`);
      assert.equal(fix.kind, 'quickfix');
      assert.equal(fix.diagnostics?.[0].code, code);
      text = applyEdits(text, fix.edit?.changes?.[uri] ?? []);
      const seen = s.published.length;
      await s.change(uri, text, 2 + i);
      ds = await s.waitForDiagnostics(uri, (_d, p) => p.version === 2 + i, 30000, seen);
    }
    assert.equal(text, '#!/bin/bash\n#SBATCH --time=10\n#SBATCH -n 2\n#SBATCH --mem=1G\nsrun hostname\n');
    assert.deepEqual(ds.filter((d) => d.severity === 1 || d.severity === 2), []);
  });

  test('completion of option names, values and partitions from a pushed snapshot', async () => {
    const text = '#!/bin/bash\n#SBATCH --ti\n#SBATCH --partition=\n#SBATCH --mail-type=\n#SBATCH --output=o-%\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    const at = async (line: number, character: number) =>
      items(await s.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line, character } }));
    const options = await at(1, 12);
    const time = options.find((i) => i.label === '--time');
    assert.ok(time);
    assert.match(time.detail ?? '', /--time=/);
    const resolved = await s.request<CompletionItem>('completionItem/resolve', time);
    assert.match((resolved.documentation as MarkupContent).value, /SBATCH_TIMELIMIT/);
    assert.ok((await at(3, 20)).some((i) => i.label === 'END'));
    assert.ok((await at(4, 20)).some((i) => i.label === '%j'));
    assert.deepEqual((await at(2, 20)).map((i) => i.label), [], 'no partitions without a cluster');
    await s.notify_('hpcWorkbench/clusterSnapshot', { snapshot: SNAPSHOT });
    assert.deepEqual((await at(2, 20)).map((i) => i.label), ['debug', 'compute']);
    await s.notify_('hpcWorkbench/clusterSnapshot', { snapshot: null });
    assert.deepEqual((await at(2, 20)).map((i) => i.label), []);
  });

  test('a pushed snapshot re-lints open documents', async () => {
    const text = '#!/bin/bash\n#SBATCH --partition=gpu\n#SBATCH --time=2:00:00\nsrun hostname\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    await s.waitForDiagnostics(uri, (ds) => !codes(ds).includes('unknown-partition'));
    let seen = s.published.length;
    await s.notify_('hpcWorkbench/clusterSnapshot', { snapshot: SNAPSHOT });
    const ds = await s.waitForDiagnostics(uri, (d) => codes(d).includes('unknown-partition'), 30000, seen);
    assert.match(ds.find((d) => d.code === 'unknown-partition')?.message ?? '', /debug|compute/);
    seen = s.published.length;
    await s.notify_('hpcWorkbench/clusterSnapshot', { snapshot: null });
    await s.waitForDiagnostics(uri, (d) => !codes(d).includes('unknown-partition'), 30000, seen);
  });

  test('hover: options, filename patterns, the request summary', async () => {
    const text = '#!/bin/bash\n#SBATCH --time=01:00:00\n#SBATCH -N 2 --ntasks-per-node=4\n#SBATCH --output=%x-%j.out\nsrun hostname\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    const hover = (line: number, character: number) => s.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    const time = md(await hover(1, 11));
    assert.match(time, /--time/);
    assert.match(time, /SBATCH_TIMELIMIT/);
    assert.match(md(await hover(2, 9)), /--nodes/);
    assert.match(md(await hover(3, 21)), /Job id/i);
    assert.match(md(await hover(1, 3)), /8 CPUs|8 tasks|2 nodes/);
    assert.equal(await hover(4, 2), null);
    const lenses = await s.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 1);
    assert.match(lenses[0].command?.title ?? '', /CPU/);
  });

  test('document symbols, grouped by heterogeneous component', async () => {
    const text = '#!/bin/bash\n#SBATCH --job-name=het\n#SBATCH -n 1\n#SBATCH hetjob\n#SBATCH -n 4 --mem=1G\nsrun hostname\n';
    const uri = uriFor(text);
    await s.open(uri, text);
    const symbols = await s.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((x) => x.name), ['hetjob component 0', 'hetjob component 1']);
    assert.deepEqual(symbols[0].children?.map((c) => `${c.name} ${c.detail}`), ['--job-name het', '--ntasks 1']);
    assert.deepEqual(symbols[1].children?.map((c) => `${c.name} ${c.detail}`), ['--ntasks 4', '--mem 1G']);
    const plain = uriFor('#SBATCH -t 5\n#SBATCH --exclusive\n');
    await s.open(plain, '#SBATCH -t 5\n#SBATCH --exclusive\n');
    const flat = await s.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: plain } });
    assert.deepEqual(flat.map((x) => x.name), ['--time', '--exclusive']);
  });

  test('survives garbage: binary text, huge lines, bad positions, bad params, bad snapshots', async () => {
    const garbage = [
      Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
      '\uFEFF#SBATCH --time="unterminated\r\n#SBATCH \0\0 -n\r\n',
      '#SBATCH --output=' + 'x'.repeat(1_000_000) + '\n',
      '#SBATCH ' + '-'.repeat(50_000) + '\n#SBATCH hetjob hetjob packjob\n#SBATCH :\n',
    ];
    for (const [i, text] of garbage.entries()) {
      const uri = `untitled:garbage-${i}`;
      await s.open(uri, text);
      await s.waitForDiagnostics(uri);
      await s.request('textDocument/hover', { textDocument: { uri }, position: { line: 99, character: 99 } });
      await s.request('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 1_000_000 } });
      await s.request('textDocument/documentSymbol', { textDocument: { uri } });
      await s.request('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 5, character: 0 } }, context: { diagnostics: [] } });
      await s.close(uri);
    }
    await s.request('textDocument/hover', { textDocument: { uri: 'file:///never/opened' }, position: { line: 0, character: 0 } });
    await s.notify_('hpcWorkbench/clusterSnapshot', { snapshot: { version: 99, partitions: 'no' } });
    await s.notify_('hpcWorkbench/clusterSnapshot', null);
    await s.notify_('workspace/didChangeConfiguration', { settings: 42 });
    assert.equal(await s.request('textDocument/hover', { nonsense: true }), null);
    await assert.rejects(s.request('sbatch/noSuchMethod', {}));
    // Still answering, and still linting.
    const uri = uriFor('#SBATCH --nodes=abc\n');
    await s.open(uri, '#SBATCH --nodes=abc\n');
    const ds = await s.waitForDiagnostics(uri);
    assert.ok(ds.some((d) => d.severity === 1));
    assert.ok(s.alive);
  });
});

describe('ShellCheck through the server', { skip: !haveShellcheck && 'shellcheck not installed' }, () => {
  test('its diagnostics are merged with ours, debounced, and follow the setting', async () => {
    const s = await LspSession.start({ initializationOptions: { shellcheck: 'auto' } });
    try {
      const text = '#!/bin/bash\n#SBATCH --tiem=5\n#SBATCH --output=%x-%j.out\necho $foo\n';
      const uri = uriFor(text);
      await s.open(uri, text);
      const ds = await s.waitForDiagnostics(uri, (d) => d.some((x) => x.source === 'shellcheck'));
      assert.deepEqual(codes(ds), ['unknown-option']);
      assert.deepEqual(codes(ds, 'shellcheck').sort(), ['SC2086', 'SC2154']);
      for (const d of ds.filter((x) => x.source === 'shellcheck')) assert.equal(d.range.start.line, 3, 'no noise from #SBATCH lines');
      // ShellCheck's own fix as a code action.
      const sc2086 = ds.find((d) => d.code === 'SC2086') as Diagnostic;
      const actions = await s.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: sc2086.range, context: { diagnostics: [sc2086] } });
      const fix = actions.find((a) => /ShellCheck's fix/.test(a.title));
      assert.ok(fix);
      assert.equal(applyEdits(text, fix.edit?.changes?.[uri] ?? []).split('\n')[3], 'echo "$foo"');
      assert.ok(actions.some((a) => /Disable ShellCheck SC2086/.test(a.title)));

      // Turned off: ShellCheck's diagnostics go, ours stay.
      let seen = s.published.length;
      await s.notify_('workspace/didChangeConfiguration', { settings: { hpcWorkbench: { lint: { shellcheck: 'off' } } } });
      let after = await s.waitForDiagnostics(uri, (d) => !d.some((x) => x.source === 'shellcheck'), 30000, seen);
      assert.deepEqual(codes(after), ['unknown-option']);

      // A path that does not exist: nothing lost, nothing crashed.
      seen = s.published.length;
      await s.notify_('workspace/didChangeConfiguration', { settings: { hpcWorkbench: { lint: { shellcheck: '/nonexistent/shellcheck' } } } });
      await s.change(uri, text + 'echo $bar\n', 2);
      after = await s.waitForDiagnostics(uri, (_d, p) => p.version === 2, 30000, seen);
      assert.deepEqual(codes(after), ['unknown-option']);
      await new Promise((r) => setTimeout(r, 800));
      assert.ok(s.alive);
      assert.ok(s.logs.some((l) => /nonexistent\/shellcheck not found/.test(l)), s.logs.join('\n'));

      // Back on: ShellCheck sees the new line too.
      seen = s.published.length;
      await s.notify_('workspace/didChangeConfiguration', { settings: { hpcWorkbench: { lint: { shellcheck: 'shellcheck' } } } });
      after = await s.waitForDiagnostics(uri, (d) => d.filter((x) => x.code === 'SC2154').length === 2, 30000, seen);
      assert.deepEqual(codes(after), ['unknown-option']);
    } finally {
      await s.stop();
    }
  });
});
