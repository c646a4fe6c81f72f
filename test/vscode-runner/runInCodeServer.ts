/**
 * Runs VS Code extension tests inside code-server, accepting the arguments that
 * @vscode/test-electron passes to a VS Code executable. The executable itself is
 * test/vscode-runner/code (a tiny JS file that loads the compiled form of this module).
 *
 *   code [--extensionDevelopmentPath=DIR]... --extensionTestsPath=FILE
 *        [--user-data-dir=DIR] [--extensions-dir=DIR] [--disable-extensions] [WORKSPACE]
 *
 * It starts code-server on a free loopback port, opens the workbench in headless Chromium with
 * VS Code's browser test protocol (the `payload` URL parameter), prints the test output that the
 * workbench hands to `codeAutomationLog`, and exits with the code given to `codeAutomationExit`.
 * Its environment reaches the extension host (a child of code-server).
 *
 * Environment: HPCW_VSCODE_TEST_TIMEOUT (seconds, default 600) ends a run that hangs;
 * HPCW_VSCODE_RUNNER_DEBUG=1 also prints code-server's output and the browser console.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import { launchChromium, startCodeServer, type CodeServer, type HeadlessChromium } from '../support/codeServer';

export interface RunnerArgs {
  extensionDevelopmentPaths: string[];
  extensionTestsPath?: string;
  userDataDir?: string;
  extensionsDir?: string;
  disableExtensions: boolean;
  workspace?: string;
}

/** Parses VS Code's command line (`--name=value` or `--name value`); unknown flags are ignored. */
export function parseRunnerArgs(argv: readonly string[]): RunnerArgs {
  const result: RunnerArgs = { extensionDevelopmentPaths: [], disableExtensions: false };
  const withValue = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      result.workspace = path.resolve(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value: string | undefined = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && withValue.has(name) && i + 1 < argv.length) value = argv[++i];
    switch (name) {
      case 'extensionDevelopmentPath':
        if (value) result.extensionDevelopmentPaths.push(path.resolve(value));
        break;
      case 'extensionTestsPath':
        if (value) result.extensionTestsPath = path.resolve(value);
        break;
      case 'user-data-dir':
        if (value) result.userDataDir = path.resolve(value);
        break;
      case 'extensions-dir':
        if (value) result.extensionsDir = path.resolve(value);
        break;
      case 'disable-extensions':
        result.disableExtensions = true;
        break;
      default:
        break; // --no-sandbox, --disable-updates, --skip-welcome ...: desktop-only, ignored
    }
  }
  return result;
}

/** The file the extension host loads: a folder means its index.js, as in desktop VS Code. */
function testsEntry(extensionTestsPath: string): string {
  if (fs.existsSync(extensionTestsPath) && fs.statSync(extensionTestsPath).isDirectory()) {
    return path.join(extensionTestsPath, 'index.js');
  }
  return extensionTestsPath;
}

/** The workbench forwards console calls: a printf-style format string and its arguments. */
function formatLogArgs(args: unknown): string {
  const list: unknown[] = Array.isArray(args) ? args : [args];
  return format(...list);
}

export async function runInCodeServer(argv: readonly string[]): Promise<number> {
  const args = parseRunnerArgs(argv);
  if (!args.extensionTestsPath) {
    console.error('run-in-code-server: --extensionTestsPath=<file> is required');
    return 2;
  }
  const debug = process.env.HPCW_VSCODE_RUNNER_DEBUG === '1';
  const timeoutSec = Number(process.env.HPCW_VSCODE_TEST_TIMEOUT ?? '600') || 600;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-vscode-test-'));
  const workspace = args.workspace ?? path.join(scratch, 'workspace');
  fs.mkdirSync(workspace, { recursive: true });

  let server: CodeServer | undefined;
  let chromium: HeadlessChromium | undefined;
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await chromium?.close();
      await server?.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    })());

  let settle!: (code: number) => void;
  const result = new Promise<number>((resolve) => (settle = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`run-in-code-server: ${signal}, stopping code-server and chromium`);
    settle(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const timer = setTimeout(() => {
    console.error(`run-in-code-server: no result after ${timeoutSec} s (HPCW_VSCODE_TEST_TIMEOUT), giving up`);
    settle(124);
  }, timeoutSec * 1000);

  try {
    const started = Date.now();
    // The browser test protocol has no `disableExtensions`: an empty extensions folder does it.
    const extensionsDir = args.disableExtensions
      ? path.join(scratch, 'no-extensions')
      : (args.extensionsDir ?? path.join(scratch, 'extensions'));
    // A reused user-data folder must not restore the previous run's editors.
    if (args.userDataDir) {
      for (const state of ['Backups', path.join('User', 'workspaceStorage')]) {
        fs.rmSync(path.join(args.userDataDir, state), { recursive: true, force: true });
      }
    }
    // code-server and Chromium start side by side; whichever started is ended by cleanup().
    const [serverStart, chromiumStart] = await Promise.allSettled([
      startCodeServer({
        userDataDir: args.userDataDir ?? path.join(scratch, 'user-data'),
        extensionsDir,
        env: process.env,
        onOutput: debug ? (line) => console.error(`[code-server] ${line}`) : undefined,
      }),
      launchChromium(),
    ]);
    if (serverStart.status === 'fulfilled') server = serverStart.value;
    if (chromiumStart.status === 'fulfilled') chromium = chromiumStart.value;
    if (serverStart.status === 'rejected') throw serverStart.reason;
    if (chromiumStart.status === 'rejected') throw chromiumStart.reason;
    if (!server || !chromium) throw new Error('unreachable');
    server.exited.catch((e: Error) => {
      console.error(`run-in-code-server: ${e.message}`);
      settle(1);
    });
    const page = await chromium.browser.newPage();
    await page.exposeFunction('codeAutomationLog', (type: string, logArgs: unknown) => {
      const text = formatLogArgs(logArgs);
      if (type === 'error' || type === 'warn') console.error(text);
      else console.log(text);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => settle(Number(code) || 0));
    page.on('pageerror', (e) => console.error(`[workbench] ${e.message}`));
    if (debug) page.on('console', (m) => console.error(`[browser ${m.type()}] ${m.text()}`));
    const payload: [string, string][] = [
      ...args.extensionDevelopmentPaths.map((p): [string, string] => ['extensionDevelopmentPath', server!.remoteUri(p)]),
      ['extensionTestsPath', server.remoteUri(testsEntry(args.extensionTestsPath))],
      ['skipWelcome', 'true'],
    ];
    const url = server.workbenchUrl(workspace, payload);
    if (debug) console.error(`[run-in-code-server] ${url}`);
    console.error(`run-in-code-server: code-server ${server.origin} (pid ${server.pid}) and chromium (pid ${chromium.pid}) up in ${Date.now() - started} ms`);
    // No navigation timeout of its own: the result, a signal or HPCW_VSCODE_TEST_TIMEOUT ends the run.
    page.goto(url, { waitUntil: 'domcontentloaded', timeout: 0 }).catch((e: Error) => {
      console.error(`run-in-code-server: the workbench did not load: ${e.message}`);
      settle(1);
    });
    return await result;
  } catch (e) {
    console.error(`run-in-code-server: ${(e as Error).stack ?? e}`);
    return 1;
  } finally {
    clearTimeout(timer);
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
