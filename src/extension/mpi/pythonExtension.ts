/** The interpreter selected in the Python extension (ms-python.python), when that extension is installed. */
import * as vscode from 'vscode';

export async function extensionPython(resource: vscode.Uri | undefined): Promise<string | undefined> {
  const ext = vscode.extensions.getExtension('ms-python.python');
  if (!ext) return undefined;
  try {
    const api = (ext.isActive ? ext.exports : await ext.activate()) as {
      environments?: { getActiveEnvironmentPath(r?: vscode.Uri): { path: string } };
      settings?: { getExecutionDetails(r?: vscode.Uri): { execCommand?: string[] } };
    };
    const env = api?.environments?.getActiveEnvironmentPath(resource)?.path;
    if (env) return env;
    return api?.settings?.getExecutionDetails(resource)?.execCommand?.[0];
  } catch {
    return undefined;
  }
}
