/** Which workspace folder, script or job a submission command is about, from its arguments or the editor. */
import * as vscode from 'vscode';
import type { LocalFolder } from '../../cluster';
import { settings } from '../settings';

export function asUri(value: vscode.Uri | string | undefined): vscode.Uri | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.includes('://') ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  return value;
}

/** The folder of `uri`, else of the active editor, else the first folder. */
export function folderFor(uri: vscode.Uri | undefined): vscode.WorkspaceFolder | undefined {
  if (uri) return vscode.workspace.getWorkspaceFolder(uri);
  const folders = vscode.workspace.workspaceFolders ?? [];
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active && vscode.workspace.getWorkspaceFolder(active)) ?? folders[0];
}

/** A workspace folder as the cluster service syncs it (with the exclusion setting). */
export function localFolder(folder: vscode.WorkspaceFolder): LocalFolder {
  return { root: folder.uri.fsPath, name: folder.name, excludeGlobs: settings.syncExclude() };
}
