/** Job details in a read-only virtual document (`hpcw-job://<cluster>/<job>.txt`), from the cluster service. */
import * as vscode from 'vscode';
import type { ClusterService, JobRef } from '../services';

export const JOB_DETAILS_SCHEME = 'hpcw-job';

export function jobDetailsUri(ref: JobRef): vscode.Uri {
  return vscode.Uri.from({ scheme: JOB_DETAILS_SCHEME, authority: encodeURIComponent(ref.cluster), path: `/${ref.jobId}.txt` });
}

export function registerJobDetailsDocuments(context: vscode.ExtensionContext, service: ClusterService): void {
  const provider: vscode.TextDocumentContentProvider = {
    provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
      const cluster = decodeURIComponent(uri.authority);
      const jobId = uri.path.replace(/^\//, '').replace(/\.txt$/, '');
      return service.cluster(cluster).jobDetails(jobId);
    },
  };
  context.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(JOB_DETAILS_SCHEME, provider));
}
