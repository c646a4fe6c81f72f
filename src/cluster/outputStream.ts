/**
 * One long-lived command on the cluster's connection that streams what a file gains: `tail -c
 * +OFFSET -F -- FILE` behind a short POSIX sh script (file name and numbers as arguments of
 * `sh -c SCRIPT`, quoted by core/shellQuote.ts through the transport, never spliced into it).
 * The script first prints one header line with the byte offset it starts at (on a first open of a
 * large file: its size minus the tail shown), so that every later byte is counted exactly and a
 * new connection resumes where the last delivered byte ended. The command lives until the channel
 * closes: its stdin then reaches end-of-file and the script ends tail (no process left behind, even
 * where the server ignores signals). `StreamSlot` keeps at most MAX_STREAMS such streams open per
 * connection (each holds one of its channels).
 */
import type { CommandRunner } from '../core/transport';

/** $1 file, $2 offset (-1: first open, start on the tail), $3 tail bytes. */
const STREAM_SCRIPT = [
  'f=$1; o=$2; e=0',
  '[ -e "$f" ] && e=1',
  'if [ "$o" -lt 0 ]; then',
  '  o=0',
  '  if [ "$e" = 1 ]; then s=$(wc -c < "$f") || exit 96; s=$((s + 0)); [ "$s" -gt "$3" ] && o=$((s - $3)); fi',
  'fi',
  "printf 'HPCW-STREAM %s %s\\n' \"$o\" \"$e\"",
  'exec 3<&0',
  // A missing file is waited for here: GNU tail -F started on a missing file polls once a second
  // for good; started on an existing one it follows through inotify (at once).
  '{ while [ ! -e "$f" ]; do sleep 0.2; done; exec tail -c +"$((o + 1))" -F -- "$f"; } <&- 3<&- &',
  't=$!',
  // Our side gone (channel closed, connection lost): stdin ends, tail is ended.
  '{ cat <&3; kill "$t"; } >/dev/null 2>&1 &',
  'wait "$t"',
].join('\n');

export interface StreamHeader {
  /** Byte offset of the first byte streamed. */
  offset: number;
  /** Whether the file existed when the stream started. */
  exists: boolean;
}

export interface StreamHandlers {
  onHeader(header: StreamHeader): void;
  onData(chunk: Buffer): void;
}

export type StreamEnd =
  /** The command ended by itself: streaming is not possible there (e.g. no `tail -F`). */
  { kind: 'exited'; code: number | null; reason: string };

/** The argv of the stream (tests and the bench read it too). */
export function streamArgv(path: string, offset: number | undefined, tailBytes: number): string[] {
  return ['sh', '-c', STREAM_SCRIPT, 'sh', path, String(offset ?? -1), String(tailBytes)];
}

/**
 * Streams `path` from `offset` (undefined: first open, on the tail) until `signal` fires (rejects
 * with a CancelledError), the connection goes (rejects with the transport's error), or the command
 * ends by itself (resolves: streaming impossible on that host, with the reason).
 */
export async function streamFile(runner: CommandRunner, path: string, offset: number | undefined, tailBytes: number, handlers: StreamHandlers, signal: AbortSignal): Promise<StreamEnd> {
  let head: Buffer | undefined = Buffer.alloc(0);
  let bad = false;
  const result = await runner.exec(streamArgv(path, offset, tailBytes), {
    signal,
    onStdout: (chunk) => {
      if (bad) return;
      if (!head) return handlers.onData(chunk);
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(0x0a);
      if (newline < 0) return;
      const match = /^HPCW-STREAM (\d+) ([01])$/.exec(head.subarray(0, newline).toString('latin1'));
      const rest = head.subarray(newline + 1);
      head = undefined;
      if (!match) {
        bad = true;
        return;
      }
      handlers.onHeader({ offset: Number(match[1]), exists: match[2] === '1' });
      if (rest.length > 0) handlers.onData(rest);
    },
  });
  if (bad) return { kind: 'exited', code: result.code, reason: 'the stream did not start with its header' };
  const reason = result.stderr.trim().split('\n').pop() || `exit status ${result.code}`;
  return { kind: 'exited', code: result.code, reason };
}

/** At most this many streams per connection (each holds one of its channels); more files are polled. */
export const MAX_STREAMS = 4;
const streamsOpen = new WeakMap<CommandRunner, number>();

/** One follower's claim on a stream of its connection: at most MAX_STREAMS held at once per connection. */
export class StreamSlot {
  private held = false;

  constructor(private readonly runner: CommandRunner) {}

  /** Holds a slot (true), or none is free (false: poll instead). */
  take(): boolean {
    if (this.held) return true;
    const open = streamsOpen.get(this.runner) ?? 0;
    if (open >= MAX_STREAMS) return false;
    streamsOpen.set(this.runner, open + 1);
    this.held = true;
    return true;
  }

  /** Gives the slot back (if held). */
  give(): void {
    if (!this.held) return;
    this.held = false;
    streamsOpen.set(this.runner, Math.max(0, (streamsOpen.get(this.runner) ?? 1) - 1));
  }
}
