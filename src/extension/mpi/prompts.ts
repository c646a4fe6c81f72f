/** What a run command asks or works out before it starts: the program, the count, the directory. */
import * as vscode from 'vscode';
import * as path from 'node:path';

import { settings } from '../settings';
import type { CountKey, ExtensionState } from '../state';

/** The program to run: the argument (a Uri from a menu, or { file }), else the active editor's file (saved first). */
export async function resolveFile(arg: { file?: string } | vscode.Uri | undefined): Promise<string | undefined> {
  let file: string | undefined;
  if (arg instanceof vscode.Uri) file = arg.fsPath;
  else if (arg?.file) file = path.resolve(arg.file);
  const doc =
    vscode.window.activeTextEditor?.document ??
    vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.languageId === 'python');
  if (!file && doc?.uri.scheme === 'file') file = doc.uri.fsPath;
  if (!file) {
    void vscode.window.showErrorMessage('Open the program to run (a Python file or an executable) first.');
    return undefined;
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === file);
  if (open?.isDirty) await open.save();
  return file;
}

/** The number of ranks or workers: the one given (checked, remembered), else asked with the last one as default. */
export async function askCount(state: ExtensionState, key: CountKey, prompt: string, given: number | undefined): Promise<number | undefined> {
  if (given !== undefined) {
    if (!Number.isInteger(given) || given < 1) throw new Error(`${prompt} must be a whole number of at least 1.`);
    await state.setLastCount(key, given);
    return given;
  }
  const last = state.lastCount(key) ?? settings.mpiRanks();
  const value = await vscode.window.showInputBox({
    prompt,
    value: String(last),
    validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'A whole number of at least 1'),
  });
  if (value === undefined) return undefined;
  const n = Number(value.trim());
  await state.setLastCount(key, n);
  return n;
}

/** The working directory: the one given, else the file's workspace folder, else the file's folder. */
export function cwdFor(file: string, cwd?: string): string {
  return cwd ?? vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file))?.uri.fsPath ?? path.dirname(file);
}
