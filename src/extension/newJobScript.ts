import * as vscode from 'vscode';

const TEMPLATE = `#!/bin/bash
#SBATCH --job-name=\${1:my-job}
#SBATCH --partition=\${2:debug}
#SBATCH --nodes=\${3:1}
#SBATCH --ntasks=\${4:2}
#SBATCH --time=\${5:00:10:00}
#SBATCH --output=%x-%j.out

\${0:srun python3 -m mpi4py main.py}
`;

/** `hpcWorkbench.newJobScript`: an untitled SBATCH script from a template. */
export function registerNewJobScript(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('hpcWorkbench.newJobScript', async () => {
      const doc = await vscode.workspace.openTextDocument({ language: 'sbatch', content: '' });
      const editor = await vscode.window.showTextDocument(doc);
      await editor.insertSnippet(new vscode.SnippetString(TEMPLATE));
      return doc;
    }),
  );
}
