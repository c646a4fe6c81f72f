import * as vscode from 'vscode';
import type { ClusterService, LanguageService } from '../services';

// PLACEHOLDER until the explorer issue lands.
export function registerExplorer(_context: vscode.ExtensionContext, _language: LanguageService): ClusterService {
  const emitter = new vscode.EventEmitter<never>();
  const unavailable = (): never => {
    throw new Error('Cluster connections are not available yet.');
  };
  return {
    clusters: [],
    pickCluster: async () => undefined,
    connection: async () => unavailable(),
    refresh: () => undefined,
    revealJob: async () => undefined,
    onDidChangeSnapshot: emitter.event,
    onDidFinishJob: emitter.event,
  };
}
