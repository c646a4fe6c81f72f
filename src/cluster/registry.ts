/**
 * The configured clusters: one `Cluster` per entry of the setting, kept across reloads when its
 * entry did not change (so its connection survives unrelated settings edits), and the events of
 * every cluster in one place.
 */
import type { ClusterConfig } from '../core/cluster/config';
import type { ClusterState } from '../core/slurm/clusterState';
import { Cluster, type ClusterOptions, type FinishedJobReport } from './cluster';
import { Emitter } from './events';

export class ClusterRegistry {
  private clusters = new Map<string, { cluster: Cluster; off: (() => void)[] }>();
  private focused = true;
  private readonly changeEmitter = new Emitter<void>();
  private readonly refreshEmitter = new Emitter<{ cluster: string; state: ClusterState }>();
  private readonly finishEmitter = new Emitter<FinishedJobReport>();

  constructor(private readonly options: (config: ClusterConfig) => ClusterOptions) {}

  /** Anything shown about any cluster may have changed. */
  onDidChange(listener: () => void): () => void {
    return this.changeEmitter.on(listener);
  }

  onDidRefresh(listener: (event: { cluster: string; state: ClusterState }) => void): () => void {
    return this.refreshEmitter.on(listener);
  }

  onDidFinishJob(listener: (job: FinishedJobReport) => void): () => void {
    return this.finishEmitter.on(listener);
  }

  /** Replaces the configured clusters; unchanged entries keep their connection and watch. */
  reload(configs: readonly ClusterConfig[]): void {
    const next = new Map<string, { cluster: Cluster; off: (() => void)[] }>();
    for (const config of configs) {
      const old = this.clusters.get(config.name);
      if (old && JSON.stringify(old.cluster.config) === JSON.stringify(config)) {
        next.set(config.name, old);
        this.clusters.delete(config.name);
      } else {
        next.set(config.name, this.create(config));
      }
    }
    for (const gone of this.clusters.values()) this.release(gone);
    this.clusters = next;
    for (const { cluster } of this.clusters.values()) cluster.resume();
    this.changeEmitter.fire();
  }

  /** The VS Code window's focus: every cluster refreshes less often while it is not focused. */
  setWindowFocused(focused: boolean): void {
    this.focused = focused;
    for (const { cluster } of this.clusters.values()) cluster.setWindowFocused(focused);
  }

  private create(config: ClusterConfig): { cluster: Cluster; off: (() => void)[] } {
    const cluster = new Cluster(config, this.options(config));
    cluster.setWindowFocused(this.focused);
    const off = [
      cluster.onDidChange(() => this.changeEmitter.fire()),
      cluster.onDidRefresh((state) => this.refreshEmitter.fire({ cluster: config.name, state })),
      cluster.onDidFinishJob((job) => this.finishEmitter.fire(job)),
    ];
    return { cluster, off };
  }

  private release(entry: { cluster: Cluster; off: (() => void)[] }): void {
    for (const off of entry.off) off();
    entry.cluster.dispose();
  }

  get(name: string): Cluster | undefined {
    return this.clusters.get(name)?.cluster;
  }

  /** In the order of the setting. */
  list(): Cluster[] {
    return [...this.clusters.values()].map((e) => e.cluster);
  }

  get configs(): ClusterConfig[] {
    return this.list().map((c) => c.config);
  }

  dispose(): void {
    for (const entry of this.clusters.values()) this.release(entry);
    this.clusters.clear();
    this.changeEmitter.clear();
    this.refreshEmitter.clear();
    this.finishEmitter.clear();
  }
}
