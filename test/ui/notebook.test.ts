/**
 * The sample Slurm notebook in the real UI, as a user runs it: code-server with the extension
 * (the packaged .vsix when HPCW_VSIX names one), the sample workspace with a cluster reached over
 * SSH (the sandbox's `hpcw-sandbox` alias), the kernel "HPC Workbench: sandbox" chosen, Run All.
 * The %%sbatch cell's card follows the job live, the Python cell (a kernel on the login node)
 * plots the file the job is writing, and the card ends COMPLETED. The picture is kept in
 * .artifacts/screenshots/ui-notebook.png.
 *
 * Needs the sandbox cluster up (SLURM_CONF and HPCW_CLIENT_HOME from `sandbox.sh env`, as
 * scripts/test-all.sh exports them), code-server, and Jupyter Server on the login node (the
 * sandbox's Debian packages).
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { installVsix, launchChromium, repoRoot, startCodeServer, vsixUnderTest, writeSettings, type CodeServer, type HeadlessChromium } from '../support/codeServer';
import { closeWorkbench, linkExtension, openWorkbench, runSampleNotebook, STEP_TIMEOUT } from '../support/workbench';


let scratch: string;
let server: CodeServer | undefined;
let chromium: HeadlessChromium | undefined;
let page: Page;
let workspace: string;

before(async () => {
  assert.ok(process.env.SLURM_CONF && process.env.HPCW_CLIENT_HOME, 'the sandbox cluster is up: eval "$(bash test/sandbox/sandbox.sh env)"');
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-ui-notebook-'));
  const extensionsDir = path.join(scratch, 'extensions');
  const vsix = vsixUnderTest();
  if (vsix) await installVsix(vsix, extensionsDir);
  else linkExtension(extensionsDir);
  workspace = path.join(scratch, 'workspace');
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), workspace, { recursive: true });
  fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
  // A remote folder of this run's own, so that an earlier run's sine.csv cannot be plotted.
  const remoteDir = `~/hpc-workbench/ui-notebook-${crypto.randomBytes(4).toString('hex')}`;
  fs.writeFileSync(
    path.join(workspace, '.vscode', 'settings.json'),
    JSON.stringify({ 'hpcWorkbench.clusters': [{ name: 'sandbox', host: 'hpcw-sandbox', remoteDir }], 'hpcWorkbench.refreshInterval': 5 }, null, 2),
  );
  const userDataDir = path.join(scratch, 'user-data');
  writeSettings(userDataDir, {});
  [server, chromium] = await Promise.all([
    // The user's home is the sandbox's client home: its ~/.ssh/config has `hpcw-sandbox`.
    startCodeServer({ userDataDir, extensionsDir, env: { ...process.env, HOME: process.env.HPCW_CLIENT_HOME } }),
    launchChromium(),
  ]);
  page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await openWorkbench(page, server.workbenchUrl(workspace));
});

after(async () => {
  await closeWorkbench('ui-notebook', { page, chromium, server, scratch });
});

test('the sample notebook runs: %sinfo table, a live job card, a plot from the kernel on the login node, the job COMPLETED', { timeout: 600_000 }, async (t) => {
  const started = Date.now();
  const outputs = await runSampleNotebook(page, 'sandbox');
  t.diagnostic(`plot shown while the job runs: ${Date.now() - started} ms`);
  // The plot is the kernel's image/png, drawn as an image of real size.
  const img = outputs.locator('img').first();
  const size = await img.evaluate((el) => {
    const image = el as unknown as { naturalWidth: number; naturalHeight: number }; // the tests' typings have no DOM
    return { w: image.naturalWidth, h: image.naturalHeight };
  });
  assert.ok(size.w > 100 && size.h > 100, `the plot is an image (${size.w}×${size.h})`);
  assert.match((await img.getAttribute('src')) ?? '', /^(data:image\/png|blob:)/);
  // The card ends with the job's final state.
  await outputs.getByText(/COMPLETED/).first().waitFor({ timeout: 3 * STEP_TIMEOUT });
  await outputs.getByText(/done: 16 points/).first().waitFor({ timeout: STEP_TIMEOUT });
  t.diagnostic(`job COMPLETED in its card: ${Date.now() - started} ms`);
});
