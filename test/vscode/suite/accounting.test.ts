/**
 * Accounting inside a real VS Code against the sandbox with slurmdbd (`sandbox.sh up --accounting
 * slurmdbd`; skipped otherwise): a job that over-asks (test/fixtures/accounting/rightsize.sbatch:
 * 300 MiB of --mem=1000M, 72 s of --time=10:00) is submitted with Submit Job; when it ends, the
 * History group of the Jobs view shows it with its efficiency (while it runs, its tooltip its live
 * use from sstat), the script shows right-sizing
 * diagnostics, and the quick fix edits the request line (after which the advice is gone: the
 * request changed since that job).
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';

interface TreeDump {
  label: string;
  description: string;
  contextValue: string;
  jobId?: string;
  children?: TreeDump[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function find(items: TreeDump[] | undefined, pred: (t: TreeDump) => boolean): TreeDump | undefined {
  for (const item of items ?? []) {
    if (pred(item)) return item;
    const found = find(item.children, pred);
    if (found) return found;
  }
  return undefined;
}

suite('accounting', () => {
  let info: SandboxInfo;
  let cluster: string;
  const config = () => vscode.workspace.getConfiguration('hpcWorkbench');
  const folder = () => vscode.workspace.workspaceFolders![0];
  const script = () => vscode.Uri.file(path.join(folder().uri.fsPath, 'jobs', 'rightsize.sbatch'));

  suiteSetup(async function () {
    this.timeout(60_000);
    info = loadSandbox();
    if (info.accounting !== 'slurmdbd') this.skip();
    await vscode.extensions.getExtension('hpc-workbench.hpc-workbench')?.activate();
    fs.copyFileSync(path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'accounting', 'rightsize.sbatch'), script().fsPath);
    if (os.homedir() === info.clientHome) {
      cluster = 'sandbox-ssh';
      await config().update('clusters', [{ name: cluster, host: info.sshAlias, remoteDir: `~/hpcw-vscode-acct-${randomBytes(4).toString('hex')}` }], vscode.ConfigurationTarget.Global);
    } else {
      cluster = 'sandbox-local';
      const remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-vscode-acct-'));
      await config().update('clusters', [{ name: cluster, transport: 'local', slurmConf: info.slurmConf, remoteDir }], vscode.ConfigurationTarget.Global);
    }
    await config().update('refreshInterval', 3, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
  });

  test('a finished over-asking job: History item with efficiency, right-sizing diagnostics, the quick fix edits the line', async function () {
    this.timeout(300_000);
    const doc = await vscode.workspace.openTextDocument(script());
    await vscode.window.showTextDocument(doc);
    const ref = (await vscode.commands.executeCommand('hpcWorkbench.submitJob', { uri: script(), cluster, confirm: false })) as { jobId: string };
    assert.match(ref.jobId, /^\d+$/);

    // While it runs, its tooltip (resolved on hover, not read by the refresh) carries its live use.
    const tooltip = await until(
      'the running job\'s tooltip with its live use',
      async () => {
        const t = (await vscode.commands.executeCommand('hpcWorkbench._jobTooltip', { cluster, jobId: ref.jobId })) as string | undefined;
        return t && /^Live \(sstat\) step batch: 1 task\(s\)/m.test(t) ? t : undefined;
      },
      120_000,
    );
    assert.match(tooltip, new RegExp(`^Job ${ref.jobId} "`));

    // The history is fetched when the job ends (no per-refresh sacct): the item shows its efficiency.
    const item = await until(
      'the job in the History group',
      async () => {
        const trees = (await vscode.commands.executeCommand('hpcWorkbench._treeSnapshot')) as { jobs: TreeDump[] };
        const history = find(trees.jobs, (t) => t.contextValue === 'jobGroup.history');
        return find(history?.children, (t) => t.jobId === ref.jobId && /COMPLETED/.test(t.description));
      },
      240_000,
    );
    assert.match(item.description, /CPU \d+% of 1 · memory 3\d% of 1000M · time \d+% of 10:00/);

    const diags = await until('the right-sizing diagnostics', () => {
      const d = vscode.languages.getDiagnostics(script()).filter((x) => String(x.code).startsWith('right-size-'));
      return d.length === 2 ? d : undefined;
    });
    const mem = diags.find((d) => d.code === 'right-size-memory');
    assert.ok(mem);
    assert.equal(mem.severity, vscode.DiagnosticSeverity.Information);
    assert.match(mem.message, new RegExp(`^job ${ref.jobId} peaked at 3\\d\\dM of the 1000M asked: --mem=512M$`));

    const actions = (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', script(), mem.range)) as vscode.CodeAction[];
    const fix = actions.find((a) => a.title === 'Set --mem=512M');
    assert.ok(fix?.edit, `quick fixes: ${actions.map((a) => a.title).join(', ')}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.lineAt(mem.range.start.line).text, '#SBATCH --mem=512M');
    // The request lines changed since that job: its advice no longer applies.
    await until('the advice to go', () => (vscode.languages.getDiagnostics(script()).some((x) => String(x.code).startsWith('right-size-')) ? undefined : true), 10_000);
  });
});
