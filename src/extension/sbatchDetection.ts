/**
 * Gives the `sbatch` language to shell scripts that hold `#SBATCH` directives, so that a
 * `job.sh` gets the same linting as a `job.sbatch`.
 */
import * as vscode from 'vscode';
import { looksLikeSbatchScript } from '../core/sbatch/detect';

export function registerSbatchDetection(context: vscode.ExtensionContext): void {
  const check = (doc: vscode.TextDocument): void => {
    if (doc.languageId !== 'shellscript') return;
    if (!looksLikeSbatchScript(doc.getText())) return;
    void vscode.languages.setTextDocumentLanguage(doc, 'sbatch');
  };
  context.subscriptions.push(vscode.workspace.onDidOpenTextDocument(check));
  vscode.workspace.textDocuments.forEach(check);
}
