/**
 * The VS Code side of the SBATCH language: starts the bundled language server (dist/server.js)
 * when the first `sbatch` document opens, passes it the ShellCheck setting, and forwards the
 * connected cluster's snapshot. All language logic lives in the server (src/server).
 */
import * as vscode from 'vscode';
// Type-only: the client library is loaded when the first SBATCH document opens, not at activation.
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { ClusterSnapshot } from '../../core/cluster/snapshot';
import type { LanguageService } from '../services';
import { settings } from '../settings';

/** The notification the server listens to for cluster snapshots (see src/server/server.ts). */
export const CLUSTER_SNAPSHOT_NOTIFICATION = 'hpcWorkbench/clusterSnapshot';


export function registerLanguageFeatures(context: vscode.ExtensionContext): LanguageService {
  let client: LanguageClient | undefined;
  let running = false;
  // The latest snapshot wins: it is sent once the client runs, and again on every change.
  let snapshot: ClusterSnapshot | null = null;
  let sentSnapshot: ClusterSnapshot | null | undefined;

  const sendSnapshot = (): void => {
    if (!client || !running || sentSnapshot === snapshot) return;
    const toSend = snapshot;
    sentSnapshot = toSend;
    client.sendNotification(CLUSTER_SNAPSHOT_NOTIFICATION, { snapshot: toSend }).catch((err: unknown) => {
      sentSnapshot = undefined;
      client?.warn(`could not send the cluster snapshot: ${String(err)}`);
    });
  };

  let starting = false;
  const start = (): void => {
    if (starting) return;
    starting = true;
    // Loaded on first use (and within the same bundle): not at activation.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loadClient = async (): Promise<typeof import('vscode-languageclient/node')> => require('vscode-languageclient/node');
    loadClient().then(
      ({ LanguageClient, TransportKind }) => {
        const serverModule = context.asAbsolutePath('dist/server.js');
        const serverOptions: ServerOptions = {
          run: { module: serverModule, transport: TransportKind.ipc },
          debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
        };
        const clientOptions: LanguageClientOptions = {
          documentSelector: [{ language: 'sbatch' }],
          initializationOptions: { shellcheck: settings.shellcheck(), clusterSnapshot: snapshot },
          // Sends workspace/didChangeConfiguration with { hpcWorkbench: {...} } when settings change.
          synchronize: { configurationSection: 'hpcWorkbench' },
          outputChannelName: 'HPC Workbench: SBATCH',
        };
        sentSnapshot = snapshot;
        const created = new LanguageClient('hpcWorkbench.sbatch', 'HPC Workbench: SBATCH', serverOptions, clientOptions);
        client = created;
        return created.start().then(() => {
          running = true;
          sendSnapshot();
        });
      },
    ).catch((err: unknown) => {
      void vscode.window.showErrorMessage(`HPC Workbench: the SBATCH language server did not start (${String(err)}).`);
    });
  };

  const startFor = (doc: vscode.TextDocument): void => {
    if (doc.languageId === 'sbatch') start();
  };
  context.subscriptions.push(
    vscode.workspace.onDidOpenTextDocument(startFor),
    { dispose: () => void client?.stop().catch(() => undefined) },
  );
  // Documents already open when the extension activates (activate must not wait for this).
  setImmediate(() => vscode.workspace.textDocuments.forEach(startFor));

  return {
    setClusterSnapshot(next: ClusterSnapshot | undefined): void {
      snapshot = next ?? null;
      sendSnapshot();
    },
  };
}
