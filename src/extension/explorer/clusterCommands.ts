/** Cluster commands: refresh, add, connect, disconnect, and the all-users toggle of the Jobs view. */
import * as vscode from 'vscode';
import { addCluster, type AddClusterOptions } from '../clusters/addCluster';
import { registerCommand } from '../commands';
import type { ClusterService } from '../services';
import { settings, updateSetting } from '../settings';
import { ClusterElement } from './treeModel';

/** The cluster a command is about: a name, a cluster tree item, or `{cluster}`. */
export function clusterArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof ClusterElement) return arg.cluster;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { cluster?: unknown }).cluster === 'string') return (arg as { cluster: string }).cluster;
  return undefined;
}

export function registerClusterCommands(context: vscode.ExtensionContext, service: ClusterService, rerender: () => void): void {
  registerCommand(context, 'hpcWorkbench.refresh', async (_call, arg) => {
    await service.refresh(clusterArg(arg));
    rerender();
  });
  registerCommand(context, 'hpcWorkbench.addCluster', async (call, arg) => {
    call.doing = 'Adding the cluster';
    const config = await addCluster((arg as AddClusterOptions) ?? {});
    if (config) {
      await service.setActiveCluster(config.name);
      service.watch(config.name);
    }
    return config;
  });
  registerCommand(
    context,
    'hpcWorkbench.connectCluster',
    async (call, arg) => {
      const name = clusterArg(arg) ?? (await service.pickCluster('Connect to which cluster?'))?.name;
      if (!name) return;
      call.doing = `Connecting to ${name}`;
      try {
        await service.cluster(name).connect();
      } finally {
        rerender();
      }
    },
    // The tree shows the failure too; callers check the cluster's state rather than a rejection.
    { rethrow: () => false },
  );
  registerCommand(context, 'hpcWorkbench.disconnectCluster', async (_call, arg) => {
    const name = clusterArg(arg) ?? (await service.pickCluster('Disconnect from which cluster?'))?.name;
    if (!name) return;
    service.cluster(name).disconnect();
    rerender();
  });
  registerCommand(context, 'hpcWorkbench.toggleAllUsers', async (_call, arg) => {
    const value = typeof arg === 'boolean' ? arg : !settings.showAllUsers();
    await updateSetting('jobs.showAllUsers', value);
    await service.refresh();
    rerender();
    return value;
  });
}
