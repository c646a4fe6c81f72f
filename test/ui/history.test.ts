/**
 * The job history survives a window reload (issue 11), in code-server in headless Chromium,
 * against the sandbox with slurmdbd (`sandbox.sh up --accounting slurmdbd`; skipped otherwise:
 * scripts/test-all.sh runs it as the `ui-history` layer with that instance's environment).
 *
 * A job of this test's own finishes; the workbench opens and the Jobs view's History (sacct,
 * fetched on start) shows it. Then the controller is frozen (SIGSTOP) and the page reloaded:
 * the cluster cannot answer, and the history is fetched only after the cluster's first answer, so
 * the job that shows again comes from the history the extension stored (workspace state) before
 * the reload. The controller is thawed: the first answer refetches the history from sacct, and
 * the job is still there, now with the cluster's queue summary beside it.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { installVsix, launchChromium, repoRoot, startCodeServer, vsixUnderTest, type CodeServer, type HeadlessChromium } from '../support/codeServer';
import { loadSandbox, runCommand, sandboxCtl, slurmEnv, waitForJobEnd, type SandboxInfo } from '../support/sandbox';
import { until } from '../support/until';
import { closeWorkbench, linkExtension, openWorkbench, showWorkbenchContainer, STEP_TIMEOUT } from '../support/workbench';

let info: SandboxInfo | undefined;
try {
  info = loadSandbox();
} catch {
  info = undefined;
}
const skip = info?.accounting !== 'slurmdbd' ? 'needs the sandbox with slurmdbd (scripts/test-all.sh ui-history, or HPCW_SANDBOX_DIR of one)' : false;

let scratch = '';
let workspace = '';
let server: CodeServer | undefined;
let chromium: HeadlessChromium | undefined;
let page: Page;
let frozen = false;
const jobName = `hpcw-ui-hist-${randomBytes(3).toString('hex')}`;
let jobId = '';

/** The Jobs view's pane in the HPC Workbench container. */
function jobsPane(): Locator {
  return page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: 'Jobs' }) });
}

function row(text: string | RegExp): Locator {
  return jobsPane().locator('.monaco-list-row', { hasText: text }).first();
}

/** Opens the HPC Workbench container and waits for the Jobs view's pane. */
async function showJobsView(): Promise<void> {
  await showWorkbenchContainer(page, 'Jobs');
  // A collapsed Jobs pane (the view state is kept across reloads): open it.
  const header = jobsPane().locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
}

/** Waits for the History group and, collapsed or not, for the test's job under it; returns the job's row. */
async function jobInHistory(): Promise<Locator> {
  const history = row(/^History/);
  await history.waitFor({ timeout: 120_000 });
  const job = row(`${jobId} ${jobName}`);
  return until(
    async () => {
      if (await job.isVisible()) return job;
      if ((await history.getAttribute('aria-expanded')) === 'false') await history.click();
      return undefined;
    },
    { what: `job ${jobId} under History`, timeoutMs: STEP_TIMEOUT, intervalMs: 500 },
  );
}

before(async () => {
  if (skip || !info) return;
  const started = Date.now();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-ui-history-'));
  const extensionsDir = path.join(scratch, 'extensions');
  const vsix = vsixUnderTest();
  if (vsix) console.log(`installed ${await installVsix(vsix, extensionsDir)} from ${path.relative(repoRoot, vsix)}`);
  else linkExtension(extensionsDir);

  // The cluster through local Slurm commands, as this user (the job below is "mine").
  workspace = path.join(scratch, 'workspace');
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'hpcWorkbench.clusters': [{ name: 'sandbox', transport: 'local', slurmConf: info.slurmConf }], 'hpcWorkbench.refreshInterval': 3 }),
  );

  // A job that has finished and is in the accounting database before the workbench opens.
  const env = slurmEnv(info);
  const r = await runCommand('sbatch', ['--parsable', '-J', jobName, '-p', 'debug', '-t', '2', '--mem=100M', '-o', path.join(scratch, 'job-%j.out'), '--wrap', 'sleep 1'], { env, timeoutMs: 30_000 });
  assert.equal(r.code, 0, `sbatch: ${r.stderr}`);
  jobId = r.stdout.trim().split(';')[0];
  await waitForJobEnd(jobId, { info, timeoutMs: 120_000 });
  await until(
    async () => {
      const s = await runCommand('sacct', ['-n', '-X', '-P', '-j', jobId, '-o', 'State'], { env, timeoutMs: 30_000 });
      return s.stdout.trim() === 'COMPLETED';
    },
    { what: `job ${jobId} COMPLETED in sacct`, timeoutMs: 60_000, intervalMs: 500 },
  );

  [server, chromium] = await Promise.all([startCodeServer({ userDataDir: path.join(scratch, 'user-data'), extensionsDir }), launchChromium()]);
  page = await chromium.browser.newPage({ viewport: { width: 1400, height: 850 } });
  await openWorkbench(page, server.workbenchUrl(workspace));
  console.log(`workbench loaded ${Date.now() - started} ms after start (job ${jobId})`);
});

after(async () => {
  if (frozen) await sandboxCtl('thaw-ctld').catch(() => undefined);
  await closeWorkbench('ui-history', { page, chromium, server, scratch });
});

test('a finished job stays in the History after a window reload: first from the stored history, then refetched', { skip, timeout: 420_000 }, async (t) => {
  await showJobsView();
  // Fetched from sacct on start (after the cluster's first answer).
  const first = await jobInHistory();
  assert.match((await first.innerText()).replace(/\s+/g, ' '), /COMPLETED · exit 0:0/);
  await row(/^sandbox.*running/).waitFor({ timeout: STEP_TIMEOUT });
  t.diagnostic('before the reload: in History (sacct, fetched on start)');

  // The cluster cannot answer after the reload: no refresh succeeds, so no history fetch either.
  await sandboxCtl('freeze-ctld');
  frozen = true;
  await page.reload({ waitUntil: 'domcontentloaded', timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT });
  await showJobsView();
  const restored = await jobInHistory();
  assert.match((await restored.innerText()).replace(/\s+/g, ' '), /COMPLETED · exit 0:0/);
  // Proof that it is the stored history: the cluster has not answered (no queue summary on its row).
  assert.equal(await row(/^sandbox.*running/).isVisible(), false, 'the frozen controller answered a refresh');
  t.diagnostic('after the reload, controller frozen: in History (the stored history)');

  // Thawed: the first answer refetches the history; the job is still there.
  await sandboxCtl('thaw-ctld');
  frozen = false;
  await row(/^sandbox.*running/).waitFor({ timeout: 120_000 });
  const refetched = await jobInHistory();
  assert.match((await refetched.innerText()).replace(/\s+/g, ' '), /COMPLETED · exit 0:0/);
  t.diagnostic('after the thaw: in History (refetched from sacct)');
});
