#!/usr/bin/env bash
# Runs every test layer, after setting up everything the tests need on a fresh machine of this
# kind (Debian 12, root): apt packages, npm packages, code-server, the sandbox cluster.
#
#   bash scripts/test-all.sh            # every layer
#   bash scripts/test-all.sh unit       # only some layers: unit integration versions accounting vscode ui
#   bash scripts/test-all.sh stress     # (npm run test:stress) integration and vscode with every core busy
#
# `versions` runs the suites that depend on the Slurm version (agreement, explorer, submission)
# against Slurm 24.11 and 26.05 sandboxes (Debian chroots, built once into .cache/), beside the
# 22.05 one that `integration` uses. The time of each part is printed at the end.
#
# `stress` runs the integration and vscode layers while stress-ng keeps every core busy (one CPU
# worker per core), and prints the load average seen: waits must be for states, never for time.
#
# Environment: HPCW_SKIP_SETUP=1 skips package installation (when you know it is done);
# HPCW_SLURMDBD_PORT_BASE (default 26900): the ports of the instance with slurmdbd.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
LAYERS=("$@")
[ ${#LAYERS[@]} -eq 0 ] && LAYERS=(unit integration versions accounting vscode ui)
STRESS=0
if [ "${LAYERS[*]}" = stress ]; then STRESS=1; LAYERS=(integration vscode); fi
wants() { local l; for l in "${LAYERS[@]}"; do [ "$l" = "$1" ] && return 0; done; return 1; }
needs_sandbox() { wants integration || wants versions || wants accounting || wants vscode || wants ui; }
# The suites run against every version (a subset of integration/, to keep the run short).
VERSION_SUITES=(out/test/integration/sbatch out/test/integration/explorer out/test/integration/submission)
NEWER_SLURM=(24.11 26.05)
# Each version's instance lives in its own folder (.sandbox-V): not the main instance's, whose
# HPCW_SANDBOX_DIR is exported for the other layers.
VERSION_SANDBOX=(env -u HPCW_SANDBOX_DIR -u HPCW_SANDBOX_SLURM)
# A second 22.05 instance with slurmdbd on a private MariaDB, for the accounting suites' database
# half (integration, vscode) and the UI test of the history across a reload.
SLURMDBD_SANDBOX=(env HPCW_SANDBOX_DIR="$PWD/.sandbox-slurmdbd" HPCW_SANDBOX_PORT_BASE="${HPCW_SLURMDBD_PORT_BASE:-26900}")
wants_slurmdbd() { wants accounting || wants vscode || wants ui; }
TIMES=()
timed() { local name=$1 t0=$SECONDS; shift; "$@"; local rc=$?; TIMES+=("$name: $((SECONDS - t0)) s"); return $rc; }

LOG_DIR=$ROOT/.artifacts/test-logs
mkdir -p "$LOG_DIR"
PASSED=0 FAILED=0
FAILED_LAYERS=()
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# count_results LOG: adds node:test ("# pass N") and mocha ("N passing") totals to the tally.
count_results() {
  local p f
  p=$(grep -E '^# pass [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  f=$(grep -E '^# fail [0-9]+' "$1" | awk '{s+=$3} END {print s+0}')
  p=$((p + $(grep -E '^\s*[0-9]+ passing' "$1" | awk '{s+=$1} END {print s+0}')))
  f=$((f + $(grep -E '^\s*[0-9]+ failing' "$1" | awk '{s+=$1} END {print s+0}')))
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
}

# run_layer NAME CMD...: runs one layer, logs it, and records the result (and its time).
run_layer() {
  local name=$1 t0=$SECONDS; shift
  step "$name"
  local log=$LOG_DIR/$name.log
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]}
  count_results "$log"
  if [ "$rc" -ne 0 ]; then
    FAILED_LAYERS+=("$name")
    # A layer that died without reporting a failing test still counts as one failure.
    grep -qE '^# fail [1-9]|^\s*[1-9][0-9]* failing' "$log" || FAILED=$((FAILED + 1))
  fi
  TIMES+=("$name: $((SECONDS - t0)) s")
}

if [ "${HPCW_SKIP_SETUP:-0}" != 1 ]; then
  step "setup"
  timed setup bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi

step "build, typecheck, lint"
rm -rf out
timed "build, typecheck, lint" sh -c 'npm run --silent build && npx tsc -p . && npx tsc -p src/webview && npx eslint src test bench scripts' \
  || { echo "build/typecheck/lint failed"; echo "0 passed, 1 failed"; exit 1; }

# The packaged extension, as users install it: the UI layer runs it (HPCW_VSIX), not this checkout.
step "package"
if npm run --silent package > "$LOG_DIR/package.log" 2>&1; then
  export HPCW_VSIX=$ROOT/dist/hpc-workbench.vsix
  echo "bundle sizes (production build, as packaged):"
  for f in dist/*.js "$HPCW_VSIX"; do
    printf '  %-26s %9d bytes  %6d KiB\n' "${f#"$ROOT"/}" "$(stat -c %s "$f")" $(( $(stat -c %s "$f") / 1024 ))
  done
  # Development bundles (with source maps) again for the other layers.
  npm run --silent build
else
  cat "$LOG_DIR/package.log"
  echo "packaging failed"; echo "0 passed, 1 failed"; exit 1
fi

wants unit && run_layer unit node --test out/test/unit/

STRESS_PID= LOAD_PID=
LOAD_LOG=$LOG_DIR/stress-loadavg.log
# stop_stress: ends stress-ng and the load sampler (by their PIDs) and prints the load seen.
stop_stress() {
  [ -n "$STRESS_PID" ] || return 0
  kill "$STRESS_PID" "$LOAD_PID" 2>/dev/null; wait "$STRESS_PID" "$LOAD_PID" 2>/dev/null
  STRESS_PID=
  # Each line: the 1-minute load average, sampled every 10 s.
  awk -v cores="$(nproc)" '{ s += $1; n++; if ($1 > m) m = $1 } END { if (n) printf "load average under stress (%d cores): mean %.2f, max %.2f over %d samples\n", cores, s / n, m, n }' "$LOAD_LOG"
}
if [ "$STRESS" = 1 ]; then
  step "stress-ng --cpu $(nproc)"
  command -v stress-ng >/dev/null || { echo "stress-ng is missing (apt-get install stress-ng)"; echo "0 passed, 1 failed"; exit 1; }
  stress-ng --cpu "$(nproc)" --quiet &
  STRESS_PID=$!
  : > "$LOAD_LOG"
  ( while sleep 10; do cut -d' ' -f1 /proc/loadavg >> "$LOAD_LOG"; done ) &
  LOAD_PID=$!
  echo "stress-ng pid $STRESS_PID, load sampled into ${LOAD_LOG#"$ROOT"/}"
fi

if needs_sandbox; then
  step "sandbox up"
  timed "sandbox up (22.05)" bash test/sandbox/sandbox.sh up || { stop_stress; echo "sandbox failed to start"; echo "$PASSED passed, $((FAILED + 1)) failed"; exit 1; }
  trap 'stop_stress; step "sandbox down"; for v in "${NEWER_SLURM[@]}"; do "${VERSION_SANDBOX[@]}" bash test/sandbox/sandbox.sh down --slurm "$v"; done; "${SLURMDBD_SANDBOX[@]}" bash test/sandbox/sandbox.sh down; bash test/sandbox/sandbox.sh down' EXIT
  eval "$(bash test/sandbox/sandbox.sh env)"
fi

wants integration && run_layer integration node --test --test-concurrency=1 out/test/integration/

# run_version V: the version-dependent suites against a Slurm V sandbox (in a subshell, so that
# its environment, PATH first of all, does not leak into the next layer).
run_version() (
  unset HPCW_SANDBOX_DIR HPCW_SANDBOX_SLURM # the main instance's, exported above: each version has its own folder
  eval "$(bash test/sandbox/sandbox.sh env --slurm "$1")"
  node --test --test-concurrency=1 "${VERSION_SUITES[@]}"
)
if wants versions; then
  for v in "${NEWER_SLURM[@]}"; do
    step "sandbox up ($v)"
    if timed "sandbox up ($v)" "${VERSION_SANDBOX[@]}" bash test/sandbox/sandbox.sh up --slurm "$v"; then
      run_layer "slurm-$v" run_version "$v"
    else
      FAILED_LAYERS+=("slurm-$v"); FAILED=$((FAILED + 1))
    fi
  done
fi
# with_slurmdbd CMD...: runs CMD with the slurmdbd instance's environment (in a subshell: the
# main instance's stays for the other layers). The main instance, without slurmdbd, runs the other
# half of each accounting suite in its own layer.
with_slurmdbd() (
  eval "$("${SLURMDBD_SANDBOX[@]}" bash test/sandbox/sandbox.sh env)"
  "$@"
)
# The instance stays up for the vscode and ui layers (the trap takes it down).
SLURMDBD_UP=0
if wants_slurmdbd; then
  step "sandbox up (slurmdbd)"
  if timed "sandbox up (slurmdbd)" "${SLURMDBD_SANDBOX[@]}" bash test/sandbox/sandbox.sh up --accounting slurmdbd; then
    SLURMDBD_UP=1
  else
    for l in accounting vscode ui; do wants $l && FAILED_LAYERS+=("$l (slurmdbd)"); done
    FAILED=$((FAILED + 1))
  fi
fi
[ "$SLURMDBD_UP" = 1 ] && wants accounting && run_layer accounting with_slurmdbd node --test --test-concurrency=1 out/test/integration/accounting/
# The extension host runs with the sandbox's client home, whose ~/.ssh holds the `hpcw-sandbox`
# alias and the sandbox's host key: the suites then also cover clusters reached over SSH.
# vscode-accounting: the accounting suite again, against the slurmdbd instance (skipped above).
run_vscode() { env HOME="$HPCW_CLIENT_HOME" ./node_modules/.bin/vscode-test "$@"; }
wants vscode && run_layer vscode run_vscode
[ "$SLURMDBD_UP" = 1 ] && wants vscode && run_layer vscode-accounting with_slurmdbd run_vscode --grep accounting
# ui-history: the history across a window reload, against the slurmdbd instance (skipped above).
wants ui && run_layer ui node --test --test-concurrency=1 out/test/ui/
[ "$SLURMDBD_UP" = 1 ] && wants ui && run_layer ui-history with_slurmdbd node --test --test-concurrency=1 out/test/ui/history.test.js
stop_stress

echo
printf 'time of each part:\n'; printf '  %s\n' "${TIMES[@]}"
if [ ${#FAILED_LAYERS[@]} -gt 0 ]; then
  echo "failed layers: ${FAILED_LAYERS[*]} (logs in .artifacts/test-logs/)"
fi
echo "$PASSED passed, $FAILED failed"
[ ${#FAILED_LAYERS[@]} -eq 0 ] && [ "$FAILED" -eq 0 ]
