/**
 * What to tell the user when MPI or mpi4py is missing: the install command for their platform.
 */
export type PackageFamily = 'debian' | 'fedora' | 'suse' | 'arch' | 'macos' | 'other';

/** Reads the distribution family from /etc/os-release text (ID and ID_LIKE); the runtime reads the file. */
export function packageFamily(platform: NodeJS.Platform, osRelease: string | undefined): PackageFamily {
  if (platform === 'darwin') return 'macos';
  if (platform !== 'linux' || !osRelease) return 'other';
  const ids = [...osRelease.matchAll(/^(?:ID|ID_LIKE)="?([^"\n]*)"?$/gm)].flatMap((m) => m[1].split(/\s+/));
  if (ids.some((id) => ['debian', 'ubuntu'].includes(id))) return 'debian';
  if (ids.some((id) => ['fedora', 'rhel', 'centos', 'rocky', 'almalinux'].includes(id))) return 'fedora';
  if (ids.some((id) => id.startsWith('suse') || id.startsWith('opensuse') || id === 'sles')) return 'suse';
  if (ids.some((id) => id === 'arch')) return 'arch';
  return 'other';
}

function sudo(isRoot: boolean): string {
  return isRoot ? '' : 'sudo ';
}

/** The command that installs an MPI launcher (Open MPI) together with mpi4py for the system Python. */
export function mpiInstallHint(family: PackageFamily, isRoot: boolean): string {
  switch (family) {
    case 'debian':
      return `${sudo(isRoot)}apt install openmpi-bin python3-mpi4py`;
    case 'fedora':
      return `${sudo(isRoot)}dnf install openmpi python3-mpi4py-openmpi && module load mpi/openmpi-x86_64`;
    case 'suse':
      return `${sudo(isRoot)}zypper install openmpi4 python3-mpi4py`;
    case 'arch':
      return `${sudo(isRoot)}pacman -S openmpi python-mpi4py`;
    case 'macos':
      return 'brew install open-mpi mpi4py';
    default:
      return 'install Open MPI or MPICH with your package manager (on a cluster: module load openmpi)';
  }
}

/**
 * How to get mpi4py for one interpreter. The distribution's package only serves the system Python
 * (/usr/bin/python3); any other interpreter (venv, conda, pyenv) needs pip, which compiles against
 * the MPI headers.
 */
export function mpi4pyInstallHint(python: string, family: PackageFamily, isRoot: boolean): string {
  const pip = `${python} -m pip install mpi4py`;
  const system = python === '/usr/bin/python3' || python === 'python3';
  switch (family) {
    case 'debian':
      return system
        ? `${sudo(isRoot)}apt install python3-mpi4py   (or: ${pip}, which needs libopenmpi-dev)`
        : `${pip}   (needs MPI headers: ${sudo(isRoot)}apt install libopenmpi-dev)`;
    case 'fedora':
      return system ? `${sudo(isRoot)}dnf install python3-mpi4py-openmpi` : `${pip}   (needs openmpi-devel)`;
    case 'macos':
      return `${pip}   (needs: brew install open-mpi)`;
    default:
      return pip;
  }
}
