#!/usr/bin/env bash
# Runs every benchmark (after building). Each prints its own side-by-side ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run --silent build
npx tsc -p .
node out/bench/mpi.js
node out/bench/lsp.js  # ours vs bash-language-server
node out/bench/ssh.js  # needs the sandbox up (HPCW_SANDBOX_DIR)
node out/bench/parse.js
node out/bench/accounting.js  # part 2 needs the sandbox up with --accounting slurmdbd
node out/bench/sync.js  # needs the sandbox up (HPCW_SANDBOX_DIR); vs rsync and scp
node out/bench/map.js   # the cluster map webview in headless Chromium: 10,000 nodes of 128 cores
node out/bench/notebook.js  # needs the sandbox up: %squeue cell, print(1) through the tunnel, kernel start-up
node out/bench/output.js      # line written → delivered by the follower, vs ssh host tail -F (sandbox up)
node out/bench/actions.js     # cancel/hold → the service's state shows it, vs a squeue poll (sandbox up)
node out/bench/controller.js  # slurmctld RPCs (sdiag, as root) of the cluster service vs watch -n 2 squeue (sandbox up)
