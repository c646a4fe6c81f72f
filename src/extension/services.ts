/**
 * The seams between the extension's features. `main.ts` creates each feature and hands it
 * the services it needs; features never reach into each other's modules.
 */
import type { ClusterSnapshot } from '../core/cluster/snapshot';

export type { ClusterService } from './clusters/clusterService';

/** Provided by the language feature (src/extension/language). */
export interface LanguageService {
  /** Pushes the connected cluster's snapshot to the language server (undefined clears it). */
  setClusterSnapshot(snapshot: ClusterSnapshot | undefined): void;
}

/** Provided by the explorer: shows a job in the Jobs view. */
export interface JobsView {
  /** Selects a job in the jobs view, refreshing first when it is not known yet. */
  revealJob(cluster: string, jobId: string): Promise<void>;
}

/** What tree items of the jobs view carry, and what job commands accept as their argument. */
export interface JobRef {
  cluster: string;
  jobId: string;
}

export function isJobRef(x: unknown): x is JobRef {
  return typeof x === 'object' && x !== null && typeof (x as JobRef).cluster === 'string' && typeof (x as JobRef).jobId === 'string';
}

export type { FinishedJobReport as FinishedJob } from '../cluster';
