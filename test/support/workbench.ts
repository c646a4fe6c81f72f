/**
 * Driving the VS Code workbench (code-server in headless Chromium) as a person would: the
 * command palette, quick open, quick picks and input boxes, notifications, the HPC Workbench
 * view container. Shared by the UI tests (test/ui) and the screenshot script
 * (scripts/screenshots.ts).
 *
 * Selectors change between VS Code versions (these are VS Code 1.100's): every helper waits for
 * the state it expects rather than reading once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { repoRoot, type CodeServer, type HeadlessChromium } from './codeServer';
import { until } from './until';

/** Generous: the machine may be busy (2 cores shared with other test layers). */
export const STEP_TIMEOUT = 60_000;

interface Manifest {
  publisher: string;
  name: string;
  version: string;
}

export function manifest(): Manifest {
  return JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as Manifest;
}

/** `publisher.name`, as VS Code names the extension. */
export function extensionId(): string {
  const m = manifest();
  return `${m.publisher}.${m.name}`;
}

/** Installs the extension into `extensionsDir` as a symlink to this checkout (runs dist/). */
export function linkExtension(extensionsDir: string): void {
  const m = manifest();
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.symlinkSync(repoRoot, path.join(extensionsDir, `${m.publisher}.${m.name}-${m.version}`));
}

/** Opens the workbench at `url` and waits until it is drawn. */
/**
 * Loads the workbench page and waits for the workbench. A page that does not become the
 * workbench (seen once in CI: a bare "Running" text page instead of code-server's) is loaded
 * once more, after saying what it showed; a second miss fails with that description.
 */
export async function openWorkbench(page: Page, url: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    // The workbench's own load can be slow on a busy machine: STEP_TIMEOUT per step is not enough.
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    try {
      await page.locator('.monaco-workbench').waitFor({ timeout: STEP_TIMEOUT });
      return;
    } catch (error) {
      const shown = (await page.locator('body').innerText({ timeout: 5_000 }).catch(() => '(no body)')).slice(0, 200);
      const what = `the workbench did not load from ${page.url()}; the page shows: ${JSON.stringify(shown)}`;
      if (attempt >= 2) throw new Error(`${what} (${(error as Error).message.split('\n')[0]})`);
      console.log(`# ${what}: loading it again`);
    }
  }
}

/**
 * Shows the HPC Workbench container and waits for the Jobs view's pane. The activity bar item is
 * clicked only while the container is not shown: clicking the shown one hides the sidebar, and
 * after a window reload the container comes back open by itself, at some moment.
 */
export async function showWorkbenchContainer(page: Page, paneTitle: string): Promise<void> {
  const item = page.locator('.activitybar .action-item', { has: page.locator('[aria-label^="HPC Workbench"]') }).first();
  const header = page.locator('.part.sidebar .pane-header', { hasText: paneTitle }).first();
  await until(
    async () => {
      if (await header.isVisible()) return true;
      const classes = ((await item.getAttribute('class', { timeout: 5_000 }).catch(() => '')) ?? '').split(/\s+/);
      if (!classes.includes('checked')) await item.click({ timeout: 5_000 }).catch(() => undefined);
      return undefined;
    },
    { what: `the ${paneTitle} view in the HPC Workbench container`, timeoutMs: STEP_TIMEOUT, intervalMs: 500 },
  );
}

function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget input');
}

/** How long one try of a key press waits for its effect before the key is pressed again. */
const RETRY_MS = 5_000;

/**
 * Runs a command by its title through the command palette (F1). The palette lists the commands
 * enabled when it opens: one that is not yet (the workbench still starting) is looked for again
 * in a reopened palette, until STEP_TIMEOUT. F1 is pressed again when the palette does not show
 * (a key press can be lost while the workbench moves the focus, e.g. an editor opening).
 */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT;
  const input = quickInput(page);
  // Enter runs the focused row: wait until the filtered list has focused this command.
  const row = page.locator('.quick-input-list .monaco-list-row.focused', { hasText: title }).first();
  for (;;) {
    const left = () => Math.max(1000, deadline - Date.now());
    if (!(await input.isVisible())) {
      await page.keyboard.press('F1');
      const shown = await input.waitFor({ state: 'visible', timeout: Math.min(RETRY_MS, left()) }).then(
        () => true,
        () => false,
      );
      if (!shown) {
        if (Date.now() >= deadline) throw new Error(`runFromPalette(${title}): the command palette did not open`);
        continue;
      }
    }
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: Math.min(10_000, left()) });
      break;
    } catch (e) {
      if (Date.now() >= deadline) throw e;
      await page.keyboard.press('Escape');
      await input.waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
    }
  }
  await page.keyboard.press('Enter');
}

/** Waits until the quick input (palette, pick, input box) has closed. */
export async function quickInputClosed(page: Page): Promise<void> {
  await quickInput(page).waitFor({ state: 'hidden', timeout: STEP_TIMEOUT });
}

/** Opens a workspace file by name with quick open (Ctrl+P) and waits for its tab. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  await input.fill(fileName);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: STEP_TIMEOUT });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: path.basename(fileName) }).waitFor({ timeout: STEP_TIMEOUT });
}

/** In an open quick pick, chooses the first row holding `text`. */
export async function pick(page: Page, text: string | RegExp): Promise<void> {
  const row = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: text }) }).first();
  await row.waitFor({ timeout: STEP_TIMEOUT });
  await row.click();
}

/**
 * In an open input box whose prompt holds `prompt`, accepts `value` (default: what it offers).
 * Enter is pressed again while the box stays open with the same prompt (a key press right after
 * the box opened can be lost, or land before the box validated its value).
 */
export async function answerInput(page: Page, prompt: string | RegExp, value?: string): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT;
  const widget = page.locator('.quick-input-widget', { hasText: prompt });
  await widget.waitFor({ state: 'visible', timeout: STEP_TIMEOUT });
  if (value !== undefined) await quickInput(page).fill(value);
  for (;;) {
    // The key goes where the focus is: into the box (a page opening beside it, such as the
    // walkthrough, can hold the focus).
    await quickInput(page).focus();
    await page.keyboard.press('Enter');
    const accepted = await widget.waitFor({ state: 'hidden', timeout: Math.min(RETRY_MS, Math.max(1000, deadline - Date.now())) }).then(
      () => true,
      () => false,
    );
    if (accepted) return;
    if (Date.now() >= deadline) throw new Error(`answerInput(${String(prompt)}): the input box did not accept the answer`);
    if (value !== undefined && (await quickInput(page).inputValue()) !== value) await quickInput(page).fill(value);
  }
}

/** A notification toast holding `text`, once shown. */
export async function notification(page: Page, text: string | RegExp): Promise<Locator> {
  const toast = page.locator('.notification-toast', { hasText: text }).first();
  await toast.waitFor({ timeout: STEP_TIMEOUT });
  return toast;
}

/** Closes every notification toast (they would cover the editor in screenshots). */
export async function clearNotifications(page: Page): Promise<void> {
  await runFromPalette(page, 'Notifications: Clear All Notifications');
  await quickInputClosed(page);
}

/** Opens the HPC Workbench view container and waits for its Clusters and Jobs views. */
export async function openHpcView(page: Page): Promise<Locator> {
  const sidebar = page.locator('.part.sidebar');
  if (!(await sidebar.locator('.pane-header', { hasText: 'Clusters' }).isVisible())) {
    await page.locator('.activitybar [aria-label^="HPC Workbench"]').first().click({ timeout: STEP_TIMEOUT });
  }
  await sidebar.locator('.pane-header', { hasText: 'Clusters' }).waitFor({ timeout: STEP_TIMEOUT });
  await sidebar.locator('.pane-header', { hasText: 'Jobs' }).waitFor({ timeout: STEP_TIMEOUT });
  return sidebar;
}

/** The visible text of the active editor (Monaco draws only the visible lines). */
export function activeEditorLines(page: Page): Locator {
  return page.locator('.editor-group-container.active .editor-instance .view-lines').first();
}

/** The notebook's output webview (outputs draw there: tables, job cards, images). */
export function notebookOutputs(page: Page): FrameLocator {
  return page.frameLocator('.notebook-editor iframe.webview.ready').frameLocator('iframe#active-frame');
}

/**
 * Runs the sample workspace's slurm-notebook.ipynb on `cluster` as a user would: its kernel chosen
 * ("HPC Workbench: <cluster>"), Run All, then, once the job has written a few points, the Python
 * cell run again, which plots the file on the login node. Returns when the plot is shown; the
 * %%sbatch cell's job is still running then (its card live).
 */
export async function runSampleNotebook(page: Page, cluster: string): Promise<FrameLocator> {
  await quickOpen(page, 'slurm-notebook.ipynb');
  await runFromPalette(page, 'Notebook: Select Notebook Kernel');
  // VS Code first asks for the kernel's source (the extension), then for the kernel.
  const row = (label: RegExp) =>
    page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
  const kernel = row(new RegExp(`HPC Workbench: ${cluster.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  const source = row(/^HPC Workbench$/);
  await Promise.race([kernel.waitFor({ timeout: STEP_TIMEOUT }), source.waitFor({ timeout: STEP_TIMEOUT })]);
  if (!(await kernel.isVisible())) await source.click();
  await kernel.click({ timeout: STEP_TIMEOUT });
  await quickInputClosed(page);
  await runFromPalette(page, 'Notebook: Run All');
  // The %sinfo table, then the job's card while it runs (the %%sbatch cell stays running until
  // the job ends; the cells after it run meanwhile).
  const outputs = notebookOutputs(page);
  await outputs.locator('table', { hasText: 'debug' }).first().waitFor({ timeout: STEP_TIMEOUT });
  await outputs.getByText(/RUNNING/).first().waitFor({ timeout: STEP_TIMEOUT });
  await outputs.getByText(/writing sine\.csv/).first().waitFor({ timeout: STEP_TIMEOUT });
  await outputs.getByText(/step 8\b/).first().waitFor({ timeout: 2 * STEP_TIMEOUT });
  // The Python cell run again now that the job has written a few points (Run All ran it at
  // once): focused in command mode (ArrowDown moves to the next cell and reveals it), then its
  // run button.
  await page.locator('.notebook-editor .monaco-list-row', { hasText: '%sinfo' }).locator('.view-lines').first().click({ timeout: STEP_TIMEOUT });
  await page.keyboard.press('Escape');
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  await page.locator('.notebook-editor .monaco-list-row.focused', { hasText: 'matplotlib' }).waitFor({ timeout: STEP_TIMEOUT });
  await page.locator('.notebook-editor .monaco-list-row.focused .run-button-container .monaco-toolbar .action-item').first().click({ timeout: STEP_TIMEOUT });
  await outputs.locator('img').first().waitFor({ timeout: 2 * STEP_TIMEOUT });
  return outputs;
}

/**
 * The end of a UI test: a picture of what the window shows kept as `.artifacts/screenshots/NAME.png`
 * (the CI artifact, also of a failure), then the browser and code-server stopped and the scratch
 * folder removed. Each part may be missing (a set-up that failed half-way).
 */
export async function closeWorkbench(name: string, parts: { page?: Page; chromium?: HeadlessChromium; server?: CodeServer; scratch?: string }): Promise<void> {
  if (parts.page && !parts.page.isClosed()) {
    const screenshots = path.join(repoRoot, '.artifacts', 'screenshots');
    fs.mkdirSync(screenshots, { recursive: true });
    await parts.page.screenshot({ path: path.join(screenshots, `${name}.png`) }).catch(() => undefined);
  }
  await parts.chromium?.close();
  await parts.server?.stop();
  if (parts.scratch) fs.rmSync(parts.scratch, { recursive: true, force: true });
}
