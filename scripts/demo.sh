#!/usr/bin/env bash
# Brings HPC Workbench up for a newcomer: installs what is missing, builds the extension, starts
# the sandbox cluster (Slurm + sshd on loopback), and serves a real VS Code (code-server) in the
# browser with the extension installed and a sample workspace connected to the sandbox.
#
#   bash scripts/demo.sh            # then open the printed URL; Ctrl-C stops everything
#
# HPCW_DEMO_PORT (default 8080) and HPCW_DEMO_BIND (default 127.0.0.1) choose where it listens.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PORT=${HPCW_DEMO_PORT:-8080}
BIND=${HPCW_DEMO_BIND:-127.0.0.1}
DEMO=$ROOT/.cache/demo

echo "[demo] installing what is missing (first run: a few minutes)"
bash scripts/setup.sh
echo "[demo] building the extension"
npm run --silent build

echo "[demo] starting the sandbox cluster"
# With slurmdbd, so that the demo shows job history, efficiency and right-sizing.
bash test/sandbox/sandbox.sh up --accounting slurmdbd
eval "$(bash test/sandbox/sandbox.sh env)"

CODE_PID=
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$CODE_PID" ] && kill -0 "$CODE_PID" 2>/dev/null; then
    kill "$CODE_PID" 2>/dev/null || true
    wait "$CODE_PID" 2>/dev/null || true
  fi
  echo "[demo] stopping the sandbox cluster"
  bash test/sandbox/sandbox.sh down || true
}
trap cleanup EXIT INT TERM

# The sample workspace: copied once, so that what the newcomer changes survives restarts.
WS=$DEMO/workspace
if [ ! -d "$WS" ]; then
  mkdir -p "$DEMO"
  cp -r test/fixtures/workspace "$WS"
fi
mkdir -p "$WS/.vscode"
node scripts/demo-settings.mjs > "$WS/.vscode/settings.json"

# A quiet first start: no VS Code welcome page in front of the sample workspace (HPC Workbench's
# own walkthrough opens on its first run).
mkdir -p "$DEMO/user-data/User"
[ -f "$DEMO/user-data/User/settings.json" ] \
  || echo '{ "workbench.startupEditor": "none", "workbench.tips.enabled": false }' > "$DEMO/user-data/User/settings.json"

# The extension, installed as a symlink to this checkout.
EXT=$DEMO/extensions
VERSION=$(node -p "require('./package.json').version")
mkdir -p "$EXT"
ln -sfn "$ROOT" "$EXT/hpc-workbench.hpc-workbench-$VERSION"

# The client side runs with the sandbox's client home: its ~/.ssh/config has the
# `hpcw-sandbox` alias and its known_hosts the sandbox's host key.
export HOME=$HPCW_CLIENT_HOME
export XDG_CONFIG_HOME=$DEMO/xdg-config XDG_DATA_HOME=$DEMO/xdg-data
"$ROOT/.cache/code-server/node_modules/.bin/code-server" \
  --bind-addr "$BIND:$PORT" --auth none --disable-telemetry --disable-update-check \
  --disable-workspace-trust --user-data-dir "$DEMO/user-data" --extensions-dir "$EXT" \
  "$WS" > "$DEMO/code-server.log" 2>&1 &
CODE_PID=$!

for _ in $(seq 1 100); do
  if node -e "fetch('http://$BIND:$PORT/healthz').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"; then break; fi
  kill -0 "$CODE_PID" 2>/dev/null || { echo "[demo] code-server failed to start, see $DEMO/code-server.log"; exit 1; }
  sleep 0.2
done

cat <<MSG

  HPC Workbench is up.

    Open  http://$BIND:$PORT/?folder=$WS

  The sample workspace is connected to the sandbox cluster "sandbox" (over SSH, alias
  hpcw-sandbox) and "sandbox-local" (local Slurm commands). The Getting Started walkthrough
  opens on the first start. Try: open jobs/broken.sbatch (lint), the HPC Workbench view
  (clusters, jobs), "HPC: Submit Job" on jobs/hello.sbatch, "HPC: Run with MPI" on mpi/pi.py,
  "HPC: Show Cluster Map", and slurm-notebook.ipynb with the kernel "HPC Workbench: sandbox"
  (Run All: a job followed in its cell, then a plot of its data from the login node).

  Ctrl-C stops code-server and the sandbox.

MSG
wait "$CODE_PID"
