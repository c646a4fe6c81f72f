import * as vscode from 'vscode';

// PLACEHOLDER: wired in by its own issue; registers nothing yet.
export function registerSubmission(_context: vscode.ExtensionContext): void {}
