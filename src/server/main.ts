/**
 * `sbatch-language-server`: the SBATCH language server for any LSP client.
 *
 *   sbatch-language-server --stdio        (Neovim, Emacs, Helix, ...)
 *   sbatch-language-server --node-ipc     (VS Code, via vscode-languageclient)
 *   also --socket=PORT and --pipe=NAME
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { version } from '../../package.json';
import { startServer } from './server';

const USAGE = `usage: sbatch-language-server --stdio | --node-ipc | --socket=PORT | --pipe=NAME

The SBATCH language server (HPC Workbench ${version}): diagnostics for #SBATCH directives,
completion, hover, quick fixes, document symbols, and ShellCheck on the script body.
Initialization options: { "shellcheck": "auto" | "off" | "/path/to/shellcheck",
"clusterSnapshot": <cluster snapshot JSON> }. Notification "hpcWorkbench/clusterSnapshot"
with { "snapshot": ... | null } replaces the snapshot.
`;

const args = process.argv.slice(2);
if (args.includes('--version') || args.includes('-v')) {
  process.stdout.write(`${version}\n`);
  process.exit(0);
}
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const transport = args.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket=') || a.startsWith('--pipe='));
if (!transport) {
  process.stderr.write(USAGE);
  process.exit(2);
}

const connection = createConnection(ProposedFeatures.all);
// Last line of defence: log, never die, on a bug in a handler's asynchronous part.
process.on('uncaughtException', (err) => connection.console.error(`uncaught: ${err.stack ?? err.message}`));
process.on('unhandledRejection', (err) => connection.console.error(`unhandled rejection: ${String(err)}`));
startServer(connection);
connection.listen();
