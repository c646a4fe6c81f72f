#!/usr/bin/env bash
# Installs the Debian packages that the sandbox cluster, the tests and the demo need, and only
# those that are missing. A quick no-op when everything is installed. Run as root (Debian 12).
set -euo pipefail

PACKAGES=(
  slurm-wlm munge                 # the Slurm cluster and its authentication
  slurmdbd mariadb-server         # accounting (sandbox.sh up --accounting slurmdbd)
  openssh-server openssh-client   # the private sshd on loopback and the ssh CLI
  openmpi-bin python3-mpi4py      # MPI programs (mpi4py for /usr/bin/python3)
  libpmix-dev                     # srun --mpi=pmix (the plugin loads libpmix.so)
  shellcheck                      # the linter behind SBATCH diagnostics
  chromium                        # headless browser for the UI tests
  libkrb5-dev ripgrep             # code-server's native build and its rg
  neovim                          # an LSP client for the language-server tests
  rsync                           # file sync
  debootstrap                     # the chroots of the newer Slurm versions (test/sandbox/chroot.sh)
  python3-jupyter-server python3-ipykernel python3-matplotlib  # notebook Python cells (a kernel on the login node)
  stress-ng                       # npm run test:stress keeps every core busy
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  if [ "$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null)" != installed ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "[install-packages] all ${#PACKAGES[@]} Debian packages are installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "[install-packages] missing: ${missing[*]} — run this script as root to install them" >&2
  exit 1
fi

echo "[install-packages] installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
