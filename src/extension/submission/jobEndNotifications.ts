/** A notification when one of my jobs ends (with its efficiency when slurmdbd has it), with Show Output (and Resubmit for jobs submitted from here). */
import * as vscode from 'vscode';
import { formatEfficiency } from '../../core/slurm/efficiency';
import { describeJobEnd } from '../../core/slurm/sbatchAnswers';
import type { ClusterService, FinishedJob, JobRef } from '../services';
import type { ExtensionState } from '../state';

export function registerJobEndNotifications(
  context: vscode.ExtensionContext,
  clusters: ClusterService,
  state: ExtensionState,
  actions: { showOutput(ref: JobRef): unknown; resubmit(script: vscode.Uri): unknown },
): void {
  const notify = (job: FinishedJob): void => {
    const described = describeJobEnd(job);
    // With slurmdbd the report carries the job's efficiency (seff's definitions).
    const eff = job.efficiency ? formatEfficiency(job.efficiency) : '';
    const text = eff ? `${described.text} ${eff}.` : described.text;
    const severity = described.severity;
    const ours = state.submitted().find((r) => r.cluster === job.cluster && r.jobId === job.jobId);
    const choices = ours ? ['Show Output', 'Resubmit'] : ['Show Output'];
    const show = severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void show(`${text} (${job.cluster})`, ...choices).then((choice) => {
      if (choice === 'Show Output') void actions.showOutput({ cluster: job.cluster, jobId: job.jobId });
      if (choice === 'Resubmit' && ours) void actions.resubmit(vscode.Uri.parse(ours.script));
    });
  };
  context.subscriptions.push(clusters.onDidFinishJob(notify));
}
