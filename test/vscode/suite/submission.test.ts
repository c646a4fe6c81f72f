/**
 * Remote submission inside a real VS Code against the sandbox cluster, through the commands:
 * sync the workspace, submit the mpi4py job (2 nodes), see it in the Jobs view, follow its
 * output in the live document until it ends, validate a broken script on the cluster.
 * Uses the ssh cluster when VS Code runs with HOME = the sandbox's client home (as the explorer
 * suite does), else the same cluster through transport "local".
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';

interface JobRef {
  cluster: string;
  jobId: string;
}

interface TreeDump {
  label: string;
  jobId?: string;
  children?: TreeDump[];
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function findJob(items: TreeDump[] | undefined, jobId: string): TreeDump | undefined {
  for (const item of items ?? []) {
    if (item.jobId === jobId) return item;
    const found = findJob(item.children, jobId);
    if (found) return found;
  }
  return undefined;
}

suite('submission', () => {
  /** A file of the remote copy of the workspace, read with the ssh CLI or directly. */
  function remoteText(relative: string): string {
    if (remoteDir!.startsWith('~')) {
      return execFileSync('ssh', ['-F', path.join(info.clientHome, '.ssh', 'config'), '-o', 'BatchMode=yes', info.sshAlias, `cat ${remoteDir}/'${relative}'`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    }
    return fs.readFileSync(path.join(remoteDir!, relative), 'utf8');
  }

  let info: SandboxInfo;
  let cluster: string;
  let remoteDir: string | undefined;
  const config = () => vscode.workspace.getConfiguration('hpcWorkbench');
  const folder = () => vscode.workspace.workspaceFolders![0];
  const fileIn = (...parts: string[]) => vscode.Uri.file(path.join(folder().uri.fsPath, ...parts));

  suiteSetup(async function () {
    this.timeout(60_000);
    info = loadSandbox();
    await vscode.extensions.getExtension('hpc-workbench.hpc-workbench')?.activate();
    if (os.homedir() === info.clientHome) {
      cluster = 'sandbox-ssh';
      remoteDir = `~/hpcw-vscode-submit-${randomBytes(4).toString('hex')}`;
      await config().update('clusters', [{ name: cluster, host: info.sshAlias, remoteDir }], vscode.ConfigurationTarget.Global);
    } else {
      cluster = 'sandbox-local';
      remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-vscode-submit-'));
      await config().update('clusters', [{ name: cluster, transport: 'local', slurmConf: info.slurmConf, remoteDir }], vscode.ConfigurationTarget.Global);
    }
    await config().update('refreshInterval', 600, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    if (remoteDir && !remoteDir.startsWith('~')) fs.rmSync(remoteDir, { recursive: true, force: true });
    else if (remoteDir) execFileSync('ssh', ['-F', path.join(info.clientHome, '.ssh', 'config'), '-o', 'BatchMode=yes', info.sshAlias, `rm -rf ${remoteDir}`]);
  });

  test('Sync Workspace uploads the folder, then nothing when nothing changed', async function () {
    this.timeout(60_000);
    const first = (await vscode.commands.executeCommand('hpcWorkbench.syncWorkspace', { cluster })) as { uploaded: string[]; unchanged: number };
    assert.ok(first.uploaded.includes('mpi/pi.py'), JSON.stringify(first.uploaded));
    assert.ok(first.uploaded.includes('jobs/mpi_pi.sbatch'));
    const again = (await vscode.commands.executeCommand('hpcWorkbench.syncWorkspace', { cluster })) as { uploaded: string[]; unchanged: number };
    assert.deepEqual(again.uploaded, []);
    assert.equal(again.unchanged, first.uploaded.length + first.unchanged);
  });

  test('Submit Job runs the mpi4py job; it shows in the Jobs view; its output is followed until it ends', async function () {
    this.timeout(120_000);
    const uri = fileIn('jobs', 'mpi_pi.sbatch');
    const ref = (await vscode.commands.executeCommand('hpcWorkbench.submitJob', { uri, cluster, confirm: false })) as JobRef;
    assert.equal(ref.cluster, cluster);
    assert.match(ref.jobId, /^\d+$/);

    await vscode.commands.executeCommand('hpcWorkbench.refresh');
    await until('the job in the Jobs view', async () => {
      const trees = (await vscode.commands.executeCommand('hpcWorkbench._treeSnapshot').then(undefined, () => undefined)) as { jobs: TreeDump[] } | undefined;
      if (!trees) return true; // the explorer's snapshot command is not there: nothing to check
      return findJob(trees.jobs, ref.jobId) ? true : undefined;
    }, 30_000);

    const shown = (await vscode.commands.executeCommand('hpcWorkbench.showJobOutput', ref)) as { stdout: string };
    assert.ok(shown?.stdout, 'the output document was opened');
    const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(shown.stdout));
    const text = await until('the job to end with its output', () => {
      const now = document.getText();
      return /^# Job \d+ on .*ended/.test(now) ? now : undefined;
    }, 90_000).catch((error: Error) => {
      throw new Error(`${error.message}; the document holds:\n${document.getText().slice(0, 2000)}`);
    });
    assert.match(text.split('\n')[0], new RegExp(`^# Job ${ref.jobId} on ${cluster}: (COMPLETED|ENDED)`), text.split('\n')[0]);
    assert.match(text, /pi ~= 3\.14159\d+ .* on 4 ranks/);
    assert.equal(text.match(/^rank \d of 4 on /gm)?.length, 4, text);

    // Download Job Outputs: the output file lands at the same relative path; a local edit is not overwritten silently.
    const written = (await vscode.commands.executeCommand('hpcWorkbench.downloadOutputs', { ...ref, confirm: false })) as string[];
    const local = path.join(folder().uri.fsPath, `mpi-pi-${ref.jobId}.out`);
    assert.deepEqual(written, [local]);
    assert.match(fs.readFileSync(local, 'utf8'), /pi ~= 3\.14159/);
    fs.writeFileSync(local, 'my notes\n');
    const again = (await vscode.commands.executeCommand('hpcWorkbench.downloadOutputs', { ...ref, confirm: false })) as string[];
    assert.deepEqual(again, []);
    assert.equal(fs.readFileSync(local, 'utf8'), 'my notes\n');
  });

  test('with sync.onSave, a saved file is uploaded', async function () {
    this.timeout(60_000);
    await config().update('sync.onSave', true, vscode.ConfigurationTarget.Global);
    try {
      const uri = fileIn('mpi', 'pi.py');
      const document = await vscode.workspace.openTextDocument(uri);
      const marker = `# saved ${randomBytes(4).toString('hex')}`;
      const edit = new vscode.WorkspaceEdit();
      edit.insert(uri, new vscode.Position(0, 0), `${marker}\n`);
      assert.ok(await vscode.workspace.applyEdit(edit));
      assert.ok(await document.save());
      await until('the saved file on the cluster', () => (remoteText('mpi/pi.py').startsWith(marker) ? true : undefined), 30_000);

      // Changed outside the editor (another program): the watcher uploads it too; excluded files stay local.
      fs.mkdirSync(path.join(folder().uri.fsPath, 'results', '__pycache__'), { recursive: true });
      fs.writeFileSync(path.join(folder().uri.fsPath, 'results', '__pycache__', 'x.pyc'), 'cache');
      fs.writeFileSync(path.join(folder().uri.fsPath, 'results', 'from outside.txt'), marker);
      await until('the file written outside the editor on the cluster', () => {
        try {
          return remoteText('results/from outside.txt') === marker ? true : undefined;
        } catch {
          return undefined;
        }
      }, 30_000);
      assert.throws(() => remoteText('results/__pycache__/x.pyc'));
    } finally {
      await config().update('sync.onSave', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  test('Validate on Cluster reports Slurm refusing a script as a diagnostic on the directive', async function () {
    this.timeout(60_000);
    const uri = fileIn('jobs', 'wrong-partition.sbatch');
    fs.writeFileSync(uri.fsPath, '#!/bin/bash\n#SBATCH --ntasks=1\n#SBATCH --partition=nope\nhostname\n');
    const answer = (await vscode.commands.executeCommand('hpcWorkbench.validateOnCluster', { uri, cluster })) as { ok: boolean; errors: string[] };
    assert.equal(answer.ok, false);
    const diagnostics = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'sbatch --test-only');
    assert.ok(diagnostics.length > 0, 'a diagnostic from the cluster');
    assert.equal(diagnostics[0].range.start.line, 2);
    assert.match(diagnostics[0].message, /partition/i);

    const good = (await vscode.commands.executeCommand('hpcWorkbench.validateOnCluster', { uri: fileIn('jobs', 'hello.sbatch'), cluster })) as { ok: boolean; startTime?: string };
    assert.equal(good.ok, true);
    assert.match(good.startTime ?? '', /^\d{4}-/);
  });
});
