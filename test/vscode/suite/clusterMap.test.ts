/**
 * The Cluster Map and "will it start?" inside a real VS Code against the sandbox (local Slurm
 * commands): the map draws 2 partitions and 4 nodes of 2 cores (the accessible table and what
 * the canvas drew, reported by the webview), a running job of mine lights its cores and its
 * details open beside the map, a drained node shows drained with its reason (sent as a diff of
 * the changed nodes) and comes back when resumed; the lens on the first `#SBATCH` line says
 * "starts now" on an idle sandbox (and Submit Job shows that cached answer), an expected start
 * or reason while the debug nodes are held, and why 3 nodes on debug cannot run.
 * Needs the sandbox up and HPCW_SANDBOX_DIR in the environment (scripts/test-all.sh does both).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
// Type-only: what the test commands return.
import type { ClusterMapState } from '../../../src/extension/clusterMap/panel';
import type { StartEstimateState } from '../../../src/extension/startEstimate/lens';

const CLUSTER = 'sandbox-map';

interface NodeReport {
  name: string;
  group: string;
  stateClass: string;
  reason?: string;
  cells: { free: number; other: number; mine: number; selected: number };
}
interface Report {
  groups: { name: string; nodes: string[] }[];
  nodes: NodeReport[];
  selectedJob?: string;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

suite('cluster map and will it start', () => {
  let info: SandboxInfo;
  let remoteDir: string;
  const jobs: string[] = [];
  const config = () => vscode.workspace.getConfiguration('hpcWorkbench');
  const slurm = (cmd: string, args: string[]) => execFileSync(cmd, args, { env: { ...process.env, SLURM_CONF: info.slurmConf }, encoding: 'utf8' });
  const mapState = async (extra: object = {}) => (await vscode.commands.executeCommand('hpcWorkbench._clusterMapState', { cluster: CLUSTER, ...extra })) as ClusterMapState | undefined;
  const drawn = async () => (await mapState())?.drawn?.report as Report | undefined;
  const refresh = () => vscode.commands.executeCommand('hpcWorkbench.refresh', CLUSTER);
  const submit = (...args: string[]) => {
    const id = slurm('sbatch', ['--parsable', '-J', 'hpcw-map-test', '-o', '/dev/null', ...args, '--wrap', 'sleep 600']).trim();
    jobs.push(id);
    return id;
  };
  const running = (id: string) => slurm('squeue', ['-h', '-o', '%T', '-j', id]).trim() === 'RUNNING';

  suiteSetup(async function () {
    this.timeout(60_000);
    info = loadSandbox();
    await vscode.extensions.getExtension('hpc-workbench.hpc-workbench')?.activate();
    slurm('scancel', ['-n', 'hpcw-map-test']);
    // A remote folder of its own: the submit confirmation test syncs the workspace there.
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-vscode-map-'));
    await config().update('clusters', [{ name: CLUSTER, transport: 'local', slurmConf: info.slurmConf, remoteDir }], vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', 600, vscode.ConfigurationTarget.Global);
    await refresh();
  });

  suiteTeardown(async () => {
    if (jobs.length) slurm('scancel', jobs);
    try {
      slurm('scontrol', ['update', 'nodename=n3', 'state=resume']);
    } catch {
      // not drained
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(remoteDir, { recursive: true, force: true });
  });

  test('the map draws 2 partitions and 4 nodes of 2 cores, in the drawing and the accessible table', async function () {
    this.timeout(90_000);
    assert.deepEqual(await vscode.commands.executeCommand('hpcWorkbench.showClusterMap', { cluster: CLUSTER }), { cluster: CLUSTER });
    const report = await until('the map drawn', drawn);
    assert.deepEqual(report.groups.map((g) => [g.name, g.nodes]), [
      ['debug', ['n1', 'n2']],
      ['compute', ['n3', 'n4']],
    ]);
    assert.deepEqual(report.nodes.map((n) => n.name), ['n1', 'n2', 'n3', 'n4']);
    for (const n of report.nodes) assert.equal(n.cells.free + n.cells.other + n.cells.mine + n.cells.selected, 2, `${n.name} has 2 cells`);
    const state = (await mapState()) as ClusterMapState;
    assert.equal(state.drawn?.table, 4, 'the table has a row per node');
    assert.equal(state.model?.nodes.length, 4);
  });

  test('a running job of mine lights its cores; selecting it lights them as selected and opens its details', async function () {
    this.timeout(120_000);
    const id = submit('-p', 'debug', '-w', 'n2', '-n', '2');
    await until('the job running', async () => (running(id) ? true : undefined));
    const node = await until('my cores on n2', async () => {
      await refresh();
      const n = (await drawn())?.nodes.find((x) => x.name === 'n2');
      return n && n.cells.mine === 2 ? n : undefined;
    });
    assert.equal(node.cells.free, 0);
    const state = (await mapState()) as ClusterMapState;
    assert.ok(state.model?.placement, 'CPU ids were read while the map is visible');
    await mapState({ selectJob: id });
    const report = await until('the job selected', async () => {
      const r = await drawn();
      return r?.selectedJob === id ? r : undefined;
    });
    assert.equal(report.nodes.find((n) => n.name === 'n2')?.cells.selected, 2);
    // The webview asked for the job's details: they open beside the map, which stays visible.
    const details = await until('the details of the job beside the map', async () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.scheme === 'hpcw-job' && e.document.uri.path === `/${id}.txt`),
    );
    const after = (await mapState()) as ClusterMapState;
    assert.ok(after.opened.includes(id));
    assert.equal(after.visible, true, 'the map is still visible');
    assert.notEqual(details.viewColumn, vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.label.startsWith('Cluster Map')))?.viewColumn, 'in another column');
    slurm('scancel', [id]);
  });

  test('a drained node shows drained with its reason, and comes back when resumed', async function () {
    this.timeout(120_000);
    await vscode.commands.executeCommand('hpcWorkbench.showClusterMap', { cluster: CLUSTER });
    const before = ((await mapState()) as ClusterMapState).posted;
    slurm('scontrol', ['update', 'nodename=n3', 'state=drain', 'reason=hpcw map test']);
    try {
      const n3 = await until('n3 drained on the map', async () => {
        await refresh();
        const n = (await drawn())?.nodes.find((x) => x.name === 'n3');
        return n && n.stateClass === 'drained' ? n : undefined;
      });
      assert.match(n3.reason ?? '', /^hpcw map test/);
      // The refresh reached the webview as a diff of the changed nodes, not the whole model.
      const posted = ((await mapState()) as ClusterMapState).posted;
      assert.ok(posted.diff > before.diff, `diffs posted: ${JSON.stringify(before)} → ${JSON.stringify(posted)}`);
      // The accessible table's row says the same (its rows replaced by the diff).
      const rows = ((await mapState()) as ClusterMapState).drawn?.rows as string[][];
      assert.match(rows.find((r) => r[0] === 'n3')?.slice(1).join(' | ') ?? '', /DRAIN.* \| hpcw map test/);
      const sent = (n: string) => (posted.byNode[n] ?? 0) - (before.byNode[n] ?? 0);
      assert.ok(sent('n3') > 0 && sent('n1') === 0 && sent('n4') === 0, `nodes in the diffs: ${JSON.stringify(before.byNode)} → ${JSON.stringify(posted.byNode)}`);
    } finally {
      slurm('scontrol', ['update', 'nodename=n3', 'state=resume']);
    }
    const back = await until('n3 back', async () => {
      await refresh();
      const n = (await drawn())?.nodes.find((x) => x.name === 'n3');
      return n && n.stateClass !== 'drained' && n.stateClass !== 'draining' ? n : undefined;
    });
    assert.equal(back.reason, undefined);
    const rows = ((await mapState()) as ClusterMapState).drawn?.rows as string[][];
    assert.deepEqual(rows.find((r) => r[0] === 'n3')?.[2], '', 'no reason in the table either');
  });

  test('will it start: starts now (in the submit confirmation too), then an expected start or reason while debug is held, and why 3 nodes cannot run', async function () {
    this.timeout(180_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath as string;
    const file = path.join(folder, 'jobs', 'will-start.sbatch');
    fs.writeFileSync(file, '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -N 2\n#SBATCH -t 5\nhostname\n');
    const uri = vscode.Uri.file(file);
    // Ours among the lenses (the language server adds the request summary).
    const ourLenses = async () =>
      ((await vscode.commands.executeCommand('vscode.executeCodeLensProvider', uri)) as vscode.CodeLens[]).filter((l) => l.command?.command === 'hpcWorkbench.showClusterMap');
    const lensTitle = async (): Promise<string | undefined> =>
      (await ourLenses()).map((l) => l.command?.title ?? '').find((t) => !/Asking|Save to ask/.test(t) && t !== '');
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    const now = await until('the lens', lensTitle);
    assert.match(now, /Starts now on n\[1-2\] \(debug\)$/);
    const lenses = await ourLenses();
    assert.equal(lenses.length, 1);
    assert.equal(lenses[0].range.start.line, 1, 'on the first #SBATCH line');

    // Typing never asks the cluster; saving does (once, for the new request).
    const asked = ((await vscode.commands.executeCommand('hpcWorkbench._startEstimateState', uri.toString())) as StartEstimateState).asked;
    for (const ch of ['#', ' ', 'x']) await editor.edit((e) => e.insert(new vscode.Position(4, 0), ch));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(((await vscode.commands.executeCommand('hpcWorkbench._startEstimateState', uri.toString())) as StartEstimateState).asked, asked);
    await editor.edit((e) => e.replace(new vscode.Range(2, 0, 2, 12), '#SBATCH -N 3'));
    await doc.save();
    const three = await until('the lens for 3 nodes', async () => {
      const t = await lensTitle();
      return t && /3 nodes/.test(t) ? t : undefined;
    });
    assert.match(three, /Cannot run: 3 nodes requested, but partition debug has 2 at most/);

    // Debug held by two long jobs: the answer for 2 nodes moves later (asked again as the queue changes).
    await editor.edit((e) => e.replace(new vscode.Range(2, 0, 2, 12), '#SBATCH -N 2'));
    await doc.save();
    await until('starts now again', async () => ((await lensTitle())?.includes('Starts now') ? true : undefined));
    // The submit confirmation shows the lens's answer, from its cache: no second --test-only.
    const askedBefore = ((await vscode.commands.executeCommand('hpcWorkbench._startEstimateState', uri.toString())) as StartEstimateState).asked;
    const submitted = (await vscode.commands.executeCommand('hpcWorkbench.submitJob', { uri, cluster: CLUSTER, confirm: false })) as { jobId: string; startEstimate?: string };
    jobs.push(submitted.jobId);
    assert.match(submitted.startEstimate ?? '', /^Starts now on n\[1-2\] \(debug\)$/);
    assert.equal(((await vscode.commands.executeCommand('hpcWorkbench._startEstimateState', uri.toString())) as StartEstimateState).asked, askedBefore);
    slurm('scancel', [submitted.jobId]);
    const a = submit('-p', 'debug', '-N', '1', '--exclusive', '-t', '20');
    const b = submit('-p', 'debug', '-N', '1', '--exclusive', '-t', '20');
    await until('both running', async () => (running(a) && running(b) ? true : undefined));
    const later = await until('a later start', async () => {
      await refresh();
      const t = await lensTitle();
      return t && !t.includes('Starts now') ? t : undefined;
    });
    // A start on another day names the day (near midnight: "Expected start Dec 2 00:15").
    assert.match(later, /Expected start ([A-Z][a-z]{2} \d{1,2} )?\d\d:\d\d \(in \d+ min\) on n\[1-2\] \(debug\)|Cannot run/);
    slurm('scancel', [a, b]);

    // Clicking the lens shows the request on the map.
    const lens = (await ourLenses())[0];
    await vscode.commands.executeCommand(lens.command!.command, ...(lens.command!.arguments ?? []));
    const shown = await until('the request on the map', async () => ((await mapState())?.model?.request ? await mapState() : undefined));
    assert.deepEqual(shown?.model?.request?.nodes, ['n1', 'n2']);
    fs.rmSync(file, { force: true });
  });
});
