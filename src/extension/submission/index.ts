/**
 * Remote submission in the editor: Sync Workspace, Submit Job, Validate on Cluster
 * (submitCommands.ts), Show Job Output and Download Job Outputs (outputCommands.ts), upload on
 * save (onSaveUpload.ts), a notification when my jobs end (jobEndNotifications.ts), and
 * right-sizing diagnostics, Resubmit Failed Tasks, Refresh Job History (accounting.ts). The work
 * itself happens in the cluster service (src/cluster); these files are the UI around it.
 */
import * as vscode from 'vscode';
import type { ClusterService, JobsView } from '../services';
import { settings } from '../settings';
import type { ExtensionState } from '../state';
import { registerAccounting } from './accounting';
import { registerJobEndNotifications } from './jobEndNotifications';
import { OnSaveUploader } from './onSaveUpload';
import { registerOutputCommands } from './outputCommands';
import { registerSubmitCommands, type StartEstimates } from './submitCommands';
import { localFolder } from './workspace';

export function registerSubmission(context: vscode.ExtensionContext, clusters: ClusterService, state: ExtensionState, jobsView: JobsView, estimates?: StartEstimates): void {
  const outputs = registerOutputCommands(context, clusters, state);
  registerSubmitCommands(context, clusters, state, jobsView, outputs.showOutput, estimates);
  registerAccounting(context, clusters, state);
  registerJobEndNotifications(context, clusters, state, {
    showOutput: outputs.showOutput,
    resubmit: (script) => vscode.commands.executeCommand('hpcWorkbench.submitJob', script),
  });
  context.subscriptions.push(
    new OnSaveUploader({
      // The last cluster used, else the only one configured.
      cluster: () => {
        const names = clusters.clusters.map((c) => c.name);
        const last = state.lastCluster;
        if (last && names.includes(last)) return last;
        return names.length === 1 ? names[0] : undefined;
      },
      upload: (folder, cluster, files) => clusters.cluster(cluster).upload(localFolder(folder), files),
      excludeGlobs: settings.syncExclude,
    }),
  );
}
