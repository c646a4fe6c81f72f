import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mpi4pyInstallHint, mpiInstallHint, packageFamily } from '../../../../src/core/mpi/installHints';

test('the platform family comes from /etc/os-release', () => {
  assert.equal(packageFamily('linux', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'), 'debian');
  assert.equal(packageFamily('linux', 'ID=ubuntu\nID_LIKE=debian\n'), 'debian');
  assert.equal(packageFamily('linux', 'ID="rocky"\nID_LIKE="rhel centos fedora"\n'), 'fedora');
  assert.equal(packageFamily('linux', 'ID="opensuse-leap"\nID_LIKE="suse opensuse"\n'), 'suse');
  assert.equal(packageFamily('darwin', undefined), 'macos');
  assert.equal(packageFamily('linux', undefined), 'other');
});

test('install hints name the platform command, with sudo only when not root', () => {
  assert.equal(mpiInstallHint('debian', true), 'apt install openmpi-bin python3-mpi4py');
  assert.equal(mpiInstallHint('debian', false), 'sudo apt install openmpi-bin python3-mpi4py');
  assert.match(mpiInstallHint('fedora', false), /^sudo dnf install openmpi/);
  assert.match(mpi4pyInstallHint('/usr/bin/python3', 'debian', true), /^apt install python3-mpi4py/);
  // A pyenv/venv Python cannot use the distribution package: pip, with the MPI headers.
  const venv = mpi4pyInstallHint('/home/u/.venv/bin/python', 'debian', false);
  assert.match(venv, /^\/home\/u\/\.venv\/bin\/python -m pip install mpi4py/);
  assert.match(venv, /libopenmpi-dev/);
});
