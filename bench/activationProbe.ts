/**
 * Runs inside the VS Code extension host (loaded as the "extension tests" entry by
 * bench/activation.ts): activates HPC Workbench and a few built-in extensions of the same kind,
 * timing each `activate()`, and prints one `HPCW_BENCH {json}` line.
 */
import * as vscode from 'vscode';

/** Built-in extensions with code of their own, activated the same way for comparison. */
const PEERS = [
  'vscode.markdown-language-features',
  'vscode.json-language-features',
  'vscode.emmet',
  'vscode.npm',
];

interface Measured {
  id: string;
  wasActive: boolean;
  wallMs?: number;
  activationMs?: number;
  error?: string;
}

async function measure(id: string): Promise<Measured> {
  const extension = vscode.extensions.getExtension<{ activationMs?: number } | undefined>(id);
  if (!extension) return { id, wasActive: false, error: 'not installed' };
  const wasActive = extension.isActive;
  const started = performance.now();
  try {
    const api = await extension.activate();
    const wallMs = performance.now() - started;
    const activationMs = typeof api?.activationMs === 'number' ? api.activationMs : undefined;
    return { id, wasActive, wallMs, activationMs };
  } catch (e) {
    return { id, wasActive, error: String(e) };
  }
}

export async function run(): Promise<void> {
  const results: Measured[] = [await measure('hpc-workbench.hpc-workbench')];
  for (const id of PEERS) results.push(await measure(id));
  console.log(`HPCW_BENCH ${JSON.stringify({ vscode: vscode.version, results })}`);
}
