/**
 * The extension inside a real VS Code: it activates, gives the `sbatch` language to SBATCH
 * scripts (by extension or by their `#SBATCH` lines), and registers its views and commands.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'hpc-workbench.hpc-workbench';

interface HpcWorkbenchApi {
  readonly activationMs: number;
}

/** Polls `read` until `accept` holds or `timeoutMs` passes; returns the last value read. */
async function waitFor<T>(read: () => T, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = read();
  }
  return value;
}

function languageOf(uri: vscode.Uri): string | undefined {
  return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString())?.languageId;
}

suite('activation', () => {
  let scratch: string;

  suiteSetup(() => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the tests run with a workspace folder open');
    scratch = path.join(folder.uri.fsPath, '.activation-test');
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.mkdirSync(scratch, { recursive: true });
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  function writeFile(name: string, content: string): vscode.Uri {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, content);
    return vscode.Uri.file(file);
  }

  test('the first run honours workbench.welcomePage.walkthroughs.openOnInstall: off in the runner\'s settings, no walkthrough opens', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    assert.equal(vscode.workspace.getConfiguration('workbench.welcomePage').get('walkthroughs.openOnInstall'), false, 'the runner turns it off (test/support/codeServer.ts quietSettings)');
    const labels = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
    // The walkthrough would open right after activation: give it the chance to (a bounded wait for
    // a state that must not come).
    const seen = await waitFor(labels, (l) => l.some((label) => /Walkthrough|Welcome/.test(label)), 2000);
    assert.deepEqual(seen.filter((label) => /Walkthrough|Welcome/.test(label)), []);
  });

  test('the extension is installed and activates', async () => {
    const extension = vscode.extensions.getExtension<HpcWorkbenchApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    const api = await extension.activate();
    assert.equal(extension.isActive, true);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs >= 0);
  });

  test('the test runner passes its environment to the extension host', () => {
    // @vscode/test-cli hands the mocha options over this way: other suites rely on the same
    // path for SLURM_CONF and HPCW_* variables.
    assert.ok(process.env.VSCODE_TEST_OPTIONS, 'VSCODE_TEST_OPTIONS reached the extension host');
  });

  test('a .sbatch file is an sbatch document', async () => {
    const uri = writeFile('job.sbatch', '#!/bin/bash\n#SBATCH --ntasks=2\nsrun hostname\n');
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.languageId, 'sbatch');
  });

  test('a .sh file with #SBATCH lines becomes sbatch, one without stays shellscript', async () => {
    const plain = writeFile('plain.sh', '#!/bin/bash\necho hello\n');
    const job = writeFile('job.sh', '#!/bin/bash\n#SBATCH --job-name=demo\n#SBATCH --time=00:05:00\nsrun hostname\n');

    const plainDoc = await vscode.workspace.openTextDocument(plain);
    await vscode.window.showTextDocument(plainDoc);
    assert.equal(plainDoc.languageId, 'shellscript');

    const jobDoc = await vscode.workspace.openTextDocument(job);
    await vscode.window.showTextDocument(jobDoc);
    const jobLanguage = await waitFor(() => languageOf(job), (id) => id === 'sbatch');
    assert.equal(jobLanguage, 'sbatch', 'the extension switched job.sh to sbatch');
    // Documents are checked in the order they open: plain.sh was seen before job.sh switched.
    assert.equal(languageOf(plain), 'shellscript');
  });

  test('the HPC Workbench views can be shown', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.hpcWorkbench');
    await vscode.commands.executeCommand('hpcWorkbench.clusters.focus');
    await vscode.commands.executeCommand('hpcWorkbench.jobs.focus');
  });

  test('every command of package.json is registered', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length > 0);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands in package.json but not registered: ${missing.join(', ')}`);
  });

  test('a command called from code with a bad argument rejects with a clear message', async () => {
    await assert.rejects(
      Promise.resolve(vscode.commands.executeCommand('hpcWorkbench.syncWorkspace', { cluster: 'no-such-cluster' })),
      /No cluster named "no-such-cluster" is configured/,
    );
  });
});
