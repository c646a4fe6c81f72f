/**
 * Takes the walkthrough's and the README's pictures from the real UI: the demo's sample
 * workspace (a scratch copy, with the demo's settings) in code-server with the extension
 * installed, driven in headless Chromium as a person would. Run through `npm run screenshots`
 * (scripts/screenshots.sh), which builds, brings the sandbox cluster up and sets HOME to its
 * client home (the `hpcw-sandbox` SSH alias).
 *
 *   node out/scripts/screenshots.js [--out DIR] [--only NAME,...]   # default: media/walkthrough, all
 *
 * Writes connect.png (the explorer), lint.png (a diagnostic and its quick fix), submit.png (a
 * submitted job's output followed live), mpi.png (a rank-tagged MPI run), map.png (the cluster
 * map, the running job's cores lit) and notebook.png (the sample Slurm notebook: a %%sbatch
 * cell's live job card and a Python cell's plot of the file the job writes). Every step waits
 * for the state it shows; a step that does not come fails the script (exit 1) and leaves a
 * full-window picture of what was on screen in .artifacts/screenshots/.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { launchChromium, repoRoot, startCodeServer, writeSettings, type CodeServer, type HeadlessChromium } from '../test/support/codeServer';
import {
  activeEditorLines,
  answerInput,
  clearNotifications,
  linkExtension,
  notification,
  openHpcView,
  openWorkbench,
  pick,
  quickInputClosed,
  quickOpen,
  runFromPalette,
  runSampleNotebook,
  STEP_TIMEOUT,
} from '../test/support/workbench';

// Pictures and what each shows: one entry here, one function below.
type Picture = 'connect' | 'lint' | 'submit' | 'mpi' | 'map' | 'notebook';

const VIEWPORT = { width: 1280, height: 760 };

/** A job of the script's own that prints for a while, so that the picture shows it running. */
const FOLLOW_JOB = `#!/bin/bash
#SBATCH --job-name=steps
#SBATCH --partition=debug
#SBATCH --ntasks=1
#SBATCH --time=00:05:00
#SBATCH --output=steps-%j.out

# Prints a line every second for two minutes.
echo "job \${SLURM_JOB_ID} on \${SLURMD_NODENAME:-$(hostname)}"
for step in $(seq 1 120); do
  echo "step $step of 120"
  sleep 1
done
`;

function parseOut(argv: readonly string[]): string {
  const i = argv.indexOf('--out');
  return path.resolve(i >= 0 && argv[i + 1] ? argv[i + 1] : path.join(repoRoot, 'media', 'walkthrough'));
}

/** The sample workspace with the demo's settings (scripts/demo-settings.mjs), as the demo has it. */
function prepareWorkspace(dir: string): void {
  fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'workspace'), dir, { recursive: true });
  fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
  const settings = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'demo-settings.mjs')], { encoding: 'utf8' });
  fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), settings);
  fs.writeFileSync(path.join(dir, 'jobs', 'steps.sbatch'), FOLLOW_JOB);
}

/** The union of the boxes of `parts`, as a screenshot clip inside the viewport. */
async function clipOf(...parts: Locator[]): Promise<{ x: number; y: number; width: number; height: number }> {
  const boxes = [];
  for (const part of parts) {
    const box = await part.boundingBox();
    if (!box) throw new Error(`no bounding box for ${String(part)}`);
    boxes.push(box);
  }
  const x = Math.max(0, Math.min(...boxes.map((b) => b.x)));
  const y = Math.max(0, Math.min(...boxes.map((b) => b.y)));
  const right = Math.min(VIEWPORT.width, Math.max(...boxes.map((b) => b.x + b.width)));
  const bottom = Math.min(VIEWPORT.height, Math.max(...boxes.map((b) => b.y + b.height)));
  return { x, y, width: right - x, height: bottom - y };
}

/** Drags the sidebar's edge to the right, so that the trees' descriptions show in full. */
async function widenSidebar(page: Page): Promise<void> {
  const sidebar = await openHpcView(page);
  const box = await sidebar.boundingBox();
  if (!box) return;
  const edge = box.x + box.width;
  await page.mouse.move(edge + 1, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(edge + 120, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
}

async function connect(page: Page): Promise<Locator[]> {
  const sidebar = await openHpcView(page);
  const rows = sidebar.locator('.monaco-list-row');
  await rows.filter({ hasText: /sandbox.*4 nodes/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  await rows.filter({ hasText: /debug/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  await rows.filter({ hasText: /compute/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  // The job submitted for submit.png, in the Jobs view.
  await rows.filter({ hasText: /steps/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  // The SSH cluster's debug partition, opened to its nodes.
  const debug = rows.filter({ hasText: /debug \(default\)/ }).first();
  if ((await debug.getAttribute('aria-expanded')) !== 'true') await debug.click();
  await rows.filter({ hasText: /\bn1\s*(idle|alloc|mix)/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  return [sidebar];
}

async function lint(page: Page): Promise<Locator[]> {
  await quickOpen(page, 'broken.sbatch');
  const editor = page.locator('.editor-group-container.active .editor-instance');
  await editor.locator('.squiggly-error').first().waitFor({ timeout: STEP_TIMEOUT });
  // The cursor on the misspelled option, then the quick fixes (Ctrl+.).
  await runFromPalette(page, 'Go to Line/Column');
  await answerInput(page, /line/i, ':3:11');
  await quickInputClosed(page);
  const fixes = page.locator('.action-widget');
  for (let attempt = 0; attempt < 5 && !(await fixes.isVisible()); attempt++) {
    await page.keyboard.press('Control+.');
    await fixes.waitFor({ timeout: 5000 }).catch(() => undefined);
  }
  await fixes.filter({ hasText: '--time' }).waitFor({ timeout: STEP_TIMEOUT });
  return [page.locator('.part.editor')];
}

async function submit(page: Page): Promise<Locator[]> {
  await quickOpen(page, 'steps.sbatch');
  await runFromPalette(page, 'HPC: Submit Job');
  await pick(page, /^sandbox(?!-)/);
  const toast = await notification(page, /Submitted job \d+ to sandbox/);
  await toast.locator('.monaco-button', { hasText: 'Show Output' }).click({ timeout: STEP_TIMEOUT });
  await page.locator('.tabs-container .tab.active', { hasText: /steps-\d+\.out/ }).waitFor({ timeout: STEP_TIMEOUT });
  await activeEditorLines(page).filter({ hasText: /step\s5\sof\s120/ }).waitFor({ timeout: STEP_TIMEOUT });
  await clearNotifications(page);
  await openHpcView(page);
  await page.locator('.part.sidebar .monaco-list-row', { hasText: /steps/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  return [page.locator('.part.sidebar'), page.locator('.part.editor')];
}

async function mpi(page: Page): Promise<Locator[]> {
  await quickOpen(page, 'pi.py');
  await runFromPalette(page, 'HPC: Run with MPI');
  await answerInput(page, /MPI ranks/, '4');
  await quickInputClosed(page);
  const terminal = page.locator('.part.panel .terminal-wrapper.active, .part.panel .terminal-wrapper').first();
  await terminal.waitFor({ timeout: STEP_TIMEOUT });
  // Every rank has spoken and rank 0 printed the result.
  // The terminal draws with the DOM renderer (terminal.integrated.gpuAcceleration off), so its
  // rows can be read.
  const rows = page.locator('.part.panel .xterm-rows');
  for (const rank of [0, 1, 2, 3]) await rows.filter({ hasText: new RegExp(`\\[rank\\s${rank}\\]`) }).first().waitFor({ timeout: STEP_TIMEOUT });
  await rows.filter({ hasText: /MPI\srun\sfinished/ }).first().waitFor({ timeout: STEP_TIMEOUT });
  return [page.locator('.part.editor'), page.locator('.part.panel')];
}

/** In a quick pick of clusters (shown when several are configured), chooses the SSH sandbox. */
async function chooseSandboxIfAsked(page: Page, shown: Locator): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: /^\s*sandbox(?!-)/ }).first();
  await Promise.race([shown.waitFor({ timeout: STEP_TIMEOUT }), row.waitFor({ timeout: STEP_TIMEOUT })]);
  if (await row.isVisible()) await row.click();
  await shown.waitFor({ timeout: STEP_TIMEOUT });
}

async function map(page: Page): Promise<Locator[]> {
  await runFromPalette(page, 'HPC: Show Cluster Map');
  await chooseSandboxIfAsked(page, page.locator('.tabs-container .tab.active', { hasText: /Cluster Map: sandbox$/ }));
  // The map's webview (the only one open at this point: it is taken before the notebook).
  const view = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  await view.locator('#status', { hasText: 'sandbox · 4 nodes' }).waitFor({ timeout: STEP_TIMEOUT });
  await view.locator('#table tbody tr').nth(3).waitFor({ timeout: STEP_TIMEOUT });
  return [page.locator('.part.editor')];
}

async function notebook(page: Page): Promise<Locator[]> {
  await runSampleNotebook(page, 'sandbox');
  // The plot brought up under the card's last lines: the wheel over the cell's source scrolls the
  // notebook (smoothly: the picture waits until the cell stops moving).
  const cell = page.locator('.notebook-editor .monaco-list-row.focused .view-lines').first();
  const at = await cell.boundingBox();
  if (at) {
    await page.mouse.move(at.x + 20, at.y + 10);
    await page.mouse.wheel(0, 700);
    let last = at.y;
    for (let still = 0, frames = 0; still < 3 && frames < 300; frames++) {
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(resolve))');
      const y = (await cell.boundingBox())?.y ?? last;
      still = y === last && y !== at.y ? still + 1 : 0;
      last = y;
    }
  }
  return [page.locator('.part.editor')];
}

const steps: Record<Picture, (page: Page) => Promise<Locator[]>> = { connect, lint, submit, mpi, map, notebook };
// The order in which they are taken: the job submitted for submit.png shows in connect.png and
// lights its cores in map.png; the map's webview is the only one until the notebook's.
const ORDER: Picture[] = ['submit', 'connect', 'map', 'lint', 'mpi', 'notebook'];

/** `--only connect,map`: just those pictures (in the usual order). */
function parseOnly(argv: readonly string[]): Picture[] {
  const i = argv.indexOf('--only');
  if (i < 0) return ORDER;
  const names = (argv[i + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !ORDER.includes(n as Picture));
  if (unknown.length > 0 || names.length === 0) throw new Error(`--only takes some of ${ORDER.join(', ')} (got "${argv[i + 1] ?? ''}")`);
  return ORDER.filter((n) => names.includes(n));
}

async function main(): Promise<number> {
  const outDir = parseOut(process.argv.slice(2));
  const only = parseOnly(process.argv.slice(2));
  const artifacts = path.join(repoRoot, '.artifacts', 'screenshots');
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) throw new Error('dist/extension.js is missing: run `npm run build` first');
  if (!process.env.SLURM_CONF) throw new Error('SLURM_CONF is not set: run through `npm run screenshots` (the sandbox cluster must be up)');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-screenshots-'));
  let server: CodeServer | undefined;
  let chromium: HeadlessChromium | undefined;
  let page: Page | undefined;
  let current = '';
  try {
    const workspace = path.join(scratch, 'workspace');
    prepareWorkspace(workspace);
    const extensionsDir = path.join(scratch, 'extensions');
    linkExtension(extensionsDir);
    const userDataDir = path.join(scratch, 'user-data');
    writeSettings(userDataDir, { 'terminal.integrated.gpuAcceleration': 'off' });
    [server, chromium] = await Promise.all([
      startCodeServer({ userDataDir, extensionsDir }),
      launchChromium(),
    ]);
    page = await chromium.browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
    await openWorkbench(page, server.workbenchUrl(workspace));
    await widenSidebar(page);
    fs.mkdirSync(outDir, { recursive: true });
    for (const name of only) {
      current = name;
      const started = Date.now();
      const parts = await steps[name](page);
      // Let the last frame settle (cursor blink, hover fade) before the picture: a state, not a timing.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
      const file = path.join(outDir, `${name}.png`);
      await page.screenshot({ path: file, clip: await clipOf(...parts) });
      console.log(`[screenshots] ${path.relative(repoRoot, file)}: ${Math.round(fs.statSync(file).size / 1024)} KiB, ${Date.now() - started} ms`);
      await page.keyboard.press('Escape');
    }
    return 0;
  } catch (e) {
    console.error(`[screenshots] ${current || 'start'} failed: ${(e as Error).message}`);
    if (page && !page.isClosed()) {
      fs.mkdirSync(artifacts, { recursive: true });
      const file = path.join(artifacts, `screenshots-failed-${current || 'start'}.png`);
      await page.screenshot({ path: file }).catch(() => undefined);
      console.error(`[screenshots] what was on screen: ${path.relative(repoRoot, file)}`);
    }
    return 1;
  } finally {
    await chromium?.close();
    await server?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`[screenshots] ${(e as Error).message}`);
    process.exit(1);
  },
);
