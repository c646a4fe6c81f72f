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
