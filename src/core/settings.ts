/**
 * The `hpcWorkbench.*` settings as data: each setting's default (equal to package.json's, checked
 * by a test) and the check of the `hpcWorkbench.clusters` entries (valid entries, and a clear
 * message for each malformed one, shown to the user instead of failing). No vscode here: the
 * extension reads the values (src/extension/settings.ts), the tests check this table.
 */
import type { ClusterConfig } from './cluster/config';

/** Every setting of package.json's `contributes.configuration`, with its default. */
export const SETTING_DEFAULTS = {
  clusters: [] as unknown[],
  refreshInterval: 15,
  'history.days': 7,
  'jobs.showAllUsers': false,
  'sync.exclude': ['.git/**', 'node_modules/**', '**/__pycache__/**', '.venv/**'],
  'sync.onSave': false,
  'mpi.launcher': 'auto',
  'mpi.ranks': 4,
  'mpi.extraArgs': [] as string[],
  python: '',
  'lint.shellcheck': 'auto',
  'startEstimate.enabled': true,
  'notebook.jupyterCommand': 'jupyter server',
};

export type SettingName = keyof typeof SETTING_DEFAULTS;

/** The shortest refresh interval accepted, in seconds (package.json's minimum). */
export const MIN_REFRESH_SECONDS = 2;

/** Seconds → milliseconds, with the minimum applied and a malformed value replaced by the default. */
export function refreshIntervalMs(seconds: unknown): number {
  const s = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds : SETTING_DEFAULTS.refreshInterval;
  return Math.max(MIN_REFRESH_SECONDS, s) * 1000;
}

export interface ClusterSettings {
  clusters: ClusterConfig[];
  problems: string[];
}

/** Checks the raw entries of `hpcWorkbench.clusters`. */
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
    for (const key of ['host', 'user', 'identityFile', 'remoteDir', 'slurmConf', 'jupyterCommand'] as const) {
      if (e[key] !== undefined && typeof e[key] !== 'string') return bad(`"${key}" must be a string.`);
    }
    if (e.port !== undefined && (typeof e.port !== 'number' || !Number.isInteger(e.port) || e.port < 1 || e.port > 65535)) {
      return bad('"port" must be a whole number between 1 and 65535.');
    }
    const config: ClusterConfig = { name, transport };
    if (typeof e.host === 'string') config.host = e.host.trim();
    if (typeof e.port === 'number') config.port = e.port;
    for (const key of ['user', 'identityFile', 'remoteDir', 'slurmConf', 'jupyterCommand'] as const) {
      if (typeof e[key] === 'string' && e[key] !== '') config[key] = e[key] as string;
    }
    seen.add(name);
    clusters.push(config);
  });
  return { clusters, problems };
}
