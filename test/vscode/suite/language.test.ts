/**
 * The SBATCH language inside a real VS Code: the language server starts when a script opens,
 * its diagnostics reach the Problems model with our codes, a quick fix applies, and
 * completion, hover and ShellCheck work through VS Code's own provider commands.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'hpc-workbench.hpc-workbench';

/** Polls `read` until `accept` holds or `timeoutMs` passes; returns the last value read. */
async function waitFor<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

const codeOf = (d: vscode.Diagnostic): string =>
  typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? '');

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sbatch');
}

suite('SBATCH language server', () => {
  let dir: string;

  suiteSetup(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-language-'));
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, text: string): Promise<vscode.TextDocument> {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc);
    return doc;
  }

  test('diagnostics with our codes, and a quick fix that clears them', async () => {
    const doc = await open('broken.sbatch', '#!/bin/bash\n#SBATCH --tiem=00:10:00\n#SBATCH --ntasks=2\nsrun hostname\n');
    assert.equal(doc.languageId, 'sbatch');
    const diagnostics = await waitFor(() => ours(doc.uri), (ds) => ds.some((d) => codeOf(d) === 'unknown-option'), 30_000);
    const unknown = diagnostics.find((d) => codeOf(d) === 'unknown-option');
    assert.ok(unknown, `unknown-option reported; got ${JSON.stringify(diagnostics.map(codeOf))}`);
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(unknown.range.start.line, 1);
    assert.equal(unknown.range.start.character, 8);

    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, unknown.range);
    const fix = actions.find((a) => a.kind?.value === 'quickfix' && /--time/.test(a.title));
    assert.ok(fix?.edit, `a quick fix to --time among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.lineAt(1).text, '#SBATCH --time=00:10:00');

    const after = await waitFor(() => ours(doc.uri), (ds) => !ds.some((d) => codeOf(d) === 'unknown-option'));
    assert.deepEqual(after.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map(codeOf), []);
  });

  test('completion of option names and values', async () => {
    const doc = await open('complete.sbatch', '#!/bin/bash\n#SBATCH --ti\n#SBATCH --mail-type=\nsrun hostname\n');
    const names = await waitFor(
      async () => await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(1, 12)),
      (list) => list.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === '--time'),
    );
    assert.ok(names.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === '--time'));
    const values = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(2, 20));
    assert.ok(values.items.some((i) => (typeof i.label === 'string' ? i.label : i.label.label) === 'END'));
  });

  test('hover documents an option', async () => {
    const doc = await open('hover.sbatch', '#!/bin/bash\n#SBATCH --time=01:00:00\nsrun hostname\n');
    const hovers = await waitFor(
      async () => await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, new vscode.Position(1, 11)),
      (hs) => hs.length > 0,
    );
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(text, /--time/);
    assert.match(text, /SBATCH_TIMELIMIT/);
  });

  test('ShellCheck findings on the body are merged with ours', async function () {
    if (!fs.existsSync('/usr/bin/shellcheck') && !process.env.PATH?.split(':').some((p) => fs.existsSync(path.join(p, 'shellcheck')))) {
      this.skip();
    }
    const doc = await open('body.sbatch', '#!/bin/bash\n#SBATCH --ntasks=2\necho $undefined_variable\n');
    const all = await waitFor(() => vscode.languages.getDiagnostics(doc.uri), (ds) => ds.some((d) => d.source === 'shellcheck'), 30_000);
    const sc = all.filter((d) => d.source === 'shellcheck');
    assert.ok(sc.some((d) => codeOf(d) === 'SC2154'), JSON.stringify(sc.map(codeOf)));
    assert.ok(sc.every((d) => d.range.start.line === 2), 'no noise from #SBATCH lines');
  });
});
