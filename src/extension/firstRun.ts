/**
 * The first run: the Getting Started walkthrough opens once, the first time the extension runs on
 * this machine. VS Code opens an extension's walkthrough by itself only when it was installed
 * from the Marketplace view in the running window; installed from a .vsix (or before the window
 * started, as `code-server --install-extension` does) it would otherwise stay unseen. The user's
 * `workbench.welcomePage.walkthroughs.openOnInstall: false` is honoured.
 */
import * as vscode from 'vscode';
import { settings } from './settings';
import type { ExtensionState } from './state';

export const WALKTHROUGH = 'gettingStarted';

export function openWalkthroughOnFirstRun(context: vscode.ExtensionContext, state: ExtensionState): void {
  if (state.walkthroughOpened || !settings.walkthroughsOpenOnInstall()) return;
  // Remembered first, so that a failure (or a second window starting at the same time) never
  // opens it again and again.
  void state.setWalkthroughOpened().then(() =>
    vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH}`, false).then(undefined, () => undefined),
  );
}
