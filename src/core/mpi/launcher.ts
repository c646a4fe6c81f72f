/**
 * MPI launcher detection: which launcher a `--version` output belongs to, and which launcher to
 * use for `hpcWorkbench.mpi.launcher` (`auto` | `mpirun` | `mpiexec` | `srun` | a path).
 * Pure: the runner and the executable lookup are given (src/runtime/mpi/launcher.ts gives this
 * machine's); shared with the remote side.
 */
import type { CommandRunner } from '../transport';

export type LauncherKind = 'openmpi' | 'mpich' | 'intel' | 'slurm' | 'unknown';

export interface LauncherInfo {
  kind: LauncherKind;
  /** What to execute: a name found on PATH or an absolute path. */
  command: string;
  /** The version the launcher reported, when it could be read. */
  version?: string;
}

/** Recognises a launcher by the text its `--version` prints (stdout and stderr together). */
export function parseLauncherVersion(output: string): { kind: LauncherKind; version?: string } {
  let m = /\((?:Open MPI|OpenRTE)\)\s+(\S+)/.exec(output);
  if (m) return { kind: 'openmpi', version: m[1] };
  if (/Intel\(R\) MPI Library/.test(output)) {
    m = /Version\s+([\w.]+)/.exec(output);
    return { kind: 'intel', version: m?.[1] };
  }
  if (/HYDRA build details/.test(output)) {
    m = /^\s*Version:\s+(\S+)/m.exec(output);
    return { kind: 'mpich', version: m?.[1] };
  }
  m = /^slurm(?:-wlm)?\s+(\S+)/m.exec(output);
  if (m) return { kind: 'slurm', version: m[1] };
  return { kind: 'unknown' };
}

/** Launchers tried by `auto`, in order (Debian's alternatives name both Open MPI's and MPICH's). */
export const AUTO_LAUNCHERS = ['mpirun', 'mpiexec', 'mpirun.openmpi', 'mpirun.mpich', 'mpiexec.hydra'];

export interface DetectOptions {
  /** The `hpcWorkbench.mpi.launcher` setting. */
  setting: string;
  /** Environment of the run (SLURM_JOB_ID, PATH). */
  env: Record<string, string | undefined>;
  /** Runs `LAUNCHER --version`. */
  runner: CommandRunner;
  /** Looks an executable up (a name on PATH, or checks an explicit path). */
  find: (name: string) => string | undefined;
}

export class NoLauncherError extends Error {}

/**
 * Picks the launcher. `auto`: srun inside a Slurm allocation (SLURM_JOB_ID set), else the first of
 * AUTO_LAUNCHERS on PATH. An explicit name or path is used as given; its kind is read from
 * `--version` (unknown kinds still run with the generic `-n N`).
 */
export async function detectLauncher(options: DetectOptions): Promise<LauncherInfo> {
  const find = options.find;
  const setting = options.setting.trim() || 'auto';
  const identify = async (command: string): Promise<LauncherInfo> => {
    let output = '';
    try {
      const r = await options.runner.exec([command, '--version'], { timeoutMs: 10_000 });
      output = `${r.stdout}\n${r.stderr}`;
    } catch {
      // A launcher that cannot print its version is still a launcher; treat it generically.
    }
    const parsed = parseLauncherVersion(output);
    const kind = parsed.kind === 'unknown' && /(^|\/)srun$/.test(command) ? 'slurm' : parsed.kind;
    return { kind, command, version: parsed.version };
  };

  if (setting !== 'auto') {
    const found = find(setting);
    if (!found) {
      throw new NoLauncherError(`The MPI launcher "${setting}" (setting hpcWorkbench.mpi.launcher) was not found.`);
    }
    return identify(found);
  }
  if (options.env.SLURM_JOB_ID) {
    const srun = find('srun');
    if (srun) return identify(srun);
  }
  for (const name of AUTO_LAUNCHERS) {
    const found = find(name);
    if (found) return identify(found);
  }
  throw new NoLauncherError(`No MPI launcher found (looked for ${AUTO_LAUNCHERS.join(', ')} on PATH).`);
}
