/**
 * A typed view of the `hpcWorkbench.clusters` setting: valid entries, and a clear message for each
 * malformed one (shown to the user instead of failing).
 */
import * as vscode from 'vscode';
import type { ClusterConfig } from '../../core/cluster/config';

export interface ClusterSettings {
  clusters: ClusterConfig[];
  problems: string[];
}

/** Checks raw setting entries; pure, so it is easy to test. */
export function validateClusterEntries(raw: unknown): ClusterSettings {
  const clusters: ClusterConfig[] = [];
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { clusters, problems };
  if (!Array.isArray(raw)) return { clusters, problems: ['hpcWorkbench.clusters must be an array of cluster entries.'] };
  const seen = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const where = `hpcWorkbench.clusters[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object like {"name": "mycluster", "host": "login.example.org"}.`);
      return;
    }
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string' || e.name.trim() === '') {
      problems.push(`${where} has no "name".`);
      return;
    }
    const name = e.name.trim();
    const bad = (msg: string): void => {
      problems.push(`Cluster "${name}" (${where}): ${msg}`);
    };
    if (seen.has(name)) return bad('another cluster already has this name; it is ignored.');
    const transport = e.transport ?? 'ssh';
    if (transport !== 'ssh' && transport !== 'local') return bad(`"transport" must be "ssh" or "local", not ${JSON.stringify(e.transport)}.`);
    if (transport === 'ssh' && (typeof e.host !== 'string' || e.host.trim() === '')) return bad('"host" is required for transport "ssh".');
    for (const key of ['host', 'user', 'identityFile', 'remoteDir', 'slurmConf'] as const) {
      if (e[key] !== undefined && typeof e[key] !== 'string') return bad(`"${key}" must be a string.`);
    }
    if (e.port !== undefined && (typeof e.port !== 'number' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535)) {
      return bad('"port" must be a whole number between 1 and 65535.');
    }
    const config: ClusterConfig = { name, transport };
    if (typeof e.host === 'string') config.host = e.host.trim();
    if (typeof e.port === 'number') config.port = e.port;
    for (const key of ['user', 'identityFile', 'remoteDir', 'slurmConf'] as const) {
      if (typeof e[key] === 'string' && e[key] !== '') config[key] = e[key] as string;
    }
    seen.add(name);
    clusters.push(config);
  });
  return { clusters, problems };
}

export function readClusterSettings(): ClusterSettings {
  return validateClusterEntries(vscode.workspace.getConfiguration('hpcWorkbench').get<unknown>('clusters'));
}

export function refreshIntervalMs(): number {
  const s = vscode.workspace.getConfiguration('hpcWorkbench').get<number>('refreshInterval', 15);
  return Math.max(2, Number.isFinite(s) ? s : 15) * 1000;
}

export function showAllUsers(): boolean {
  return vscode.workspace.getConfiguration('hpcWorkbench').get<boolean>('jobs.showAllUsers', false);
}
