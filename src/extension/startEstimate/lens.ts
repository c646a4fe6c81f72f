/**
 * "Will it start?": a code lens on the first `#SBATCH` line of a job script with the connected
 * cluster's answer for the script as it is ("Starts now on n[1-2] (debug)", "Expected start
 * 14:32 (in 2 h 10 min)", or why it cannot run, or that it would be accepted but never start).
 * Asked on open and save (debounced; one request in flight per document; cached by the request,
 * i.e. the directive lines) and again when the cluster's queue changes — never per keystroke.
 * No lens without a connected cluster. Clicking it shows the request on the cluster map.
 */
import * as vscode from 'vscode';
import type { StartVerdict } from '../../cluster';
import { firstDirectiveLine, requestKey } from '../../core/slurm/startEstimate';
import type { ClusterService } from '../services';
import { onDidChangeSetting, settings } from '../settings';
import { localFolder } from '../submission/workspace';

const DEBOUNCE_MS = 400;

interface Entry {
  cluster: string;
  key: string;
  verdict?: StartVerdict;
  error?: string;
  /** The queue changed since: the answer is asked again (shown meanwhile). */
  stale: boolean;
}

/** What `hpcWorkbench._startEstimateState` returns (tests). */
export interface StartEstimateState {
  entry?: Entry;
  /** `sbatch --test-only` runs for this document so far. */
  asked: number;
  inFlight: boolean;
}

export class StartEstimateLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changeEmitter.event;
  private readonly entries = new Map<string, Entry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly asked = new Map<string, number>();
  private readonly queues = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly service: ClusterService) {
    this.disposables.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.schedule(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri.toString())),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.schedule(e.document))),
      service.onDidChange(() => this.changeEmitter.fire()),
      service.onDidChangeSnapshot(({ cluster }) => this.onRefresh(cluster)),
      onDidChangeSetting(['startEstimate.enabled'], () => {
        this.changeEmitter.fire();
        this.visibleScripts().forEach((d) => this.schedule(d));
      }),
    );
  }

  /** The cluster the lens asks: the active one, when it is connected and has been read. */
  private connectedCluster(): string | undefined {
    const name = this.service.activeCluster;
    const view = name ? this.service.view(name) : undefined;
    if (!view || view.userDisconnected || !view.state) return undefined;
    if (view.status.kind === 'error' || (!view.isLocal && view.connection !== 'connected')) return undefined;
    return name;
  }

  private isScript(document: vscode.TextDocument): boolean {
    return (document.languageId === 'sbatch' || document.languageId === 'shellscript') && document.uri.scheme === 'file' && firstDirectiveLine(document.getText()) !== undefined;
  }

  private visibleScripts(): vscode.TextDocument[] {
    return vscode.window.visibleTextEditors.map((e) => e.document).filter((d) => this.isScript(d));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!settings.startEstimate() || !this.isScript(document)) return [];
    const cluster = this.connectedCluster();
    if (!cluster) return [];
    const text = document.getText();
    const line = firstDirectiveLine(text) as number;
    const range = document.lineAt(line).range;
    const entry = this.entries.get(document.uri.toString());
    const key = requestKey(cluster, text);
    let title: string;
    let tooltip: string | undefined;
    const command = 'hpcWorkbench.showClusterMap';
    let args: unknown[] = [{ cluster }];
    if (!entry || entry.cluster !== cluster) {
      title = `$(sync~spin) Will it start? Asking ${cluster}…`;
      // Not again while a question is waiting for its debounce: lenses are asked for often, and
      // restarting the timer on each call would never let it fire.
      if (!this.inFlight.has(document.uri.toString()) && !this.timers.has(document.uri.toString())) this.schedule(document);
    } else if (entry.key !== key) {
      title = `$(question) Will it start? Save to ask ${cluster}`;
      if (entry.verdict) tooltip = `Last answer, for the saved directives: ${entry.verdict.text}`;
    } else if (entry.error) {
      title = `$(warning) Will it start? ${cluster} did not answer`;
      tooltip = entry.error;
    } else {
      const v = entry.verdict as StartVerdict;
      const icon = v.kind === 'starts-now' ? '$(pass)' : v.kind === 'expected' ? '$(clock)' : '$(error)';
      title = `${icon} ${v.text}`;
      tooltip = `${cluster}: ${v.detail}${entry.stale ? '\n(asking again: the queue changed)' : ''}\nClick to see it on the cluster map.`;
      args = [{ cluster, request: { label: v.text, nodes: v.nodeList, partition: v.partition, cpus: v.processors } }];
    }
    return [new vscode.CodeLens(range, { title, tooltip, command, arguments: args })];
  }

  /** Asks soon (debounced) for a document; never while one answer for it is under way. */
  schedule(document: vscode.TextDocument): void {
    if (!settings.startEstimate() || !this.isScript(document)) return;
    const uri = document.uri.toString();
    const timer = this.timers.get(uri);
    if (timer) clearTimeout(timer);
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.ask(document);
      }, DEBOUNCE_MS),
    );
  }

  private async ask(document: vscode.TextDocument): Promise<void> {
    const uri = document.uri.toString();
    if (document.isClosed) return;
    if (this.inFlight.has(uri)) {
      this.again.add(uri);
      return;
    }
    const cluster = this.connectedCluster();
    if (!cluster || !settings.startEstimate()) return;
    // The answer is for the saved script: what would be submitted.
    const text = document.isDirty ? undefined : document.getText();
    if (text === undefined) return;
    const key = requestKey(cluster, text);
    const known = this.entries.get(uri);
    if (known && known.cluster === cluster && known.key === key && !known.stale && !known.error) return;
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    const run = (async () => {
      this.asked.set(uri, (this.asked.get(uri) ?? 0) + 1);
      try {
        const estimate = await this.service.cluster(cluster).estimateStart(folder ? localFolder(folder) : undefined, text);
        this.entries.set(uri, { cluster, key, verdict: estimate.verdict, stale: false });
      } catch (error) {
        this.entries.set(uri, { cluster, key, error: error instanceof Error ? error.message : String(error), stale: false });
      }
    })();
    this.inFlight.set(uri, run);
    try {
      await run;
    } finally {
      this.inFlight.delete(uri);
      this.changeEmitter.fire();
      if (this.again.delete(uri)) void this.ask(document);
    }
  }

  /**
   * The answer for the script as saved, for the submit confirmation: the lens's cached answer
   * when it has one for this request on this cluster (no second `--test-only`), else asked once
   * (and cached, when it is the lens's cluster). Undefined when it cannot be known (the setting
   * is off, the cluster did not answer): the submission goes on without it.
   */
  async verdictFor(document: vscode.TextDocument, cluster: string): Promise<StartVerdict | undefined> {
    if (!settings.startEstimate() || document.isDirty) return undefined;
    const uri = document.uri.toString();
    const key = requestKey(cluster, document.getText());
    const cached = (): StartVerdict | undefined => {
      const e = this.entries.get(uri);
      return e && e.cluster === cluster && e.key === key && !e.stale && !e.error ? e.verdict : undefined;
    };
    await this.inFlight.get(uri)?.catch(() => undefined);
    const known = cached();
    if (known) return known;
    if (cluster === this.connectedCluster()) {
      await this.ask(document);
      return cached();
    }
    // Another cluster than the lens's: asked, not cached (the lens shows the active cluster's).
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    try {
      this.asked.set(uri, (this.asked.get(uri) ?? 0) + 1);
      return (await this.service.cluster(cluster).estimateStart(folder ? localFolder(folder) : undefined, document.getText())).verdict;
    } catch {
      return undefined;
    }
  }

  /** A refresh of a cluster: when its queue changed (or an answer failed), the answers for it are asked again. */
  private onRefresh(cluster: string): void {
    const state = this.service.cluster(cluster).state;
    const queue = (state?.jobs ?? []).map((j) => `${j.jobId}:${j.state}:${j.nodeListText}`).join(',');
    const before = this.queues.get(cluster);
    this.queues.set(cluster, queue);
    // A cluster that did not answer (a timeout on a busy login node) is asked again at its next refresh.
    const failed = [...this.entries.values()].some((e) => e.cluster === cluster && e.error !== undefined);
    if (before === queue && !failed) return;
    for (const e of this.entries.values()) if (e.cluster === cluster) e.stale = true;
    this.changeEmitter.fire();
    if (cluster === this.connectedCluster()) this.visibleScripts().forEach((d) => this.schedule(d));
  }

  private forget(uri: string): void {
    this.entries.delete(uri);
    this.asked.delete(uri);
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.delete(uri);
  }

  state(uri: string): StartEstimateState {
    return { entry: this.entries.get(uri), asked: this.asked.get(uri) ?? 0, inFlight: this.inFlight.has(uri) };
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    for (const d of this.disposables) d.dispose();
    this.changeEmitter.dispose();
  }
}

export function registerStartEstimate(context: vscode.ExtensionContext, service: ClusterService): StartEstimateLens {
  const lens = new StartEstimateLens(service);
  context.subscriptions.push(
    lens,
    vscode.languages.registerCodeLensProvider([{ language: 'sbatch', scheme: 'file' }, { language: 'shellscript', scheme: 'file' }], lens),
    // Test-only: the lens's state for a document.
    vscode.commands.registerCommand('hpcWorkbench._startEstimateState', (uri: string) => lens.state(uri)),
  );
  return lens;
}
