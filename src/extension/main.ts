/**
 * Entry point of the extension. `activate` only wires features together and returns at once:
 * anything slow (the language server, SSH connections) starts in the background.
 */
import * as vscode from 'vscode';
import { registerSbatchDetection } from './sbatchDetection';
import { registerNewJobScript } from './newJobScript';
import { registerLanguageFeatures } from './language';
import { ClusterService } from './clusters/clusterService';
import { registerExplorer } from './explorer';
import { registerSubmission } from './submission';
import { registerMpi } from './mpi';
import { registerClusterMap } from './clusterMap/panel';
import { registerStartEstimate } from './startEstimate/lens';
import { registerNotebooks } from './notebook';
import { ExtensionState } from './state';
import { openWalkthroughOnFirstRun } from './firstRun';

export interface HpcWorkbenchApi {
  /** Milliseconds spent in `activate`, for benchmarks and tests. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): HpcWorkbenchApi {
  const started = performance.now();
  const state = new ExtensionState(context);
  registerSbatchDetection(context);
  registerNewJobScript(context);
  const language = registerLanguageFeatures(context);
  const clusters = new ClusterService(state, language);
  context.subscriptions.push(clusters);
  const jobsView = registerExplorer(context, clusters);
  const startEstimates = registerStartEstimate(context, clusters);
  registerSubmission(context, clusters, state, jobsView, startEstimates);
  registerMpi(context, state);
  registerClusterMap(context, clusters);
  registerNotebooks(context, clusters);
  openWalkthroughOnFirstRun(context, state);
  return { activationMs: performance.now() - started };
}

export function deactivate(): void {
  // Disposables registered on the context are disposed by VS Code.
}
