/**
 * Slurm notebooks inside a real VS Code (code-server) against the sandbox: the controller of the
 * configured cluster runs magic cells (tables, errors, hostile arguments that execute nothing),
 * the sample notebook runs top to bottom (its %%sbatch job followed live to COMPLETED, its Python
 * cell plotting the job's file in a Jupyter kernel on the login node while the job runs), Python
 * cells give tracebacks, answer input(), are interrupted, restart; without Jupyter the cell names
 * what to install while magics keep working; interrupting a job cell cancels the job, and
 * %%sbatch cells are linted like scripts.
 * Uses the ssh cluster when VS Code runs with HOME = the sandbox's client home, else transport "local".
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? `; ${detail()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const ERROR_MIME = 'application/vnd.code.notebook.error';
const STDOUT_MIME = 'application/vnd.code.notebook.stdout';

/** ANSI colours removed (IPython colours tracebacks). */
const plain = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

/** The error outputs of a cell as "name: message\nstack" (colours removed). */
function errorsOf(cell: vscode.NotebookCell): string {
  const decoder = new TextDecoder();
  return cell.outputs
    .flatMap((o) => o.items)
    .filter((i) => i.mime === ERROR_MIME)
    .map((i) => {
      const e = JSON.parse(decoder.decode(i.data)) as { name: string; message: string; stack?: string };
      return plain(`${e.name}: ${e.message}\n${e.stack ?? ''}`);
    })
    .join('\n');
}

function stdoutOf(cell: vscode.NotebookCell): string {
  const decoder = new TextDecoder();
  return cell.outputs.flatMap((o) => o.items).filter((i) => i.mime === STDOUT_MIME).map((i) => decoder.decode(i.data)).join('');
}

function mimesOf(cell: vscode.NotebookCell): string[] {
  return cell.outputs.flatMap((o) => o.items.map((i) => i.mime));
}

/** Every output item of a cell as text (plain text, HTML, and errors as "name: message"). */
function outputsOf(cell: vscode.NotebookCell, mime = 'text/plain'): string {
  const decoder = new TextDecoder();
  return cell.outputs
    .flatMap((o) => o.items)
    .map((item) => {
      if (item.mime === ERROR_MIME) {
        const e = JSON.parse(decoder.decode(item.data)) as { name: string; message: string };
        return mime === ERROR_MIME || mime === 'text/plain' ? `${e.name}: ${e.message}` : '';
      }
      if (item.mime === mime || (mime === 'text/plain' && item.mime === 'application/vnd.code.notebook.stderr')) return decoder.decode(item.data);
      return '';
    })
    .filter((text) => text !== '')
    .join('\n');
}

function hasError(cell: vscode.NotebookCell): boolean {
  return cell.outputs.some((o) => o.items.some((i) => i.mime === ERROR_MIME));
}

const NO_JUPYTER = 'sandbox-no-jupyter';

suite('notebook', () => {
  let info: SandboxInfo;
  let cluster: string;
  let remoteDir: string;
  const config = () => vscode.workspace.getConfiguration('hpcWorkbench');
  const folder = () => vscode.workspace.workspaceFolders![0];

  async function select(notebook: vscode.NotebookDocument, name = cluster): Promise<void> {
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', { notebookEditor: vscode.window.activeNotebookEditor, id: `hpcWorkbench.notebook.${name}`, extension: 'hpc-workbench.hpc-workbench' });
  }

  async function open(cells: { source: string; language?: string }[], name = cluster): Promise<vscode.NotebookDocument> {
    const data = new vscode.NotebookData(cells.map((c) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, c.source, c.language ?? 'python')));
    const notebook = await vscode.workspace.openNotebookDocument('jupyter-notebook', data);
    await select(notebook, name);
    return notebook;
  }

  /** Starts a cell (without waiting: a job cell runs until its job ends). */
  function start(notebook: vscode.NotebookDocument, index: number): void {
    void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: notebook.uri });
  }

  /** Runs a cell to its end; returns whether it succeeded. */
  async function run(notebook: vscode.NotebookDocument, index: number, timeoutMs = 60_000): Promise<boolean> {
    const before = notebook.cellAt(index).executionSummary?.executionOrder;
    start(notebook, index);
    return until(
      `cell ${index} to end`,
      () => {
        const summary = notebook.cellAt(index).executionSummary;
        return summary?.timing?.endTime !== undefined && summary.executionOrder !== before ? (summary.success ?? false) : undefined;
      },
      timeoutMs,
      () => outputsOf(notebook.cellAt(index)),
    );
  }

  function squeueState(jobId: string): string {
    const env = { ...process.env, SLURM_CONF: info.slurmConf };
    return execFileSync('squeue', ['-h', '-j', jobId, '-o', '%T'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  }

  suiteSetup(async function () {
    this.timeout(60_000);
    info = loadSandbox();
    await vscode.extensions.getExtension('hpc-workbench.hpc-workbench')?.activate();
    // A second entry on the same cluster whose Jupyter command is a program that does not exist.
    const noJupyter = { name: NO_JUPYTER, jupyterCommand: 'hpcw-missing-jupyter server' };
    if (os.homedir() === info.clientHome) {
      cluster = 'sandbox-ssh';
      remoteDir = `~/hpcw-vscode-notebook-${randomBytes(4).toString('hex')}`;
      await config().update('clusters', [{ name: cluster, host: info.sshAlias, remoteDir }, { ...noJupyter, host: info.sshAlias, remoteDir }], vscode.ConfigurationTarget.Global);
    } else {
      cluster = 'sandbox-local';
      remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-vscode-notebook-'));
      // Debian's Jupyter (the first python3 on PATH may be another one); as root it needs --allow-root.
      const jupyterCommand = `/usr/bin/python3 -m jupyter_server${process.getuid?.() === 0 ? ' --allow-root' : ''}`;
      const local = { transport: 'local', slurmConf: info.slurmConf, remoteDir };
      await config().update('clusters', [{ name: cluster, ...local, jupyterCommand }, { ...noJupyter, ...local }], vscode.ConfigurationTarget.Global);
    }
    await config().update('refreshInterval', 600, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    if (!remoteDir.startsWith('~')) fs.rmSync(remoteDir, { recursive: true, force: true });
    else execFileSync('ssh', ['-F', path.join(info.clientHome, '.ssh', 'config'), '-o', 'BatchMode=yes', info.sshAlias, `rm -rf ${remoteDir}`]);
  });

  test('a %sinfo cell shows the partitions as a table (HTML and text); a failing command is an error output', async function () {
    this.timeout(60_000);
    const notebook = await open([{ source: '%sinfo' }, { source: '%scontrol show partition no-such-partition' }]);
    assert.equal(await run(notebook, 0), true, outputsOf(notebook.cellAt(0)));
    const text = outputsOf(notebook.cellAt(0));
    const html = outputsOf(notebook.cellAt(0), 'text/html');
    for (const p of info.partitions) {
      assert.match(text, new RegExp(`^${p.name}\\*? `, 'm'), text);
      assert.match(html, new RegExp(`<td[^>]*>${p.name}\\*?</td>`), html);
    }
    assert.equal(await run(notebook, 1), false);
    assert.match(outputsOf(notebook.cellAt(1)), /%scontrol failed \(exit code 1\).*no-such-partition/s);
  });

  test('hostile magic arguments are passed as words and execute nothing', async function () {
    this.timeout(60_000);
    const pwned = path.join(os.tmpdir(), `hpcw-nb-pwned-${randomBytes(4).toString('hex')}`);
    const notebook = await open([
      { source: `%squeue -u "$(touch ${pwned}-1)"` },
      { source: `%sinfo -p 'x'"'"'; touch ${pwned}-2 ;' ; \`touch ${pwned}-3\`` },
      { source: `%scontrol show job "1;touch ${pwned}-4" | touch ${pwned}-5` },
    ]);
    for (let i = 0; i < 3; i++) await run(notebook, i);
    // squeue reports the unknown user on stderr (exit code 0): the literal text reached it as one word.
    assert.match(outputsOf(notebook.cellAt(0)), new RegExp(`Invalid user: \\$\\(touch ${pwned}-1\\)`), outputsOf(notebook.cellAt(0)));
    assert.match(outputsOf(notebook.cellAt(2)), /scontrol failed|Invalid job id/i);
    assert.ok(hasError(notebook.cellAt(2)));
    for (let n = 1; n <= 5; n++) assert.ok(!fs.existsSync(`${pwned}-${n}`), `argument ${n} reached a shell`);
  });

  test('the sample notebook top to bottom: %sinfo, the %%sbatch job live to COMPLETED, %squeue, the plot of its file while it runs', async function () {
    this.timeout(240_000);
    const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(path.join(folder().uri.fsPath, 'slurm-notebook.ipynb')));
    await select(notebook);
    const jobCell = notebook.cellAt(2);
    assert.equal(jobCell.document.languageId, 'sbatch');
    assert.equal(await run(notebook, 1), true);
    assert.match(outputsOf(notebook.cellAt(1)), /PARTITION/);

    start(notebook, 2);
    const jobId = await until('the job id in the card', () => /^Job (\d+) on /m.exec(outputsOf(jobCell))?.[1], 90_000, () => outputsOf(jobCell));
    const running = await until('an output line while RUNNING', () => {
      const text = outputsOf(jobCell);
      return /: RUNNING\n/.test(text) && /^step \d+$/m.test(text) ? text : undefined;
    }, 90_000, () => outputsOf(jobCell));
    assert.match(running, new RegExp(`^Job ${jobId} on ${cluster}: RUNNING`));
    assert.match(outputsOf(jobCell, 'text/html'), /RUNNING/);
    assert.equal(await run(notebook, 3), true);
    assert.match(outputsOf(notebook.cellAt(3)), new RegExp(`^\\s*${jobId}\\s`, 'm'));
    // The Python cell reads the file the job is still writing, in a kernel on the login node, and plots it.
    assert.equal(await run(notebook, 4, 150_000), true, errorsOf(notebook.cellAt(4)) || outputsOf(notebook.cellAt(4)));
    assert.ok(mimesOf(notebook.cellAt(4)).includes('image/png'), JSON.stringify(mimesOf(notebook.cellAt(4))));
    const png = notebook.cellAt(4).outputs.flatMap((o) => o.items).find((i) => i.mime === 'image/png')!;
    assert.deepEqual([...png.data.slice(1, 4)], [0x50, 0x4e, 0x47]);
    assert.equal(notebook.cellAt(4).executionSummary?.executionOrder, 1, 'the kernel\'s execution count');

    const final = await until('the job to end', () => (jobCell.executionSummary?.timing?.endTime ? outputsOf(jobCell) : undefined), 120_000, () => outputsOf(jobCell));
    assert.match(final, new RegExp(`^Job ${jobId} on ${cluster}: COMPLETED \\(ended\\)\n.*exit code: 0:0`, 'm'), final);
    assert.match(final, /^done: 16 points$/m);
    assert.equal(jobCell.executionSummary?.success, true);
  });

  test('Python cells: output and execution order, a traceback, input() answered, interrupt of time.sleep(60), restart', async function () {
    this.timeout(240_000);
    const notebook = await open([
      { source: 'import os\nprint(os.getcwd())\nanswer = 6 * 7\nanswer' },
      { source: 'def f():\n    return 1 / 0\n\nf()' },
      { source: 'name = input("Your name? ")\nprint("hello", name)' },
      { source: 'import time\nprint("sleeping", flush=True)\ntime.sleep(60)\nprint("not interrupted")' },
      { source: 'print("answer" in globals())' },
    ]);
    assert.equal(await run(notebook, 0, 150_000), true, errorsOf(notebook.cellAt(0)) || outputsOf(notebook.cellAt(0)));
    const cwd = stdoutOf(notebook.cellAt(0)).trim();
    assert.ok(cwd.startsWith('/') && cwd.endsWith(remoteDir.replace(/^~\//, '')), cwd);
    assert.match(outputsOf(notebook.cellAt(0)), /^42$/m);
    assert.equal(notebook.cellAt(0).executionSummary?.executionOrder, 1);

    assert.equal(await run(notebook, 1), false);
    assert.match(errorsOf(notebook.cellAt(1)), /^ZeroDivisionError: division by zero\n[\s\S]*Traceback[\s\S]*f\(\)[\s\S]*return 1 \/ 0/, errorsOf(notebook.cellAt(1)));
    assert.equal(notebook.cellAt(1).executionSummary?.executionOrder, 2);

    await vscode.commands.executeCommand('hpcWorkbench._notebookInputAnswer', 'Ada');
    assert.equal(await run(notebook, 2), true, errorsOf(notebook.cellAt(2)));
    assert.match(stdoutOf(notebook.cellAt(2)), /hello Ada/);

    const sleeper = notebook.cellAt(3);
    start(notebook, 3);
    await until('the cell to sleep', () => (/sleeping/.test(stdoutOf(sleeper)) ? true : undefined), 60_000, () => outputsOf(sleeper));
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: 3, end: 4 }], document: notebook.uri });
    // Ends long before the 60 s sleep would, with the KeyboardInterrupt the kernel raises.
    await until('the interrupted cell to end', () => (sleeper.executionSummary?.timing?.endTime ? true : undefined), 30_000, () => outputsOf(sleeper));
    assert.equal(sleeper.executionSummary?.success, false);
    assert.match(errorsOf(sleeper), /KeyboardInterrupt/);
    assert.doesNotMatch(stdoutOf(sleeper), /not interrupted/);

    await vscode.commands.executeCommand('hpcWorkbench.restartKernel', notebook.uri);
    assert.equal(await run(notebook, 4), true, errorsOf(notebook.cellAt(4)));
    assert.equal(stdoutOf(notebook.cellAt(4)).trim(), 'False', 'a fresh interpreter after restart');
    assert.equal(notebook.cellAt(4).executionSummary?.executionOrder, 1);
  });

  test('no Jupyter on the cluster: the cell names what to install and the setting; %squeue still works', async function () {
    this.timeout(120_000);
    const notebook = await open([{ source: 'print(1)' }, { source: '%squeue' }], NO_JUPYTER);
    assert.equal(await run(notebook, 0, 60_000), false);
    const message = errorsOf(notebook.cellAt(0));
    assert.match(message, new RegExp(`^Jupyter is not available on ${NO_JUPYTER}`), message);
    assert.match(message, /hpcw-missing-jupyter/);
    assert.match(message, /python3-jupyter-server python3-ipykernel/);
    assert.match(message, /pip install --user jupyter-server ipykernel/);
    assert.match(message, /hpcWorkbench\.notebook\.jupyterCommand/);
    assert.equal(await run(notebook, 1), true, outputsOf(notebook.cellAt(1)));
    assert.match(outputsOf(notebook.cellAt(1)), /JOBID/);
  });

  test('interrupting a job cell cancels its job (answer "Cancel Job"), checked with squeue', async function () {
    this.timeout(120_000);
    const notebook = await open([{ source: '%%sbatch -p debug -t 5 --job-name=nb-cancel\nsleep 300\n', language: 'sbatch' }]);
    const cell = notebook.cellAt(0);
    start(notebook, 0);
    const jobId = await until('the job id in the card', () => /^Job (\d+) on .*: (PENDING|RUNNING)/m.exec(outputsOf(cell))?.[1], 60_000, () => outputsOf(cell));
    await vscode.commands.executeCommand('hpcWorkbench._notebookInterruptAnswer', 'cancel');
    await vscode.commands.executeCommand('notebook.cell.cancelExecution', { ranges: [{ start: 0, end: 1 }], document: notebook.uri });
    const final = await until('the cell to end', () => (cell.executionSummary?.timing?.endTime ? outputsOf(cell) : undefined), 60_000, () => outputsOf(cell));
    assert.match(final, new RegExp(`^Job ${jobId} on ${cluster}: CANCELLED`, 'm'), final);
    assert.equal(cell.executionSummary?.success, false);
    const state = squeueState(jobId);
    assert.ok(state === '' || state === 'CANCELLED', `squeue says ${state}`);
  });

  test('New Slurm Notebook opens the workflow template with this cluster\'s controller', async function () {
    this.timeout(60_000);
    const uri = (await vscode.commands.executeCommand('hpcWorkbench.newSlurmNotebook')) as string;
    const notebook = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri);
    assert.ok(notebook, uri);
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    const sources = notebook.getCells().map((c) => c.document.getText());
    assert.ok(sources.includes('%sinfo'), JSON.stringify(sources));
    const job = notebook.getCells().find((c) => c.document.getText().startsWith('%%sbatch'));
    assert.equal(job?.document.languageId, 'sbatch');
    assert.equal(await run(notebook, 1), true, outputsOf(notebook.cellAt(1)));
    assert.match(outputsOf(notebook.cellAt(1)), /PARTITION/);
  });

  test('a saved notebook whose job still runs resumes its live card when reopened; the ended card is saved', async function () {
    this.timeout(120_000);
    const env = { ...process.env, SLURM_CONF: info.slurmConf };
    const out = path.join(os.tmpdir(), `hpcw-nb-resume-${randomBytes(4).toString('hex')}-%j.out`);
    const jobId = execFileSync('sbatch', ['--parsable', '-p', 'debug', '-t', '2', `--output=${out}`, '--wrap', 'echo resumed-start; sleep 6; echo resumed-marker'], { env, encoding: 'utf8' }).trim();
    const file = path.join(folder().uri.fsPath, `resume-${jobId}.ipynb`);
    const card = `Job ${jobId} on ${cluster}: RUNNING\n`;
    fs.writeFileSync(file, JSON.stringify({
      cells: [{
        cell_type: 'code', execution_count: 1, metadata: { vscode: { languageId: 'sbatch' } }, source: ['%%sbatch\n', 'echo hi\n'],
        outputs: [{ output_type: 'display_data', data: { 'text/plain': [card] }, metadata: { hpcWorkbench: { cluster, jobId, ended: false } } }],
      }],
      metadata: {}, nbformat: 4, nbformat_minor: 5,
    }));
    try {
      const notebook = await vscode.workspace.openNotebookDocument(vscode.Uri.file(file));
      await select(notebook);
      const cell = notebook.cellAt(0);
      const final = await until('the resumed card to end', () => {
        const text = outputsOf(cell);
        return cell.executionSummary?.timing?.endTime && /\(ended\)/.test(text) ? text : undefined;
      }, 90_000, () => outputsOf(cell));
      assert.match(final, new RegExp(`^Job ${jobId} on ${cluster}: COMPLETED \\(ended\\)`, 'm'), final);
      assert.match(final, /^resumed-marker$/m);
      // On a loaded machine the ipynb extension's save participant may time out (1750 ms) and the save is
      // abandoned: save again until it is written.
      await until('the notebook saved', async () => ((await notebook.save()) ? true : undefined), 60_000);
      const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { outputs: { metadata?: { hpcWorkbench?: { jobId: string; ended: boolean } }; data: Record<string, string | string[]> }[] }[] };
      const output = saved.cells[0].outputs[0];
      assert.deepEqual(output.metadata?.hpcWorkbench, { cluster, jobId, ended: true });
      const plain = output.data['text/plain'];
      assert.match(Array.isArray(plain) ? plain.join('') : plain, /COMPLETED \(ended\)/, 'the saved output has a plain-text form');
    } finally {
      fs.rmSync(out.replace('%j', jobId), { force: true });
    }
  });

  test('connection cut while a card is live: the card says so and resumes after reconnection', async function () {
    if (cluster !== 'sandbox-ssh') this.skip();
    this.timeout(180_000);
    const notebook = await open([{ source: '%%sbatch -p debug -t 3\necho before-cut\nsleep 20\necho after-reconnect\n', language: 'sbatch' }]);
    const cell = notebook.cellAt(0);
    start(notebook, 0);
    await until('the job running', () => (/: RUNNING\n/.test(outputsOf(cell)) && /^before-cut$/m.test(outputsOf(cell)) ? true : undefined), 90_000, () => outputsOf(cell));
    try {
      await sandboxCtl('stop-sshd');
      await until('the card to say it cannot follow', () => (/Cannot follow the job on /.test(outputsOf(cell)) ? true : undefined), 60_000, () => outputsOf(cell));
    } finally {
      await sandboxCtl('start-sshd');
    }
    const final = await until('the job to end', () => (cell.executionSummary?.timing?.endTime ? outputsOf(cell) : undefined), 120_000, () => outputsOf(cell));
    assert.match(final, /: COMPLETED \(ended\)/, final);
    assert.match(final, /^after-reconnect$/m);
    assert.doesNotMatch(final, /Cannot follow/);
  });

  test('a %%sbatch cell is linted like a script, diagnostics on the lines of the cell (its options too)', async function () {
    this.timeout(60_000);
    const notebook = await open([{ source: '%%sbatch -p debug --job-nme=x\n#SBATCH --ntasks=1\n#SBATCH --tim=5\nhostname\n' }]);
    const cell = notebook.cellAt(0);
    await until('the sbatch language on the cell', () => (cell.document.languageId === 'sbatch' ? true : undefined), 20_000);
    const problems = await until('diagnostics of the cell', () => {
      const d = vscode.languages.getDiagnostics(cell.document.uri).filter((x) => x.severity <= vscode.DiagnosticSeverity.Warning);
      return d.length >= 2 ? d : undefined;
    }, 40_000);
    const shown = JSON.stringify(problems.map((d) => [d.range.start.line, d.range.start.character, d.message]));
    assert.ok(problems.some((d) => d.range.start.line === 2 && /--tim/.test(d.message)), shown);
    assert.ok(problems.some((d) => d.range.start.line === 0 && d.range.start.character === 18 && /--job-nme/.test(d.message)), shown);
    assert.equal(problems.length, 2, shown);
  });
});
