/**
 * Which Python runs an mpi4py program, and whether it has mpi4py.
 *
 * Order: the `hpcWorkbench.python` setting, else the Python extension's selected interpreter, else
 * `python3`. When the user chose nothing and `python3` on PATH lacks mpi4py (a pyenv/conda/venv
 * python shadowing the system one) but the system's `/usr/bin/python3` has it, we use the system
 * one and say so: the default then works out of the box, while an interpreter the user picked is
 * never silently replaced (they get an error naming the one that would work).
 */
import type { CommandRunner } from '../transport';
import { mpi4pyInstallHint, type PackageFamily } from './installHints';

export type PythonSource = 'setting' | 'python-extension' | 'default';

export interface PythonChoice {
  python: string;
  source: PythonSource;
  /** mpi4py's version in that Python. */
  mpi4pyVersion: string;
  /** Something the user should know (e.g. a fallback to the system Python). */
  notice?: string;
}

export class Mpi4pyMissingError extends Error {}

export const SYSTEM_PYTHON = '/usr/bin/python3';

/** mpi4py's version in `python`, or undefined when it cannot be imported (or python is absent). */
export async function mpi4pyVersion(runner: CommandRunner, python: string): Promise<string | undefined> {
  try {
    const r = await runner.exec([python, '-c', 'import mpi4py; print(mpi4py.__version__)'], { timeoutMs: 20_000 });
    return r.code === 0 ? r.stdout.trim() || 'unknown' : undefined;
  } catch {
    return undefined;
  }
}

export interface ChoosePythonOptions {
  runner: CommandRunner;
  /** `hpcWorkbench.python` (empty = not set). */
  setting?: string;
  /** The Python extension's selected interpreter, when that extension is installed. */
  extensionPython?: string;
  /** The platform's package family (for the install hint; src/runtime/mpi/platform.ts reads this machine's). */
  family: PackageFamily;
  isRoot: boolean;
}

let cache = new WeakMap<CommandRunner, Map<string, string>>();

/**
 * As mpi4pyVersion, remembered per runner for the session (a check costs one Python start-up).
 * Only successes are remembered: after an install, the next run checks again.
 */
async function cachedVersion(runner: CommandRunner, python: string): Promise<string | undefined> {
  let known = cache.get(runner);
  if (!known) cache.set(runner, (known = new Map()));
  const hit = known.get(python);
  if (hit) return hit;
  const v = await mpi4pyVersion(runner, python);
  if (v) known.set(python, v);
  return v;
}

export async function choosePythonForMpi(options: ChoosePythonOptions): Promise<PythonChoice> {
  const { family, isRoot } = options;
  const setting = options.setting?.trim();
  const [python, source]: [string, PythonSource] = setting
    ? [setting, 'setting']
    : options.extensionPython
      ? [options.extensionPython, 'python-extension']
      : ['python3', 'default'];

  const version = await cachedVersion(options.runner, python);
  if (version) return { python, source, mpi4pyVersion: version };

  const system = python === SYSTEM_PYTHON ? undefined : await cachedVersion(options.runner, SYSTEM_PYTHON);
  if (source === 'default' && system) {
    return {
      python: SYSTEM_PYTHON,
      source,
      mpi4pyVersion: system,
      notice: `python3 on PATH has no mpi4py; using ${SYSTEM_PYTHON}, which has it (set hpcWorkbench.python to choose another).`,
    };
  }
  const from = source === 'setting' ? ' (setting hpcWorkbench.python)' : source === 'python-extension' ? ' (selected in the Python extension)' : '';
  const alternative = system ? ` ${SYSTEM_PYTHON} has mpi4py ${system}: set hpcWorkbench.python to it to use it.` : '';
  throw new Mpi4pyMissingError(
    `mpi4py is not installed for ${python}${from}. Install it: ${mpi4pyInstallHint(python, family, isRoot)}.${alternative}`,
  );
}

/** Forgets the cached mpi4py checks (tests, or after the user installed something). */
export function forgetPythonChecks(): void {
  cache = new WeakMap();
}
