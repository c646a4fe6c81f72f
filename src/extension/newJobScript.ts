import * as vscode from 'vscode';
import { registerCommand } from './commands';

const TEMPLATE = `#!/bin/bash
#SBATCH --job-name=\${1:my-job}
#SBATCH --partition=\${2:debug}
#SBATCH --nodes=\${3:1}
#SBATCH --ntasks=\${4:2}
#SBATCH --time=\${5:00:10:00}
#SBATCH --output=%x-%j.out

\${0:srun python3 -m mpi4py main.py}
`;

/** The walkthrough's lint step: the template with one mistake (`--tiem`, fixed by a quick fix). */
const WITH_MISTAKE = `#!/bin/bash
#SBATCH --job-name=my-job
#SBATCH --partition=debug
#SBATCH --nodes=1
#SBATCH --ntasks=2
#SBATCH --tiem=00:10:00
#SBATCH --output=%x-%j.out

srun python3 -m mpi4py main.py
`;

export interface NewJobScriptArgs {
  /** Open the template with a misspelled option (the walkthrough's lint step). */
  withMistake?: boolean;
}

/** `hpcWorkbench.newJobScript`: an untitled SBATCH script from a template. */
export function registerNewJobScript(context: vscode.ExtensionContext): void {
  registerCommand(context, 'hpcWorkbench.newJobScript', async (call, arg) => {
    call.doing = 'Creating a job script';
    const args = arg as NewJobScriptArgs | undefined;
    if (args?.withMistake) {
      const doc = await vscode.workspace.openTextDocument({ language: 'sbatch', content: WITH_MISTAKE });
      const editor = await vscode.window.showTextDocument(doc);
      const line = WITH_MISTAKE.split('\n').findIndex((l) => l.includes('--tiem'));
      const at = new vscode.Position(line, WITH_MISTAKE.split('\n')[line].indexOf('--tiem'));
      editor.selection = new vscode.Selection(at, at);
      return doc;
    }
    const doc = await vscode.workspace.openTextDocument({ language: 'sbatch', content: '' });
    const editor = await vscode.window.showTextDocument(doc);
    await editor.insertSnippet(new vscode.SnippetString(TEMPLATE));
    return doc;
  });
}
