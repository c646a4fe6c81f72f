/**
 * Entry point of the extension. `activate` only wires features together and returns at once:
 * anything slow (the language server, SSH connections) starts in the background.
 */
import * as vscode from 'vscode';
import { registerSbatchDetection } from './sbatchDetection';
import { registerNewJobScript } from './newJobScript';
import { registerLanguageFeatures } from './language';
import { registerExplorer } from './explorer';
import { registerSubmission } from './submission';
import { registerMpi } from './mpi';

export interface HpcWorkbenchApi {
  /** Milliseconds spent in `activate`, for benchmarks and tests. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): HpcWorkbenchApi {
  const started = performance.now();
  registerSbatchDetection(context);
  registerNewJobScript(context);
  const language = registerLanguageFeatures(context);
  const clusters = registerExplorer(context, language);
  registerSubmission(context, clusters);
  registerMpi(context);
  return { activationMs: performance.now() - started };
}

export function deactivate(): void {
  // Disposables registered on the context are disposed by VS Code.
}
