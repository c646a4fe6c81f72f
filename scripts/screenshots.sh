#!/usr/bin/env bash
# `npm run screenshots`: regenerates the walkthrough's and the README's pictures
# (media/walkthrough/*.png) from the real UI. Like scripts/demo.sh it installs what is missing,
# builds the extension and brings the sandbox cluster up (and down again, unless it was already
# up, e.g. for a running demo); scripts/screenshots.ts then drives code-server in headless
# Chromium. Arguments are passed on (--out DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${HPCW_SKIP_SETUP:-0}" != 1 ]; then
  echo "[screenshots] installing what is missing"
  bash scripts/setup.sh
fi
echo "[screenshots] building"
npm run --silent build
npx tsc -p .

if bash test/sandbox/sandbox.sh status >/dev/null 2>&1; then
  echo "[screenshots] the sandbox cluster is already up: using it"
else
  echo "[screenshots] starting the sandbox cluster"
  bash test/sandbox/sandbox.sh up
  trap 'echo "[screenshots] stopping the sandbox cluster"; bash test/sandbox/sandbox.sh down' EXIT
fi
eval "$(bash test/sandbox/sandbox.sh env)"

# The client side runs with the sandbox's client home (its ~/.ssh/config has the `hpcw-sandbox`
# alias), as in the demo.
HOME=$HPCW_CLIENT_HOME node out/scripts/screenshots.js "$@"
