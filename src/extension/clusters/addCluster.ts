/**
 * "Add Cluster": offers the hosts of ~/.ssh/config, this machine ("local"), or a host typed by
 * hand, and appends the entry to the `hpcWorkbench.clusters` setting.
 */
import * as vscode from 'vscode';
import type { ClusterConfig } from '../../core/cluster/config';
import { listSshConfigHosts } from '../../cluster';
import { addClusterEntry, settings } from '../settings';

export interface AddClusterOptions {
  /** Skip the prompts (tests, automation). */
  config?: ClusterConfig;
  target?: vscode.ConfigurationTarget;
}

export async function addCluster(options: AddClusterOptions = {}): Promise<ClusterConfig | undefined> {
  const existing = settings.rawClusters();
  const names = new Set(existing.map((e) => (typeof e === 'object' && e !== null ? String((e as { name?: unknown }).name) : '')));
  let config = options.config;
  if (!config) {
    let hosts: string[] = [];
    try {
      hosts = await listSshConfigHosts();
    } catch {
      hosts = [];
    }
    type Pick = vscode.QuickPickItem & { kind2: 'ssh' | 'local' | 'manual'; host?: string };
    const items: Pick[] = [
      ...hosts.map((h): Pick => ({ label: `$(remote) ${h}`, description: '~/.ssh/config', kind2: 'ssh', host: h })),
      { label: '$(vm) local', description: 'run Slurm commands on this machine (already on a login node)', kind2: 'local' },
      { label: '$(edit) Enter a host…', description: 'user@host[:port]', kind2: 'manual' },
    ];
    const choice = await vscode.window.showQuickPick(items, { title: 'Add a cluster', placeHolder: 'Choose a host from ~/.ssh/config, this machine, or enter one' });
    if (!choice) return undefined;
    if (choice.kind2 === 'local') {
      config = { name: 'local', transport: 'local' };
    } else {
      let host = choice.host;
      let user: string | undefined;
      let port: number | undefined;
      if (choice.kind2 === 'manual') {
        const typed = await vscode.window.showInputBox({
          title: 'Add a cluster',
          prompt: 'Login node: host, user@host or user@host:port',
          ignoreFocusOut: true,
          validateInput: (v) => (/^([^@\s]+@)?[^@:\s]+(:\d{1,5})?$/.test(v.trim()) ? undefined : 'Expected host, user@host or user@host:port'),
        });
        if (!typed) return undefined;
        const m = /^(?:([^@\s]+)@)?([^@:\s]+)(?::(\d+))?$/.exec(typed.trim());
        if (!m) return undefined;
        user = m[1];
        host = m[2];
        port = m[3] ? Number(m[3]) : undefined;
      }
      if (!host) return undefined;
      config = { name: host, host, transport: 'ssh' };
      if (user) config.user = user;
      if (port) config.port = port;
    }
    const name = await vscode.window.showInputBox({
      title: 'Add a cluster',
      prompt: 'Name shown in the explorer',
      value: uniqueName(config.name, names),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'A name is required' : names.has(v.trim()) ? 'A cluster with this name exists' : undefined),
    });
    if (!name) return undefined;
    config.name = name.trim();
  }
  if (names.has(config.name)) throw new Error(`A cluster named "${config.name}" is already configured.`);
  await addClusterEntry(config, options.target);
  return config;
}

function uniqueName(base: string, names: Set<string>): string {
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) if (!names.has(`${base}-${i}`)) return `${base}-${i}`;
}
