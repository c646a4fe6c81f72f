/**
 * UI smoke test: the workbench in headless Chromium with the extension installed in
 * code-server. Opens an .sbatch file, runs a command from the palette, opens the HPC Workbench
 * view container, and saves a screenshot to .artifacts/screenshots/.
 *
 * Needs `npm run build` (the extension's main is dist/extension.js), or HPCW_VSIX naming the
 * packaged extension (`npm run package`: dist/hpc-workbench.vsix), and code-server
 * (scripts/install-code-server.sh). Selectors change between VS Code versions: this layer stays
 * small, and every step waits for the state it expects.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { installVsix, launchChromium, repoRoot, startCodeServer, vsixUnderTest, type CodeServer, type HeadlessChromium } from '../support/codeServer';
import { closeWorkbench, linkExtension, openWorkbench, quickInputClosed, runFromPalette, showWorkbenchContainer, STEP_TIMEOUT } from '../support/workbench';

// Generous: the machine may be busy (2 cores shared with other test layers).
const screenshots = path.join(repoRoot, '.artifacts', 'screenshots');

let scratch: string;
let workspace: string;
let server: CodeServer | undefined;
let chromium: HeadlessChromium | undefined;
let page: Page;

before(async () => {
  assert.ok(vsixUnderTest() || fs.existsSync(path.join(repoRoot, 'dist', 'extension.js')), 'dist/extension.js exists: run `npm run build` first');
  const started = Date.now();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-ui-smoke-'));

  // The extension: the packaged .vsix when HPCW_VSIX names one (as scripts/test-all.sh does),
  // installed into a fresh extensions folder by code-server's CLI; else a symlink to this checkout.
  const extensionsDir = path.join(scratch, 'extensions');
  const vsix = vsixUnderTest();
  if (vsix) console.log(`installed ${await installVsix(vsix, extensionsDir)} from ${path.relative(repoRoot, vsix)}`);
  else linkExtension(extensionsDir);

  // The sample workspace (a scratch copy), plus a job script of this test's own.
  workspace = path.join(scratch, 'workspace');
  const sample = path.join(repoRoot, 'test', 'fixtures', 'workspace');
  if (fs.existsSync(sample)) fs.cpSync(sample, workspace, { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  fs.writeFileSync(
    path.join(workspace, 'smoke.sbatch'),
    '#!/bin/bash\n#SBATCH --job-name=smoke\n#SBATCH --partition=debug\n#SBATCH --ntasks=2\n\nsrun hostname\n',
  );

  // The sandbox cluster (test-all.sh exports SLURM_CONF before this layer), reached with local
  // Slurm commands: the trees then show its partitions.
  if (process.env.SLURM_CONF) {
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(
      path.join(workspace, '.vscode', 'settings.json'),
      JSON.stringify({ 'hpcWorkbench.clusters': [{ name: 'sandbox', transport: 'local', slurmConf: process.env.SLURM_CONF }] }),
    );
  }

  [server, chromium] = await Promise.all([
    startCodeServer({ userDataDir: path.join(scratch, 'user-data'), extensionsDir }),
    launchChromium(),
  ]);
  page = await chromium.browser.newPage({ viewport: { width: 1400, height: 850 } });
  await openWorkbench(page, server.workbenchUrl(workspace));
  console.log(`workbench loaded ${Date.now() - started} ms after start`);
});

after(async () => {
  await closeWorkbench('ui-smoke', { page, chromium, server, scratch });
});

test('the workbench opens an sbatch file, runs an HPC command and shows the HPC Workbench views', { timeout: 180_000 }, async (t) => {
  const started = Date.now();
  const step = (name: string) => t.diagnostic(`${name}: ${Date.now() - started} ms`);
  // Quick open (Go to File...) an .sbatch file: its editor tab appears and the language is SBATCH.
  await page.keyboard.press('Control+P');
  const quickOpen = page.locator('.quick-input-widget input');
  await quickOpen.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  await quickOpen.fill('smoke.sbatch');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'smoke.sbatch' }).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: 'smoke.sbatch' }).waitFor({ timeout: STEP_TIMEOUT });
  await page.locator('[id="status.editor.mode"]', { hasText: 'SBATCH' }).waitFor({ timeout: STEP_TIMEOUT });
  step('sbatch file open');

  // A command of the extension from the palette: a new job script from the template.
  await runFromPalette(page, 'HPC: New Job Script');
  await quickInputClosed(page);
  await page.locator('.tabs-container .tab.active', { hasText: 'Untitled' }).waitFor({ timeout: STEP_TIMEOUT });
  await page.locator('.editor-instance .view-lines', { hasText: '--job-name' }).first().waitFor({ timeout: STEP_TIMEOUT });
  step('new job script');

  // The HPC Workbench view container with its two views.
  await showWorkbenchContainer(page, 'Clusters');
  const sidebar = page.locator('.part.sidebar');
  await sidebar.locator('.pane-header', { hasText: 'Clusters' }).waitFor({ timeout: STEP_TIMEOUT });
  await sidebar.locator('.pane-header', { hasText: 'Jobs' }).waitFor({ timeout: STEP_TIMEOUT });
  step('views shown');
  const title = await sidebar.locator('.composite.title').innerText();
  assert.match(title, /HPC WORKBENCH/i);

  if (process.env.SLURM_CONF) {
    // The cluster row with its summary, expanded to its partitions, and the cluster in the jobs view.
    const rows = sidebar.locator('.monaco-list-row');
    await rows.filter({ hasText: /sandbox.*4 nodes/ }).first().waitFor({ timeout: STEP_TIMEOUT });
    await rows.filter({ hasText: /debug/ }).first().waitFor({ timeout: STEP_TIMEOUT });
    await rows.filter({ hasText: /compute/ }).first().waitFor({ timeout: STEP_TIMEOUT });
    await rows.filter({ hasText: /running.*pending/ }).first().waitFor({ timeout: STEP_TIMEOUT });
    step('trees show the sandbox cluster');
  } else {
    t.diagnostic('SLURM_CONF is not set: the trees are not checked (run through scripts/test-all.sh)');
  }
});

test('the cluster map draws the sandbox in a webview, with its table (screenshot)', { timeout: 180_000 }, async (t) => {
  if (!process.env.SLURM_CONF) {
    t.skip('SLURM_CONF is not set: no cluster to draw (run through scripts/test-all.sh)');
    return;
  }
  await runFromPalette(page, 'HPC: Show Cluster Map');
  await page.locator('.tabs-container .tab', { hasText: 'Cluster Map: sandbox' }).waitFor({ timeout: STEP_TIMEOUT });
  // The webview's document sits in two nested iframes.
  const map = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await map.locator('#map').waitFor({ timeout: STEP_TIMEOUT });
  await map.locator('#status', { hasText: 'sandbox · 4 nodes' }).waitFor({ timeout: STEP_TIMEOUT });
  await map.locator('#table tbody tr').nth(3).waitFor({ timeout: STEP_TIMEOUT });
  const rows = await map.locator('#table tbody tr th').allInnerTexts();
  assert.deepEqual(rows, ['n1', 'n2', 'n3', 'n4']);
  const label = await map.locator('#map').getAttribute('aria-label');
  assert.match(label ?? '', /^Cluster map of sandbox: 4 nodes in 2 partitions/);
  fs.mkdirSync(screenshots, { recursive: true });
  await page.screenshot({ path: path.join(screenshots, 'cluster-map.png') });
});
