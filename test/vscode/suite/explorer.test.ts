/**
 * The cluster explorer inside a real VS Code against the sandbox cluster: the Clusters view shows
 * the partitions and nodes, a submitted job appears in the Jobs view and can be cancelled from a
 * command, a malformed settings entry is reported in the tree instead of breaking it.
 * Needs the sandbox up and HPCW_SANDBOX_DIR in the environment (scripts/test-all.sh does both).
 * The ssh cluster is added when VS Code runs with HOME = the sandbox's client home (whose
 * ~/.ssh/config and known_hosts know the sandbox's sshd).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import * as vscode from 'vscode';
import { loadSandbox, sandboxCtl, type SandboxInfo } from '../../support/sandbox';
// Type-only: what `hpcWorkbench._treeSnapshot` renders.
import type { TreeDump } from '../../../src/extension/explorer';


interface Rendered {
  clusters: TreeDump[];
  jobs: TreeDump[];
  /** The status bar item's text, undefined while it is hidden. */
  statusBar?: string;
}

async function trees(): Promise<Rendered> {
  return (await vscode.commands.executeCommand('hpcWorkbench._treeSnapshot')) as Rendered;
}

function findAll(items: TreeDump[] | undefined, pred: (t: TreeDump) => boolean, out: TreeDump[] = []): TreeDump[] {
  for (const t of items ?? []) {
    if (pred(t)) out.push(t);
    findAll(t.children, pred, out);
  }
  return out;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

suite('explorer', () => {
  let info: SandboxInfo;
  let withSsh = false;
  const config = () => vscode.workspace.getConfiguration('hpcWorkbench');

  suiteSetup(async function () {
    this.timeout(60_000);
    info = loadSandbox();
    await vscode.extensions.getExtension('hpc-workbench.hpc-workbench')?.activate();
    const clusters: object[] = [{ name: 'sandbox-local', transport: 'local', slurmConf: info.slurmConf }];
    withSsh = os.homedir() === info.clientHome;
    if (withSsh) clusters.push({ name: 'sandbox-ssh', host: info.sshAlias });
    await config().update('clusters', clusters, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', 600, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('hpcWorkbench.refresh');
  });

  suiteTeardown(async () => {
    execFileSync('scancel', ['-n', 'hpcw-vscode-test'], { env: { ...process.env, SLURM_CONF: info.slurmConf } });
    await config().update('clusters', undefined, vscode.ConfigurationTarget.Global);
    await config().update('refreshInterval', undefined, vscode.ConfigurationTarget.Global);
  });

  test('the Clusters view shows the 2 partitions and the 4 nodes with a summary', async () => {
    const { clusters } = await trees();
    const local = clusters.find((c) => c.label === 'sandbox-local');
    assert.ok(local, JSON.stringify(clusters));
    assert.match(local.description, /^4 nodes, 8 cores(, \d+ GPUs)? — \d+% allocated · local$/);
    assert.equal(local.contextValue, 'cluster.connected');
    const partitions = (local.children ?? []).map((p) => p.label);
    assert.deepEqual(partitions, ['debug (default)', 'compute']);
    const compute = local.children?.find((p) => p.label === 'compute');
    assert.deepEqual(compute?.children?.map((n) => n.label), ['n1', 'n2', 'n3', 'n4']);
    assert.match(compute?.description ?? '', /CPUs \d+\/8/);
    assert.match(compute?.children?.[0].description ?? '', /^(idle|mixed|allocated) · CPUs \d\/2 · 2\.0 GiB/);
  });

  test('a submitted job appears in the Jobs view and is cancelled by the command', async function () {
    this.timeout(60_000);
    const id = execFileSync('sbatch', ['--parsable', '-J', 'hpcw-vscode-test', '-p', 'debug', '-o', '/dev/null', '--begin=now+3600', '--wrap', 'sleep 60'], {
      env: { ...process.env, SLURM_CONF: info.slurmConf },
      encoding: 'utf8',
    }).trim();
    const item = await until('the job in the Jobs view', async () => {
      await vscode.commands.executeCommand('hpcWorkbench.refresh', 'sandbox-local');
      return findAll((await trees()).jobs, (t) => t.jobId === id)[0];
    });
    assert.equal(item.cluster, 'sandbox-local');
    assert.equal(item.contextValue, 'job.pending');
    assert.match(item.label, /hpcw-vscode-test/);
    // The status bar counts my jobs on the active cluster (the first configured: sandbox-local).
    const { statusBar } = await trees();
    const counts = /(\S+): (\d+) running, (\d+) pending/.exec(statusBar ?? '');
    assert.ok(counts, `status bar: ${statusBar}`);
    if (counts[1] === 'sandbox-local') assert.ok(Number(counts[3]) >= 1, `status bar: ${statusBar}`);
    assert.match(item.description, /BeginTime/);
    // Details: scontrol show job in a read-only document.
    assert.equal(await vscode.commands.executeCommand('hpcWorkbench.showJobDetails', { cluster: 'sandbox-local', jobId: id }), 1);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'hpcw-job' && d.uri.path === `/${id}.txt`);
    assert.ok(doc, 'the details document is open');
    assert.match(doc.getText(), new RegExp(`JobId=${id} JobName=hpcw-vscode-test`));
    assert.match(doc.getText(), /JobState=PENDING Reason=BeginTime/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const results = (await vscode.commands.executeCommand('hpcWorkbench.cancelJob', { cluster: 'sandbox-local', jobId: id }, { confirm: false })) as {
      ok: boolean;
      state?: string;
    }[];
    assert.equal(results.length, 1);
    assert.equal(results[0].ok, true);
    assert.equal(results[0].state, 'CANCELLED');
    assert.equal(findAll((await trees()).jobs, (t) => t.jobId === id && t.contextValue !== 'job.finished').length, 0);
  });

  test('the ssh cluster shows the same partitions', async function () {
    if (!withSsh) this.skip();
    this.timeout(60_000);
    const ssh = await until('the ssh cluster to load', async () => {
      await vscode.commands.executeCommand('hpcWorkbench.refresh', 'sandbox-ssh');
      const c = (await trees()).clusters.find((x) => x.label === 'sandbox-ssh');
      return c?.contextValue === 'cluster.connected' ? c : undefined;
    });
    assert.deepEqual(ssh.children?.map((p) => p.label), ['debug (default)', 'compute']);
  });

  test('a malformed cluster entry is shown as an error, the others keep working', async () => {
    const good = config().get<object[]>('clusters') ?? [];
    await config().update('clusters', [...good, { name: 'broken', transport: 'telnet' }, 42], vscode.ConfigurationTarget.Global);
    try {
      const { clusters } = await trees();
      const errors = clusters.filter((c) => c.contextValue === 'message.error').map((c) => c.label);
      assert.ok(errors.some((e) => /"broken".*"transport" must be "ssh" or "local"/.test(e)), JSON.stringify(errors));
      assert.ok(errors.some((e) => /clusters\[\d\] must be an object/.test(e)), JSON.stringify(errors));
      assert.ok(clusters.some((c) => c.label === 'sandbox-local'));
    } finally {
      await config().update('clusters', good, vscode.ConfigurationTarget.Global);
    }
  });

  test('Add Cluster with arguments writes the setting and the cluster appears', async () => {
    const before = config().get<object[]>('clusters') ?? [];
    try {
      const added = await vscode.commands.executeCommand('hpcWorkbench.addCluster', { config: { name: 'added-local', transport: 'local', slurmConf: info.slurmConf } });
      assert.deepEqual(added, { name: 'added-local', transport: 'local', slurmConf: info.slurmConf });
      assert.ok((config().get<{ name: string }[]>('clusters') ?? []).some((c) => c.name === 'added-local'));
      await vscode.commands.executeCommand('hpcWorkbench.refresh', 'added-local');
      const c = (await trees()).clusters.find((x) => x.label === 'added-local');
      assert.equal(c?.children?.length, 2);
    } finally {
      await config().update('clusters', before, vscode.ConfigurationTarget.Global);
    }
  });

  test('slurmctld stopped: the tree shows the error with a retry action; restarted: it recovers by itself', async function () {
    this.timeout(120_000);
    await sandboxCtl('stop-ctld');
    try {
      await vscode.commands.executeCommand('hpcWorkbench.refresh', 'sandbox-local');
      const local = (await trees()).clusters.find((c) => c.label === 'sandbox-local');
      assert.equal(local?.contextValue, 'cluster.error');
      const error = local?.children?.[0];
      assert.equal(error?.contextValue, 'message.error');
      assert.match(error?.label ?? '', /Unable to contact slurm controller|Socket timed out|Connection refused/i);
      assert.equal(error?.description, 'click to retry');
      assert.ok(local?.children?.some((p) => p.label === 'compute'), 'the last known partitions stay visible');
    } finally {
      await sandboxCtl('start-ctld');
    }
    const back = await until('the cluster to recover', async () => {
      await vscode.commands.executeCommand('hpcWorkbench.refresh', 'sandbox-local');
      const c = (await trees()).clusters.find((x) => x.label === 'sandbox-local');
      return c?.contextValue === 'cluster.connected' ? c : undefined;
    }, 60_000);
    assert.equal(back.children?.[0].label, 'debug (default)');
  });
});
