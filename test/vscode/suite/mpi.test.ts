/**
 * Local MPI runs inside a real VS Code (code-server): the commands run a sample mpi4py file with
 * real Open MPI and resolve with the run's summary ({exitCode, failedRank, lines, ...}); stop ends
 * every rank; a multiprocessing run; a tasks.json task of type `mpi`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

// The commands' result type (a type-only import: nothing of the extension is loaded twice).
import type { RunSummary } from '../../../src/extension/mpi/runTerminal';

const EXTENSION_ID = 'hpc-workbench.hpc-workbench';

/** True when /proc/PID exists and is not a zombie. */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(predicate: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

suite('mpi: local runs', function () {
  this.timeout(180_000);
  let dir: string;
  const file = (name: string): string => path.join(dir, name);

  suiteSetup(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-mpi-vscode-'));
    fs.writeFileSync(
      file('hello_mpi.py'),
      [
        'from mpi4py import MPI',
        'comm = MPI.COMM_WORLD',
        'rank = comm.Get_rank()',
        'total = comm.allreduce(rank, op=MPI.SUM)',
        'for i in range(50):',
        '    print(f"hello from rank {rank} line {i} total {total}")',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      file('raise_mpi.py'),
      ['from mpi4py import MPI', 'rank = MPI.COMM_WORLD.Get_rank()', 'if rank == 1:', '    raise RuntimeError("rank one fails")', 'MPI.COMM_WORLD.Barrier()', ''].join('\n'),
    );
    fs.writeFileSync(
      file('sleep_mpi.py'),
      [
        'import os, sys, time',
        'from mpi4py import MPI',
        'rank = MPI.COMM_WORLD.Get_rank()',
        'open(os.path.join(sys.argv[1], f"ready.{rank}"), "w").write(str(os.getpid()))',
        'time.sleep(300)',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      file('pool.py'),
      [
        'import os',
        'from multiprocessing import Pool',
        'def sq(x):',
        '    return x * x',
        'if __name__ == "__main__":',
        '    workers = int(os.environ.get("HPCW_WORKERS", os.cpu_count()))',
        '    with Pool(workers) as p:',
        '        print(f"{workers} workers: {sum(p.map(sq, range(10)))}")',
        '',
      ].join('\n'),
    );
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('runMpi on the active mpi4py file: 4 ranks, every line tagged with its rank, exit 0', async () => {
    const doc = await vscode.workspace.openTextDocument(file('hello_mpi.py'));
    await vscode.window.showTextDocument(doc);
    const summary = await vscode.commands.executeCommand<RunSummary>('hpcWorkbench.runMpi', { ranks: 4 });
    assert.ok(summary, 'the command resolves with the run summary');
    const launcherText = summary.lines.filter((l) => l.rank === undefined).map((l) => l.text).join('\n');
    assert.equal(summary.error, undefined, summary.error);
    assert.equal(summary.exitCode, 0, launcherText);
    for (let r = 0; r < 4; r++) {
      const mine = summary.lines.filter((l) => l.rank === r);
      assert.equal(mine.length, 50, `rank ${r} printed 50 lines`);
      assert.ok(mine.every((l) => l.text.startsWith(`hello from rank ${r} `) && l.text.endsWith('total 6')));
    }
    assert.ok(vscode.window.terminals.some((t) => t.name === 'MPI: hello_mpi.py × 4 ranks'), 'the run has its terminal');
  });

  test('a rank that raises: the run fails and names rank 1', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>('hpcWorkbench.runMpi', { file: file('raise_mpi.py'), ranks: 3 });
    assert.ok(summary);
    assert.notEqual(summary.exitCode, 0);
    assert.equal(summary.failedRank, 1);
    assert.ok(summary.lines.some((l) => l.rank === 1 && l.text === 'RuntimeError: rank one fails'));
  });

  test('stopMpi ends every rank (checked by pid) and the run reports it was stopped', async () => {
    const readyDir = fs.mkdtempSync(path.join(dir, 'ready-'));
    const running = vscode.commands.executeCommand<RunSummary>('hpcWorkbench.runMpi', { file: file('sleep_mpi.py'), ranks: 4, args: [readyDir] });
    const ready = (): string[] => fs.readdirSync(readyDir).filter((n) => n.startsWith('ready.'));
    await until(() => ready().length === 4, '4 ranks ready');
    // Each file is written once the rank has its pid; wait until the content is there.
    await until(() => ready().every((n) => fs.readFileSync(path.join(readyDir, n), 'utf8') !== ''), 'pids written');
    const pids = ready().map((n) => Number(fs.readFileSync(path.join(readyDir, n), 'utf8')));
    assert.ok(pids.every(alive));
    const stopped = await vscode.commands.executeCommand<RunSummary>('hpcWorkbench.stopMpi');
    assert.ok(stopped);
    assert.equal(stopped.stopped, true);
    const summary = await running;
    assert.equal(summary.stopped, true);
    assert.deepEqual(pids.filter(alive), [], 'no rank survives stop');
  });

  test('closing the run\'s terminal ends every rank', async () => {
    const readyDir = fs.mkdtempSync(path.join(dir, 'ready-'));
    const running = vscode.commands.executeCommand<RunSummary>('hpcWorkbench.runMpi', { file: file('sleep_mpi.py'), ranks: 2, args: [readyDir] });
    const ready = (): string[] => fs.readdirSync(readyDir).filter((n) => n.startsWith('ready.'));
    await until(() => ready().length === 2 && ready().every((n) => fs.readFileSync(path.join(readyDir, n), 'utf8') !== ''), '2 ranks ready');
    const pids = ready().map((n) => Number(fs.readFileSync(path.join(readyDir, n), 'utf8')));
    const terminal = vscode.window.terminals.find((t) => t.name === 'MPI: sleep_mpi.py × 2 ranks');
    assert.ok(terminal, 'the run has its terminal');
    terminal.dispose();
    const summary = await running;
    assert.equal(summary.stopped, true);
    assert.deepEqual(pids.filter(alive), [], 'no rank survives the terminal');
  });

  test('runMultiprocessing exposes the worker count as HPCW_WORKERS, output untagged', async () => {
    const summary = await vscode.commands.executeCommand<RunSummary>('hpcWorkbench.runMultiprocessing', { file: file('pool.py'), workers: 3 });
    assert.ok(summary);
    assert.equal(summary.exitCode, 0, summary.lines.map((l) => l.text).join('\n'));
    assert.ok(summary.lines.some((l) => l.rank === undefined && l.text === '3 workers: 285'));
  });

  /** Writes a tasks.json with one mpi task, runs it and resolves with its exit code. */
  async function runTask(label: string, program: string, ranks: number): Promise<number | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const vscodeDir = path.join(folder.uri.fsPath, '.vscode');
    fs.mkdirSync(vscodeDir, { recursive: true });
    const tasksFile = path.join(vscodeDir, 'tasks.json');
    const previous = fs.existsSync(tasksFile) ? fs.readFileSync(tasksFile, 'utf8') : undefined;
    fs.writeFileSync(tasksFile, JSON.stringify({ version: '2.0.0', tasks: [{ type: 'mpi', label, program, ranks }] }, null, 2));
    try {
      let task: vscode.Task | undefined;
      for (let i = 0; i < 100 && !task; i++) {
        task = (await vscode.tasks.fetchTasks({ type: 'mpi' })).find((t) => t.name === label);
        if (!task) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(task, 'the task from tasks.json is known');
      const ended = new Promise<number | undefined>((resolve) => {
        const d = vscode.tasks.onDidEndTaskProcess((e) => {
          if (e.execution.task.name === label) {
            d.dispose();
            resolve(e.exitCode);
          }
        });
      });
      await vscode.tasks.executeTask(task);
      return await ended;
    } finally {
      if (previous === undefined) fs.rmSync(tasksFile, { force: true });
      else fs.writeFileSync(tasksFile, previous);
    }
  }

  test('a tasks.json task of type mpi runs through the task provider', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const program = path.join(folder.uri.fsPath, 'hello_task_mpi.py');
    fs.copyFileSync(file('hello_mpi.py'), program);
    try {
      assert.equal(await runTask('hello over mpi', '${workspaceFolder}/hello_task_mpi.py', 2), 0);
    } finally {
      fs.rmSync(program, { force: true });
    }
  });

  test('a failing mpi task: the $mpi-python problem matcher marks the raising line with the rank', async () => {
    const code = await runTask('raise over mpi', file('raise_mpi.py'), 2);
    assert.notEqual(code, 0);
    const uri = vscode.Uri.file(file('raise_mpi.py'));
    let diagnostics: vscode.Diagnostic[] = [];
    await until(() => (diagnostics = vscode.languages.getDiagnostics(uri)).length > 0, 'a problem on raise_mpi.py', 20_000);
    const d = diagnostics.find((x) => x.message === 'rank 1: RuntimeError: rank one fails');
    assert.ok(d, diagnostics.map((x) => x.message).join(' | '));
    assert.equal(d.range.start.line, 3, 'line 4 of the file (the raise)');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
  });
});
