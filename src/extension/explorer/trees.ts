/**
 * The two tree views' data providers: the elements are rebuilt from the cluster service's views
 * on every change (treeModel.ts), looked up by key for reveal, and dumped for tests.
 */
import * as vscode from 'vscode';
import type { ClusterService, JobRef } from '../services';
import type { ExplorerElement } from './treeModel';

/** Labels and descriptions as rendered, for tests (`hpcWorkbench._treeSnapshot`). */
export interface TreeDump {
  label: string;
  description: string;
  contextValue: string;
  cluster?: string;
  jobId?: string;
  children?: TreeDump[];
}

export class ExplorerTree implements vscode.TreeDataProvider<ExplorerElement> {
  private roots: ExplorerElement[] = [];
  private byKey = new Map<string, ExplorerElement>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(
    private readonly service: ClusterService,
    private readonly build: (s: ClusterService) => ExplorerElement[],
  ) {
    this.rebuild();
  }

  rebuild(): void {
    this.roots = this.build(this.service);
    this.byKey.clear();
    const walk = (els: ExplorerElement[]): void => {
      for (const e of els) {
        this.byKey.set(e.key, e);
        walk(e.children);
      }
    };
    walk(this.roots);
    this.emitter.fire();
  }

  find(predicate: (e: ExplorerElement) => boolean): ExplorerElement | undefined {
    for (const e of this.byKey.values()) if (predicate(e)) return e;
    return undefined;
  }

  getTreeItem(e: ExplorerElement): vscode.TreeItem {
    return e.item();
  }

  resolveTreeItem(item: vscode.TreeItem, e: ExplorerElement): vscode.ProviderResult<vscode.TreeItem> {
    return e.resolve ? e.resolve(item, this.service) : item;
  }

  getChildren(e?: ExplorerElement): ExplorerElement[] {
    if (!e) {
      // The views are visible: start watching the clusters.
      this.service.watch();
      return this.roots;
    }
    return this.byKey.get(e.key)?.children ?? e.children;
  }

  getParent(e: ExplorerElement): ExplorerElement | undefined {
    return e.parent;
  }

  dump(): TreeDump[] {
    const render = (e: ExplorerElement): TreeDump => {
      const item = e.item();
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const out: TreeDump = { label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue ?? '' };
      const ref = e as Partial<JobRef>;
      if (ref.jobId !== undefined && ref.cluster !== undefined) {
        out.cluster = ref.cluster;
        out.jobId = ref.jobId;
      }
      if (e.children.length > 0) out.children = e.children.map(render);
      return out;
    };
    return this.roots.map(render);
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
