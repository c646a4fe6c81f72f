/**
 * What the VS Code client and the SBATCH language server (src/server) say to each other beyond
 * LSP itself: one definition for both sides.
 */
import type { ClusterSnapshot } from './snapshot';

/** Custom notification: the client pushes the connected cluster's snapshot (null clears it). */
export const CLUSTER_SNAPSHOT_NOTIFICATION = 'hpcWorkbench/clusterSnapshot';

/** The parameters of CLUSTER_SNAPSHOT_NOTIFICATION. */
export interface ClusterSnapshotParams {
  snapshot: ClusterSnapshot | null;
}

/**
 * The server's `initializationOptions`. `snapshot` is an older name of `clusterSnapshot` that the
 * server still reads. The server checks every field: a client may send anything.
 */
export interface ServerInitializationOptions {
  /** `auto`, `off` or a path to shellcheck. */
  shellcheck?: string;
  clusterSnapshot?: ClusterSnapshot | null;
  snapshot?: ClusterSnapshot | null;
}
