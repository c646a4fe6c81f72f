/** The Clusters view: clusters → partitions (state, limits, usage) → nodes (state, CPUs, memory, GRES, load, reason). */
import * as vscode from 'vscode';
import type { PartitionUsage } from '../../core/slurm/clusterState';
import type { ScontrolNode } from '../../core/slurm/scontrol';
import { formatDuration } from '../../core/slurm/units';
import type { ClusterView } from '../../cluster';
import { Base, ClusterElement, icon, MessageElement, statusChildren, type ExplorerElement } from './treeModel';

function pct(a: number, b: number): string {
  return b === 0 ? '0%' : `${Math.round((a / b) * 100)}%`;
}

export class PartitionElement extends Base {
  constructor(
    parent: ClusterElement,
    readonly partition: PartitionUsage,
  ) {
    super(`${parent.key}/p/${partition.name}`, parent);
  }
  item(): vscode.TreeItem {
    const p = this.partition;
    const t = this.make(p.isDefault ? `${p.name} (default)` : p.name, p.nodeNames.length > 0);
    const parts = [
      p.state,
      p.maxTimeMinutes === null ? 'no time limit' : `max ${formatDuration(p.maxTimeMinutes * 60)}`,
      `nodes ${p.nodes.idle} idle / ${p.nodes.allocated} alloc / ${p.nodes.other} other`,
      `CPUs ${p.cpus.allocated}/${p.cpus.total}`,
    ];
    if (p.gpus.total > 0) parts.push(`GPUs ${p.gpus.allocated}/${p.gpus.total}`);
    t.description = parts.join(' · ');
    const up = p.state === 'up';
    t.iconPath = icon('layers', up ? undefined : 'charts.red');
    t.contextValue = up ? 'partition' : 'partition.unavailable';
    t.tooltip = `${p.name}: ${t.description}\n${pct(p.cpus.allocated, p.cpus.total)} of CPUs allocated\nNodes: ${p.nodeNames.join(', ')}`;
    return t;
  }
}

const NODE_ICON: Record<string, [string, string | undefined]> = {
  idle: ['circle-large-outline', 'charts.green'],
  mixed: ['circle-large-filled', 'charts.yellow'],
  allocated: ['circle-filled', 'charts.blue'],
  completing: ['sync', 'charts.blue'],
  down: ['error', 'charts.red'],
  drained: ['debug-pause', 'charts.orange'],
  draining: ['debug-pause', 'charts.yellow'],
  reserved: ['lock', 'charts.purple'],
  planned: ['calendar', undefined],
  future: ['clock', undefined],
  unknown: ['question', 'charts.red'],
};

export class NodeElement extends Base {
  constructor(
    parent: PartitionElement,
    readonly node: ScontrolNode,
  ) {
    super(`${parent.key}/n/${node.name}`, parent);
  }
  item(): vscode.TreeItem {
    const n = this.node;
    const t = this.make(n.name, false);
    let state = n.state.base as string;
    if (n.state.notResponding) state += ' (not responding)';
    if (n.state.poweredDown) state += ' (powered down)';
    const parts = [state, `CPUs ${n.cpusAllocated}/${n.cpus}`, `${(n.realMemoryMiB / 1024).toFixed(n.realMemoryMiB < 10240 ? 1 : 0)} GiB`];
    if (n.gres.length > 0) parts.push(n.gres.map((g) => `${g.name}${g.type ? `:${g.type}` : ''}:${g.count}`).join(','));
    if (n.gpusTotal > 0) parts.push(`GPUs ${n.gpusAllocated}/${n.gpusTotal}`);
    if (n.cpuLoad !== null) parts.push(`load ${n.cpuLoad.toFixed(2)}`);
    if (n.reason) parts.push(n.reason);
    t.description = parts.join(' · ');
    const [id, color] = NODE_ICON[n.state.base] ?? NODE_ICON.unknown;
    t.iconPath = icon(n.state.notResponding && n.state.base !== 'down' ? 'warning' : id, color);
    t.contextValue = `node.${n.state.base}`;
    t.tooltip = `${n.name} — ${n.state.raw}\nCPUs ${n.cpusAllocated}/${n.cpus}, memory ${n.allocatedMemoryMiB}/${n.realMemoryMiB} MiB\nFeatures: ${n.features.join(', ') || 'none'}\nPartitions: ${n.partitions.join(', ')}${n.reason ? `\nReason: ${n.reason}` : ''}`;
    return t;
  }
}

/** Builds the clusters view. */
export function buildClustersTree(entries: ClusterView[], problems: readonly string[]): ExplorerElement[] {
  const roots: ExplorerElement[] = [];
  problems.forEach((p, i) => roots.push(new MessageElement(`clusters/problem/${i}`, undefined, p, 'error')));
  for (const entry of entries) {
    const c = new ClusterElement(entry, 'clusters');
    c.children = statusChildren(c, entry) ?? [];
    const state = entry.state;
    if (state && !entry.userDisconnected) {
      const byName = new Map(state.nodes.map((n) => [n.name, n]));
      for (const p of state.partitions) {
        const pe = new PartitionElement(c, p);
        pe.children = p.nodeNames.map((name) => byName.get(name)).filter((n): n is ScontrolNode => !!n).map((n) => new NodeElement(pe, n));
        c.children.push(pe);
      }
    }
    roots.push(c);
  }
  return roots;
}
