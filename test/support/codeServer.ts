/**
 * Starts and stops code-server (VS Code in the browser, installed by
 * scripts/install-code-server.sh) and headless Chromium, for the VS Code test runner
 * (test/vscode-runner) and the UI smoke tests (test/ui).
 *
 * Every process started here is ended by its PID (its process group), never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** The repository root (this file compiles to out/test/support/codeServer.js). */
export const repoRoot = path.resolve(__dirname, '..', '..', '..');

/** Flags that make Chromium work headless as root on a machine without GPU or internet. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--disable-dev-shm-usage',
];

export function codeServerBinary(): string {
  const dir = process.env.HPCW_CODE_SERVER_DIR ?? path.join(repoRoot, '.cache', 'code-server');
  return path.join(dir, 'node_modules', '.bin', 'code-server');
}

export function chromiumExecutable(): string {
  return process.env.HPCW_CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** User settings that keep the workbench quiet and offline. */
export const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  // HPC Workbench opens its walkthrough on a first run (src/extension/firstRun.ts): not in front
  // of the tests' editors. The walkthrough's own test turns it back on.
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
};

export interface CodeServerOptions {
  userDataDir: string;
  extensionsDir: string;
  /** Environment of code-server and so of the extension host (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Receives code-server's own output lines (default: dropped). */
  onOutput?: (line: string) => void;
}

export interface CodeServer {
  readonly port: number;
  readonly pid: number;
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** Rejects when code-server exits before `stop`. */
  readonly exited: Promise<number | null>;
  /** The workbench URL opening `folder`, with an optional browser test payload. */
  workbenchUrl(folder: string, payload?: [string, string][]): string;
  /** `vscode-remote://` URI of a path on this server, for the test payload. */
  remoteUri(absPath: string): string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as net.AddressInfo;
      server.close(() => resolve(address.port));
    });
  });
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
  });
}

/** Sends `signal` to the process group led by `pid` (falls back to the process alone). */
export function killGroup(pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Ends a child (and its process group): SIGTERM, then SIGKILL after `graceMs`. */
export async function endChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killGroup(pid, 'SIGTERM');
  const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
  if ((await Promise.race([exited, timer])) === 'timeout') {
    killGroup(pid, 'SIGKILL');
    await exited;
  }
  // Grandchildren left in the group (extension host, pty host) get the same treatment.
  killGroup(pid, 'SIGKILL');
}

/**
 * The settings files of a user-data folder: the user's, and the machine's, which a remote window
 * (code-server's) reads for machine-scoped settings such as
 * workbench.welcomePage.walkthroughs.openOnInstall instead of the user's.
 */
function settingsFiles(userDataDir: string): string[] {
  return [path.join(userDataDir, 'User', 'settings.json'), path.join(userDataDir, 'Machine', 'settings.json')];
}

/** Writes `settings` (over the quiet ones) as the user's and the machine's settings. */
export function writeSettings(userDataDir: string, settings: Record<string, unknown>): void {
  for (const file of settingsFiles(userDataDir)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...quietSettings, ...settings }, null, 2) + '\n');
  }
}

/**
 * Gives the settings every quiet setting they do not set themselves: a test's own settings win,
 * and a user-data folder reused from an earlier run gains settings added since.
 */
function writeQuietSettings(userDataDir: string): void {
  for (const file of settingsFiles(userDataDir)) {
    let existing: Record<string, unknown> = {};
    if (fs.existsSync(file)) {
      try {
        existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
      } catch {
        continue; // not plain JSON (settings may hold comments): left as it is
      }
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify({ ...quietSettings, ...existing }, null, 2) + '\n');
  }
}

/**
 * Starts code-server on a free loopback port without authentication, with private user data,
 * extensions and XDG folders, and waits until it answers HTTP.
 */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(options);
    } catch (e) {
      // The free port may have been taken between choosing it and code-server binding it.
      if (attempt >= 3 || !/EADDRINUSE/.test(String(e))) throw e;
    }
  }
}

async function startCodeServerOnce(options: CodeServerOptions): Promise<CodeServer> {
  const binary = codeServerBinary();
  if (!fs.existsSync(binary)) {
    throw new Error(`code-server is not installed at ${binary}: run bash scripts/install-code-server.sh`);
  }
  fs.mkdirSync(options.userDataDir, { recursive: true });
  fs.mkdirSync(options.extensionsDir, { recursive: true });
  writeQuietSettings(options.userDataDir);
  const xdgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-code-server-xdg-'));

  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    XDG_CONFIG_HOME: path.join(xdgRoot, 'config'),
    XDG_DATA_HOME: path.join(xdgRoot, 'data'),
  };
  // Inside a VS Code terminal this would make code-server act as a client of that VS Code.
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;

  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', options.userDataDir,
    '--extensions-dir', options.extensionsDir,
  ];
  const child = spawn(binary, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  const pid = child.pid;
  let output = '';
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) options.onOutput?.(line);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);

  let stopping = false;
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('exit', (code) => {
      if (stopping) resolve(code);
      else reject(new Error(`code-server exited early (code ${code}): ${output}`));
    });
  });
  exited.catch(() => undefined); // observed by callers that care

  const server: CodeServer = {
    port,
    pid,
    origin,
    exited,
    remoteUri: (absPath) => `vscode-remote://127.0.0.1:${port}${absPath}`,
    workbenchUrl(folder, payload) {
      let url = `${origin}/?folder=${encodeURIComponent(folder)}`;
      if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
      return url;
    },
    async stop() {
      stopping = true;
      await endChild(child);
      fs.rmSync(xdgRoot, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await server.stop();
      throw new Error(`code-server exited before answering: ${output}`);
    }
    if ((await httpStatus(`${origin}/healthz`)) === 200) return server;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer on ${origin} within 30 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The packaged extension that the UI tests install (HPCW_VSIX), or undefined: run the checkout. */
export function vsixUnderTest(): string | undefined {
  const vsix = process.env.HPCW_VSIX;
  if (!vsix) return undefined;
  const resolved = path.resolve(repoRoot, vsix);
  if (!fs.existsSync(resolved)) throw new Error(`HPCW_VSIX=${vsix}: no such file (run \`npm run package\`)`);
  return resolved;
}

/**
 * Installs a .vsix into `extensionsDir` with code-server's own CLI (`--install-extension`), as a
 * user does; resolves with the installed folder's name.
 */
export async function installVsix(vsix: string, extensionsDir: string): Promise<string> {
  const binary = codeServerBinary();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const before = new Set(fs.readdirSync(extensionsDir));
  const xdgRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hpcw-code-server-xdg-'));
  const scratchUserData = path.join(xdgRoot, 'user-data');
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: path.join(xdgRoot, 'config'), XDG_DATA_HOME: path.join(xdgRoot, 'data') };
  delete env.VSCODE_IPC_HOOK_CLI;
  delete env.ELECTRON_RUN_AS_NODE;
  try {
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(binary, ['--extensions-dir', extensionsDir, '--user-data-dir', scratchUserData, '--install-extension', vsix], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`code-server --install-extension exited with ${code}: ${text}`))));
    });
    const added = fs.readdirSync(extensionsDir).filter((name) => !before.has(name) && !name.startsWith('.') && name !== 'extensions.json');
    if (added.length !== 1) throw new Error(`expected one new extension folder in ${extensionsDir}, found [${added.join(', ')}]: ${output}`);
    return added[0];
  } finally {
    fs.rmSync(xdgRoot, { recursive: true, force: true });
  }
}

export interface HeadlessChromium {
  readonly browser: Browser;
  readonly pid: number | undefined;
  /** Closes the browser; kills its process (by PID) if it does not close within 5 s. */
  close(): Promise<void>;
}

/** Headless Chromium (Debian's) through Playwright, with a known PID. */
export async function launchChromium(): Promise<HeadlessChromium> {
  const server = await chromium.launchServer({
    executablePath: chromiumExecutable(),
    headless: true,
    args: chromiumArgs,
    // Our callers end it themselves on signals.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  const pid = server.process().pid;
  let browser: Browser;
  try {
    browser = await chromium.connect(server.wsEndpoint());
  } catch (e) {
    await server.kill();
    throw e;
  }
  return {
    browser,
    pid,
    async close() {
      const closed = (async () => {
        await browser.close().catch(() => undefined);
        await server.close().catch(() => undefined);
        return 'closed' as const;
      })();
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 5000).unref());
      if ((await Promise.race([closed, timer])) === 'timeout') await server.kill().catch(() => undefined);
    },
  };
}
