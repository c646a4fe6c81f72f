/**
 * Accounting through the cluster service (src/cluster), as the extension uses it: the history is
 * fetched on start and when a job of mine ends (not per refresh), the end report carries the
 * job's efficiency with slurmdbd, live use (sstat) is read on demand (never by the refresh), a saved history is
 * shown until the first fetch. Runs on either sandbox kind; what differs is checked per kind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Cluster, ClusterRegistry, FinishedJobReport, History, LocalFolder } from '../../../src/cluster';
import { loadSandbox, type SandboxInfo } from '../../support/sandbox';
import { sandboxCluster, untilValue } from '../cluster/sandboxCluster';

const until = <T>(what: string, check: () => T | undefined | Promise<T | undefined>): Promise<T> => untilValue(what, check, 90_000);

let info: SandboxInfo;
let registry: ClusterRegistry;
let cluster: Cluster;
let folder: LocalFolder;
const finished: FinishedJobReport[] = [];
const histories: History[] = [];
const remoteDir = `~/accounting-service-tests/${randomBytes(4).toString('hex')}`;

before(async () => {
  info = loadSandbox();
  ({ registry, cluster } = sandboxCluster(info, {
    remoteDir,
    // Short, so that several refreshes happen while the job runs.
    refreshIntervalMs: () => 2_000,
    historyDays: () => 1,
  }));
  registry.onDidFinishJob((job) => finished.push(job));
  cluster.onDidChangeHistory((h) => histories.push(h));
  const root = mkdtempSync(path.join(tmpdir(), 'hpcw-acct-service-'));
  // Holds ~50 MiB for a few seconds so that sstat (sampling every 2 s with slurmdbd) sees it.
  writeFileSync(
    path.join(root, 'hold.sbatch'),
    '#!/bin/bash\n#SBATCH -p debug\n#SBATCH -t 2\n#SBATCH --mem=500M\n#SBATCH -o hold-%j.out\n/usr/bin/python3 -c "import time; b = bytearray(50 * 1024 * 1024); [b.__setitem__(i, 1) for i in range(0, len(b), 4096)]; time.sleep(8)"\n',
  );
  folder = { root, name: 'ws' };
});

after(async () => {
  await cluster.exec(['sh', '-c', 'rm -rf "$HOME/accounting-service-tests"']).catch(() => undefined);
  registry.dispose();
});

test('a saved history shows until the first fetch replaces it', () => {
  const saved: History = { source: 'slurmdbd', jobs: [], fetchedAt: '2026-01-01T00:00:00.000Z' };
  cluster.restoreHistory(saved);
  assert.equal(cluster.view().history, saved);
});

test('history on start and on my job\'s end only; sstat on demand; efficiency in the end report', async () => {
  await cluster.connect();
  const first = await until('the history fetched on start', () => (cluster.historyFetches >= 1 && cluster.history?.fetchedAt !== '2026-01-01T00:00:00.000Z' ? cluster.history : undefined));
  assert.equal(first.source, info.accounting);
  const { jobId } = await cluster.submit(folder, path.join(folder.root, 'hold.sbatch'));
  if (info.accounting === 'slurmdbd') {
    const live = await until('live use of the running job', async () => {
      const steps = (await cluster.liveUse([jobId])).byJob.get(jobId);
      return steps?.some((s) => (s.maxRssMiB ?? 0) > 0) ? steps : undefined;
    });
    assert.equal(live.find((s) => s.stepId === 'batch')?.tasks, 1);
    assert.match(await cluster.jobDetails(jobId), /# Live use \(sstat\)\n\n {2}step batch +1 task\(s\)/);
  }
  const fetchesBeforeEnd = cluster.historyFetches;
  const report = await until('the end report', () => finished.find((j) => j.jobId === jobId));
  assert.equal(report.state, 'COMPLETED');
  // Refreshes ran every 2 s meanwhile: the history was fetched for the ending (once, or twice when
  // slurmdbd recorded the end a moment after squeue forgot the job), never per refresh.
  assert.ok(cluster.historyFetches - fetchesBeforeEnd <= 2, `history fetches for one ending: ${cluster.historyFetches - fetchesBeforeEnd}`);
  if (info.accounting === 'slurmdbd') {
    const history = await until('the job in the history', () => cluster.history?.jobs.find((j) => j.jobId === jobId));
    assert.equal(history.state, 'COMPLETED');
    assert.ok(history.steps.length > 0);
    // The end report waits for the record (one refresh at most) and carries the efficiency.
    assert.equal(report.accounting?.jobId, jobId);
    assert.equal(report.efficiency?.memory?.requestedMiB, 500);
    assert.ok((report.efficiency?.memory?.peakMiB ?? 0) >= 50, `peak ${report.efficiency?.memory?.peakMiB}`);
    assert.ok(report.efficiency?.cpu !== undefined);
    assert.equal(cluster.history?.note, undefined);
    const details = await cluster.jobDetails(jobId);
    assert.match(details, /# Accounting \(sacct, per step\)/);
    assert.match(details, /step batch +COMPLETED/);
  } else {
    assert.equal(report.efficiency, undefined);
    assert.match(cluster.history?.note ?? '', /needs Slurm's accounting database/);
    await until('the job in the history (job completion log)', async () => (await cluster.refreshHistory()).jobs.find((j) => j.jobId === jobId));
  }
});
