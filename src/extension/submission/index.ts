import * as vscode from 'vscode';
import type { ClusterService } from '../services';

// PLACEHOLDER until the submission issue lands.
export function registerSubmission(_context: vscode.ExtensionContext, _clusters: ClusterService): void {}
