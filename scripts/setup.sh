#!/usr/bin/env bash
# Installs what the product and its tests need on a fresh Debian 12 machine (run as root):
# Debian packages, the Slurm chroots, the npm packages of package-lock.json, and code-server for
# the VS Code tests.
# Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

bash test/sandbox/install-packages.sh
# The Slurm 24.11 and 26.05 sandboxes' chroots (debootstrap from the apt archive; about 1-2 min
# each from nothing, a no-op once cached in .cache/slurm-chroots/).
for v in 24.11 26.05; do bash test/sandbox/chroot.sh build "$v"; done

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] npm ci"
  npm ci --no-audit --no-fund
fi

bash scripts/install-code-server.sh
