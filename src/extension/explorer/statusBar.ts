/** The status bar item: my running and pending jobs on the active cluster, a warning while it fails. */
import * as vscode from 'vscode';
import type { ClusterService } from '../services';
import { jobCounts } from './jobsTree';

export class JobsStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('hpcWorkbench.jobs', vscode.StatusBarAlignment.Left, 50);
  private shown = false;

  constructor(private readonly service: ClusterService) {
    this.item.name = 'HPC Workbench jobs';
    this.item.command = 'hpcWorkbench.jobs.focus';
  }

  /** The text shown, or undefined while hidden (for tests). */
  get text(): string | undefined {
    return this.shown ? this.item.text : undefined;
  }

  update(): void {
    const name = this.service.activeCluster;
    const view = name ? this.service.view(name) : undefined;
    if (!name || !view) {
      this.item.hide();
      this.shown = false;
      return;
    }
    const { running, pending } = jobCounts(view.state);
    const status = view.status;
    const failing = status.kind === 'error';
    this.item.text = `$(server-process) ${name}: ${view.state ? `${running} running, ${pending} pending` : '…'}${failing ? ' $(warning)' : ''}`;
    this.item.tooltip = status.kind === 'error' ? `${name}: ${status.message}` : `My jobs on ${name} — click to show the Jobs view`;
    this.item.show();
    this.shown = true;
  }

  dispose(): void {
    this.item.dispose();
  }
}
