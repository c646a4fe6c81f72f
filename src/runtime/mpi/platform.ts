/** Facts about this machine that MPI runs depend on: its package family, whether we are root. */
import { readFileSync } from 'node:fs';
import { packageFamily, type PackageFamily } from '../../core/mpi/installHints';

/** The package family of this machine, from /etc/os-release. */
export function currentPackageFamily(): PackageFamily {
  let text: string | undefined;
  try {
    text = readFileSync('/etc/os-release', 'utf8');
  } catch {
    text = undefined;
  }
  return packageFamily(process.platform, text);
}

export function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

/** What choosePythonForMpi and the install hints need to know about this machine. */
export function localPlatform(): { family: PackageFamily; isRoot: boolean } {
  return { family: currentPackageFamily(), isRoot: runningAsRoot() };
}
