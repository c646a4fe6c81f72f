/**
 * The one place the extension reads its settings: a typed getter per `hpcWorkbench.*` setting,
 * with the defaults of src/core/settings.ts (equal to package.json's), and a change event per
 * setting. Nothing else calls `workspace.getConfiguration('hpcWorkbench')`.
 */
import * as vscode from 'vscode';
import type { ClusterConfig } from '../core/cluster/config';
import { refreshIntervalMs, SETTING_DEFAULTS, validateClusterEntries, type SettingName } from '../core/settings';

const SECTION = 'hpcWorkbench';

function read<K extends SettingName>(name: K): (typeof SETTING_DEFAULTS)[K] {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(name);
  const fallback = SETTING_DEFAULTS[name];
  // A value of the wrong type (hand-edited settings.json) falls back to the default.
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(fallback)) return (Array.isArray(value) ? value : fallback) as (typeof SETTING_DEFAULTS)[K];
  return (typeof value === typeof fallback ? value : fallback) as (typeof SETTING_DEFAULTS)[K];
}

export const settings = {
  /** Valid entries of `hpcWorkbench.clusters`, and a message for each malformed one. */
  clusters(): { clusters: ClusterConfig[]; problems: string[] } {
    return validateClusterEntries(vscode.workspace.getConfiguration(SECTION).get<unknown>('clusters'));
  },
  /** The raw entries, for appending one (Add Cluster). */
  rawClusters(): unknown[] {
    return read('clusters');
  },
  refreshIntervalMs: (): number => refreshIntervalMs(read('refreshInterval')),
  showAllUsers: (): boolean => read('jobs.showAllUsers'),
  /** hpcWorkbench.history.days, a whole number of days in 1..365. */
  historyDays: (): number => Math.min(365, Math.max(1, Math.floor(read('history.days')) || 7)),
  syncExclude: (): string[] => read('sync.exclude').filter((g): g is string => typeof g === 'string'),
  syncOnSave: (): boolean => read('sync.onSave'),
  startEstimate: (): boolean => read('startEstimate.enabled'),
  /** hpcWorkbench.notebook.jupyterCommand: shell text starting Jupyter Server on a cluster. */
  jupyterCommand: (): string => read('notebook.jupyterCommand'),
  mpiLauncher: (): string => read('mpi.launcher'),
  mpiRanks: (): number => read('mpi.ranks'),
  mpiExtraArgs: (): string[] => read('mpi.extraArgs').filter((a): a is string => typeof a === 'string'),
  python: (): string => read('python'),
  shellcheck: (): string => read('lint.shellcheck'),
  /** VS Code's own workbench.welcomePage.walkthroughs.openOnInstall, honoured by the first run. */
  walkthroughsOpenOnInstall: (): boolean => vscode.workspace.getConfiguration('workbench.welcomePage').get<boolean>('walkthroughs.openOnInstall', true),
};

/** Writes a setting where it is already set (workspace) or else in the user's settings. */
export async function updateSetting(name: SettingName, value: unknown): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspect = config.inspect(name);
  const target = inspect?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(name, value, target);
}

/** Appends a cluster entry to `hpcWorkbench.clusters` (in `target`, default the user's settings). */
export async function addClusterEntry(entry: ClusterConfig, target = vscode.ConfigurationTarget.Global): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update('clusters', [...settings.rawClusters(), entry], target);
}

/** Calls `listener` when one of the named settings (or a setting below it) changes. */
export function onDidChangeSetting(names: readonly (SettingName | 'sync' | 'mpi')[], listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (names.some((name) => event.affectsConfiguration(`${SECTION}.${name}`))) listener();
  });
}
