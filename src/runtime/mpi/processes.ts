/**
 * Finding and ending every process of a run. Launchers put each rank in a process group of its
 * own (Open MPI does setpgid per rank), so signalling the launcher's group does not reach the
 * ranks when the launcher itself is gone. Every run therefore carries a unique marker in its
 * environment (HPCW_RUN_ID), which every rank and every child inherits; on Linux /proc tells which
 * live processes carry it, whatever their process group, session or parent.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

export const RUN_ID_VARIABLE = 'HPCW_RUN_ID';

/** True when /proc/PID exists and the process is not a zombie (a zombie has already exited). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    if (process.platform === 'linux') return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/** Live processes (not zombies) whose environment holds NAME=VALUE. Linux only; [] elsewhere. */
export function processesWithEnv(name: string, value: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`${name}=${value}\0`);
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      continue; // gone, or not ours to read
    }
    if (holds(environ, needle) && isAlive(pid)) pids.push(pid);
  }
  return pids;
}

function holds(environ: Buffer, needle: Buffer): boolean {
  // environ is NUL-separated: match at the start or right after a NUL.
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

/**
 * As processesWithEnv, without blocking the event loop (the extension host calls this): /proc
 * reads are slow on a loaded machine (~100 ms for 200 processes).
 */
export async function processesWithEnvAsync(name: string, value: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const needle = Buffer.from(`${name}=${value}\0`);
  const found = await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e) && Number(e) !== process.pid)
      .map(async (e) => {
        try {
          return holds(await readFile(`/proc/${e}/environ`), needle) && isAlive(Number(e)) ? Number(e) : undefined;
        } catch {
          return undefined;
        }
      }),
  );
  return found.filter((p): p is number => p !== undefined);
}

export function runProcessesAsync(runId: string): Promise<number[]> {
  return processesWithEnvAsync(RUN_ID_VARIABLE, runId);
}

/** The processes of one run (by its marker). */
export function runProcesses(runId: string): number[] {
  return processesWithEnv(RUN_ID_VARIABLE, runId);
}

/** Sends a signal to each pid, ignoring those already gone. */
export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** Signals a process group (negative pid), ignoring a group that no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // no such group
  }
}
