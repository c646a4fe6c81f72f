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

/** One extension's activation, as printed on the `HPCW_BENCH` line (read by bench/activation.ts). */
export interface Measured {
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

/** The JSON after `HPCW_BENCH ` on the probe's output line. */
export interface ProbeResult {
  vscode: string;
  results: Measured[];
}

export async function run(): Promise<void> {
  const results: Measured[] = [await measure('hpc-workbench.hpc-workbench')];
  for (const id of PEERS) results.push(await measure(id));
  const result: ProbeResult = { vscode: vscode.version, results };
  console.log(`HPCW_BENCH ${JSON.stringify(result)}`);
}
