/**
 * What the rest of the product needs from a connection to a cluster: run a command given as an
 * argv array, and (for SSH) transfer files. Implemented by the SSH transport (one persistent ssh2
 * connection per cluster) and the local transport (child processes). No vscode import here.
 */

export interface ExecOptions {
  /** Working directory (may start with `~/` for remote transports). */
  cwd?: string;
  /** Extra environment variables for this command. */
  env?: Record<string, string>;
  /** Text written to the command's standard input, then closed. */
  stdin?: string;
  /** Kill the command and reject after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * A long-lived stream: standard output is handed over chunk by chunk as it arrives (and not
   * collected: the result's stdout is empty), and standard input stays open until the command
   * ends or `signal` fires, so the command sees end-of-file on it when the channel goes away.
   */
  onStdout?: (chunk: Buffer) => void;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit code; null when the command was killed by a signal. */
  code: number | null;
}

export interface CommandRunner {
  exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
}
