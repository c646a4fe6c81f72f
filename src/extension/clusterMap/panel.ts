/**
 * The Cluster Map (`hpcWorkbench.showClusterMap`): one webview panel per cluster, drawing the
 * model of `core/map/model.ts` with the script bundled in dist/media. It updates from the
 * refresh the explorer already does (the cluster's refresh events), never polls; while it is
 * visible the refresh also reads where my jobs' CPUs are. Clicking a job in the map opens its
 * details; "will it start?" shows its request here (the nodes it would take).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { diffMapModels } from '../../core/map/diff';
import { clusterMapHtml } from '../../core/map/html';
import { buildMapModel, type MapModel, type MapRequest } from '../../core/map/model';
import { registerCommand } from '../commands';
import { jobDetailsUri } from '../explorer/jobDetailsDocument';
import type { ClusterService } from '../services';

export interface ShowClusterMapArgs {
  cluster?: string;
  /** A request to show (from the will-it-start lens). */
  request?: MapRequest;
}

/** What `hpcWorkbench._clusterMapState` returns (tests): the model posted and what the webview drew. */
export interface ClusterMapState {
  cluster: string;
  visible: boolean;
  model?: MapModel;
  /** The webview's last draw report (renderer.ts DrawReport) and the accessible table's row count. */
  drawn?: { report: unknown; table: number; tableOpen: boolean; rows?: unknown };
  /** Jobs whose details the webview asked to open. */
  opened: string[];
  /** Messages posted to the webview: full models, diffs, and how many diffs carried each node. */
  posted: { full: number; diff: number; byNode: Record<string, number> };
}

class MapPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private endPlacement: (() => void) | undefined;
  private model: MapModel | undefined;
  private request: MapRequest | undefined;
  private ready = false;
  /** The model the webview has (what diffs apply to), and its sequence number. */
  private sent: MapModel | undefined;
  private seq = 0;
  /** Messages posted (tests): full models and diffs. */
  readonly posted = { full: 0, diff: 0, byNode: {} as Record<string, number> };
  drawn: ClusterMapState['drawn'];
  readonly opened: string[] = [];
  private drawWaiters: (() => void)[] = [];

  constructor(
    readonly cluster: string,
    private readonly service: ClusterService,
    extensionUri: vscode.Uri,
    onDispose: () => void,
  ) {
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    this.panel = vscode.window.createWebviewPanel('hpcWorkbench.clusterMap', `Cluster Map: ${cluster}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [media],
      retainContextWhenHidden: false,
    });
    const webview = this.panel.webview;
    const nonce = randomBytes(16).toString('base64').replace(/[^A-Za-z0-9]/g, '');
    webview.html = clusterMapHtml({
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'clusterMap.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(media, 'clusterMap.css')).toString(),
      cspSource: webview.cspSource,
      nonce,
      title: `Cluster Map: ${cluster}`,
    });
    const c = service.cluster(cluster);
    const off = c.onDidRefresh(() => this.update());
    this.disposables.push(
      { dispose: off },
      webview.onDidReceiveMessage((m) => this.onMessage(m)),
      this.panel.onDidChangeViewState(() => this.placement()),
      this.panel.onDidDispose(() => {
        this.dispose();
        onDispose();
      }),
    );
    this.placement();
    c.watch();
  }

  /** CPU placement with the refresh only while the map is visible. */
  private placement(): void {
    if (this.panel.visible && !this.endPlacement) this.endPlacement = this.service.cluster(this.cluster).wantPlacement();
    else if (!this.panel.visible && this.endPlacement) {
      this.endPlacement();
      this.endPlacement = undefined;
    }
    if (!this.panel.visible) this.ready = false; // a hidden webview is rebuilt when shown: it says ready again
  }

  showRequest(request: MapRequest | undefined): void {
    this.request = request;
    this.update();
  }

  update(): void {
    const state = this.service.cluster(this.cluster).state;
    if (!state) return;
    this.model = buildMapModel(state, state.allocations, this.request);
    if (this.ready) this.post();
  }

  /**
   * Posts the model: only what changed since the model the webview has, or the whole model when
   * it has none (opened, shown again, asked to resync) or the layout changed.
   */
  private post(full = false): void {
    const model = this.model;
    if (!model) return;
    const diff = !full && this.sent ? diffMapModels(this.sent, model, this.seq, this.seq + 1) : undefined;
    this.seq++;
    this.sent = model;
    if (diff) {
      this.posted.diff++;
      for (const [, n] of diff.nodes) this.posted.byNode[n.name] = (this.posted.byNode[n.name] ?? 0) + 1;
      void this.panel.webview.postMessage({ type: 'diff', diff });
    } else {
      this.posted.full++;
      void this.panel.webview.postMessage({ type: 'model', model, seq: this.seq });
    }
  }

  private onMessage(m: { type?: string; jobId?: unknown; report?: unknown; table?: unknown; tableOpen?: unknown; rows?: unknown }): void {
    switch (m?.type) {
      case 'ready':
        this.ready = true;
        this.sent = undefined; // a new page: it has nothing
        if (!this.model) this.update();
        else this.post(true);
        break;
      case 'resync':
        this.post(true);
        break;
      case 'drawn':
        this.drawn = { report: m.report, table: typeof m.table === 'number' ? m.table : 0, tableOpen: m.tableOpen === true, rows: m.rows };
        for (const w of this.drawWaiters.splice(0)) w();
        break;
      case 'openJob':
        if (typeof m.jobId === 'string' && /^[0-9_+]+$/.test(m.jobId)) {
          this.opened.push(m.jobId);
          // Beside the map, which stays visible (and keeps the focus).
          void vscode.workspace
            .openTextDocument(jobDetailsUri({ cluster: this.cluster, jobId: m.jobId }))
            .then((doc) => vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true, preview: true }))
            .then(undefined, (e: unknown) => void vscode.window.showErrorMessage(`Job ${String(m.jobId)}: ${e instanceof Error ? e.message : String(e)}`));
        }
        break;
      case 'clearRequest':
        this.showRequest(undefined);
        break;
    }
  }

  /** Selects a job as a click on it would (tests): its cells lit, its details opened. */
  selectJob(jobId: string | undefined): Promise<void> {
    const drawn = new Promise<void>((resolve) => this.drawWaiters.push(resolve));
    void this.panel.webview.postMessage({ type: 'selectJob', jobId, open: true });
    return drawn;
  }

  state(): ClusterMapState {
    return { cluster: this.cluster, visible: this.panel.visible, model: this.model, drawn: this.drawn, opened: [...this.opened], posted: { ...this.posted, byNode: { ...this.posted.byNode } } };
  }

  dispose(): void {
    this.endPlacement?.();
    this.endPlacement = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function registerClusterMap(context: vscode.ExtensionContext, service: ClusterService): void {
  const panels = new Map<string, MapPanel>();

  registerCommand(context, 'hpcWorkbench.showClusterMap', async (call, arg) => {
    const given = arg as ShowClusterMapArgs | { cluster?: unknown } | undefined;
    const named = typeof given?.cluster === 'string' ? given.cluster : undefined;
    const name = named ?? (await service.pickCluster('Cluster to show on the map'))?.name;
    if (!name) return undefined;
    call.doing = `Showing the map of ${name}`;
    service.cluster(name); // a clear error for an unknown name
    let panel = panels.get(name);
    if (panel) panel.panel.reveal();
    else {
      panel = new MapPanel(name, service, context.extensionUri, () => panels.delete(name));
      panels.set(name, panel);
      context.subscriptions.push(panel);
    }
    const request = (given as ShowClusterMapArgs | undefined)?.request;
    if (request) panel.showRequest(request);
    else panel.update();
    return { cluster: name };
  });

  // Test-only: what the map of a cluster was given and drew; `selectJob` acts as a click on a job.
  context.subscriptions.push(
    vscode.commands.registerCommand('hpcWorkbench._clusterMapState', async (arg?: { cluster?: string; selectJob?: string | null }) => {
      const panel = arg?.cluster ? panels.get(arg.cluster) : panels.values().next().value;
      if (!panel) return undefined;
      if (arg && 'selectJob' in arg) await panel.selectJob(arg.selectJob ?? undefined);
      return panel.state();
    }),
  );
}
