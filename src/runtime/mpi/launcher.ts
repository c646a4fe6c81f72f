/** Finding launchers on this machine: the executable lookup core/mpi's detectLauncher is given. */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { detectLauncher, type DetectOptions, type LauncherInfo } from '../../core/mpi/launcher';

/** Finds an executable on PATH (or checks an explicit path); undefined when absent. */
export function findExecutable(name: string, pathVar = process.env.PATH ?? ''): string | undefined {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (name.includes('/')) return executable(name) ? name : undefined;
  for (const dir of pathVar.split(delimiter)) {
    if (!dir || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** detectLauncher with this machine's lookup (PATH of `env`) unless another is given. */
export function detectLocalLauncher(options: Omit<DetectOptions, 'find'> & Partial<Pick<DetectOptions, 'find'>>): Promise<LauncherInfo> {
  return detectLauncher({ ...options, find: options.find ?? ((name: string) => findExecutable(name, options.env.PATH ?? '')) });
}
