/**
 * The cluster service: every operation on a configured cluster, without VS Code.
 *
 * - `ClusterRegistry` holds one `Cluster` per entry of `hpcWorkbench.clusters` (`reload(configs)`),
 *   with the events of all of them (`onDidChange`, `onDidRefresh`, `onDidFinishJob`).
 * - `Cluster` owns its connection (SSH or local processes) and file transfer, and its monitor
 *   (the one refresh loop: one round trip per interval, backing off while failing). Views read
 *   `cluster.view()`; commands call its operations: `sync`, `upload`, `submit`, `validate`,
 *   `jobAction`, `job`, `outputPaths`, `jobDetails`, `followOutput`, `exec`, `transfer`, and accounting:
 *   `history` (fetched on start, when a job of mine ends, on demand), `jobAccounting`,
 *   `resubmitFailedTasks`, `liveUse` (sstat, read on demand: a tooltip, the details).
 * - Data flows one way: transport → core parsers → ClusterState → events → views.
 */
export { Cluster, type ClusterOptions, type ClusterView, type LocalFolder, type TransferControl, type ConnectionState, type FinishedJobInfo, type FinishedJobReport, type History, type MonitorStatus } from './cluster';
export { DEFAULT_HISTORY_DAYS, needsSlurmdbd, type JobAccounting, type LiveUse, type ResubmitResult } from './accounting';
export { ClusterRegistry } from './registry';
export { downloadFile, listRemoteFiles, type DownloadOutcome } from './download';
export { OutputFollower, MAX_STREAMS, type FollowUpdate } from './outputFollower';
export { scriptPathInWorkspace, type Submitted } from './submit';
export { estimateStart, judgeAnswer, type StartEstimate } from './startEstimate';
export type { StartVerdict } from '../core/slurm/startEstimate';
export type { SyncProgress, SyncSummary } from '../transport/sftpSync';
export type { TestOnlyAnswer } from '../core/slurm/sbatchAnswers';
// What the VS Code adapter supplies to SSH connections, and what Add Cluster offers.
export type { HostKeyInfo, PassphraseAnswer, SshCallbacks, SshPrompt } from '../transport/ssh';
export { listSshConfigHosts } from '../transport/ssh/sshConfig';
