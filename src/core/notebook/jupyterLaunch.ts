/**
 * How Jupyter Server is started on a cluster's login node, as one `sh -c` script (argv, quoted by
 * core/shellQuote like every command): the token arrives on stdin (never in argv, which other
 * users see in `ps`), the server listens on a Unix socket in a private folder made by
 * `mktemp -d` (mode 0700; the socket itself 0600) with its runtime files beside it, its root and
 * working folder are the workspace's remote folder, and it lives while its stdin stays open:
 * closing the channel (stop, or the connection going) stops the server, which shuts its kernels
 * down, and the folder is removed. Pure: builds text and reads answers.
 */

/** The default of `hpcWorkbench.notebook.jupyterCommand` (PRODUCT.md). */
export const DEFAULT_JUPYTER_COMMAND = 'jupyter server';

/** The line the script prints once the folder exists: the socket's path follows. */
export const SOCKET_LINE = 'hpcw-jupyter-socket ';

/**
 * The launch line. A configured command is shell text by design (`module load python && jupyter
 * server`): it is the user's own setting, and the server options are appended to it. With the
 * default, `python3 -m jupyter_server` is tried when there is no `jupyter` command (Debian's
 * python3-jupyter-server installs the module without the `jupyter` front end).
 */
function launchLine(command: string | undefined): string {
  // Jupyter refuses to run as root without --allow-root; a root login (a container, a local run as
  // root) is the user's own choice, and the socket stays private to it.
  const options = '--no-browser --sock="$d/server.sock" --ServerApp.root_dir="$1" $allow_root';
  const configured = command?.trim();
  if (configured && configured !== DEFAULT_JUPYTER_COMMAND) return `${configured} ${options}`;
  return `if command -v jupyter >/dev/null 2>&1; then jupyter server ${options}; else python3 -m jupyter_server ${options}; fi`;
}

/** The script (for `sh -c SCRIPT sh ROOT`); stdin: the token on the first line, then kept open. */
export function jupyterLaunchScript(command: string | undefined): string {
  return [
    'IFS= read -r token || exit 90',
    // A background job's stdin is /dev/null: keep ours on fd 3 for the watcher.
    'exec 3<&0',
    'umask 077',
    'd=$(mktemp -d "${TMPDIR:-/tmp}/hpcw-jupyter.XXXXXXXX") || exit 91',
    "trap 'rm -rf \"$d\"' EXIT",
    "trap 'stopping=1' HUP INT TERM",
    'JUPYTER_TOKEN=$token; export JUPYTER_TOKEN; unset token',
    'JUPYTER_RUNTIME_DIR=$d/runtime; export JUPYTER_RUNTIME_DIR',
    'mkdir -p -- "$1" && cd -- "$1" || exit 92',
    'allow_root=; [ "$(id -u)" = 0 ] && allow_root=--allow-root',
    `printf '${SOCKET_LINE}%s\\n' "$d/server.sock"`,
    `( ${launchLine(command)} ) </dev/null 3<&- &`,
    'server=$!',
    // Stdin closes when we stop the server or the connection goes: the whole group is told to end.
    '{ cat >/dev/null 2>&1; kill -TERM 0; } <&3 >/dev/null 2>&1 &',
    'watcher=$!',
    // The server shuts its kernels down on TERM: wait for it before removing the folder.
    'while kill -0 "$server" 2>/dev/null; do wait "$server"; code=$?; done',
    // It ended by itself: the watcher goes too (its cat ends when the channel closes).
    'kill "$watcher" 2>/dev/null',
    'exit "${code:-0}"',
  ].join('\n');
}

/** argv of the launch (quoted by the transport): `sh -c SCRIPT sh ROOT`. */
export function jupyterLaunchArgv(command: string | undefined, rootDir: string): string[] {
  return ['/bin/sh', '-c', jupyterLaunchScript(command), 'sh', rootDir];
}

/** The socket path from the script's output so far, once its line is complete. */
export function socketPathFrom(stdout: string): string | undefined {
  const start = stdout.indexOf(SOCKET_LINE);
  if (start < 0) return undefined;
  const end = stdout.indexOf('\n', start);
  if (end < 0) return undefined;
  return stdout.slice(start + SOCKET_LINE.length, end);
}

/** `text` with every occurrence of `secret` replaced: server logs may print the token in URLs. */
export function redact(text: string, secret: string): string {
  return secret ? text.split(secret).join('<token>') : text;
}

/** What to install, or which setting to set, when there is no Jupyter Server. */
export const INSTALL_HINT =
  'Install Jupyter Server and a Python kernel on the login node (Debian/Ubuntu: apt install python3-jupyter-server python3-ipykernel; ' +
  'elsewhere: pip install --user jupyter-server ipykernel), or set hpcWorkbench.notebook.jupyterCommand ' +
  '(or the cluster entry\'s "jupyterCommand") to the command that starts it, e.g. "module load python && jupyter server".';

/** Whether the server's early exit says that Jupyter is missing (rather than failing otherwise). */
export function isMissingJupyter(code: number | null, stderr: string): boolean {
  return code === 127 || /not found|No module named '?jupyter_server|is not a Jupyter command|No such file or directory/i.test(stderr);
}
