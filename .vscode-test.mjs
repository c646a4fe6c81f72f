// Configuration of @vscode/test-cli (`npx vscode-test`): the mocha suites in
// test/vscode/suite/ run inside a real VS Code, in the extension host.
//
// By default that VS Code is code-server (installed by scripts/install-code-server.sh) driven by
// test/vscode-runner/code, a stand-in for the VS Code executable. To use a desktop VS Code
// instead, point HPCW_VSCODE_PATH at its executable (e.g. /usr/share/code/code):
//
//   HPCW_VSCODE_PATH=/usr/share/code/code npx vscode-test
//
// Before running: `npm run build` (the extension's main is dist/extension.js) and
// `npx tsc -p .` (the suites and the runner compile into out/).
// HPCW_VSCODE_TEST_TIMEOUT (seconds, default 600) ends a code-server run that hangs.
// The workspace is a scratch copy of test/fixtures/workspace in .vscode-test/workspace.
import { defineConfig } from '@vscode/test-cli';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(root, 'test', 'fixtures', 'workspace');
const workspace = path.join(root, '.vscode-test', 'workspace');

fs.rmSync(workspace, { recursive: true, force: true });
if (fs.existsSync(fixture)) fs.cpSync(fixture, workspace, { recursive: true });
else fs.mkdirSync(workspace, { recursive: true });

const desktop = process.env.HPCW_VSCODE_PATH;

export default defineConfig({
  label: desktop ? 'desktop VS Code' : 'code-server',
  files: 'out/test/vscode/suite/**/*.test.js',
  extensionDevelopmentPath: root,
  workspaceFolder: workspace,
  useInstallation: { fromPath: desktop || path.join(root, 'test', 'vscode-runner', 'code') },
  // Our suites use other extensions only through VS Code's built-ins.
  skipExtensionDependencies: true,
  mocha: { ui: 'tdd', timeout: 20_000, color: false },
});
