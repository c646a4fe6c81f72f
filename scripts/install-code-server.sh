#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from npm) into <repo>/.cache/code-server for the
# tests that run inside a real VS Code (test/vscode-runner, test/ui). Run as root on Debian 12.
# Idempotent: does nothing when the pinned version already answers `--version`.
#
#   bash scripts/install-code-server.sh
#
# Environment: HPCW_CODE_SERVER_DIR overrides the install folder.
#
# Why each step (see ../shared/ENVIRONMENT.md in the project notes):
# - code-server@4.100.3 (VS Code 1.100.3) is the newest release whose engines allow Node 20;
# - as root, npm skips its install script unless unsafe-perm is set;
# - node-pty's build needs `yes=true` (a user ~/.npmrc may say yes=false);
# - the kerberos module needs libkrb5-dev; @vscode/ripgrep needs a pre-filled download cache
#   (it otherwise downloads rg from the internet): Debian's ripgrep is the same rg 13.0.0.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.100.3
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_ASSET=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
DIR=${HPCW_CODE_SERVER_DIR:-$PWD/.cache/code-server}
BIN=$DIR/node_modules/.bin/code-server
log() { echo "[code-server] $*"; }
# code-server writes a config file and logs under XDG folders even for --version: keep them here.
installed_version() {
  XDG_CONFIG_HOME=$DIR/xdg/config XDG_DATA_HOME=$DIR/xdg/data "$BIN" --version 2>/dev/null | grep -E '^[0-9]+\.' | head -n1
}

if [ -x "$BIN" ] && installed=$(installed_version) && [[ $installed == "$VERSION "* ]]; then
  log "code-server $VERSION already installed in $DIR"
  exit 0
fi

# Debian packages the native modules need.
missing=()
for pkg in libkrb5-dev ripgrep build-essential python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Pre-fill @vscode/ripgrep's download cache (path: os.tmpdir()/vscode-ripgrep-cache-<version>)
# with a tarball holding Debian's rg.
TMP_ROOT=${TMPDIR:-/tmp}
export TMPDIR=$TMP_ROOT
RG_CACHE=$TMP_ROOT/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION
if [ ! -s "$RG_CACHE/$RIPGREP_ASSET" ]; then
  log "placing Debian's rg in $RG_CACHE"
  mkdir -p "$RG_CACHE"
  staging=$(mktemp -d)
  cp /usr/bin/rg "$staging/rg"
  tar -czf "$RG_CACHE/$RIPGREP_ASSET.partial" -C "$staging" rg
  mv "$RG_CACHE/$RIPGREP_ASSET.partial" "$RG_CACHE/$RIPGREP_ASSET"
  rm -rf "$staging"
fi

log "installing code-server@$VERSION into $DIR (takes ~1 min)"
started=$(date +%s)
mkdir -p "$DIR"
[ -f "$DIR/package.json" ] || echo '{ "name": "hpcw-code-server", "private": true }' > "$DIR/package.json"
# npm 11 reports unreviewed install scripts; code-server's own postinstall installs VS Code's
# dependencies with nested npm runs, which inherit these variables.
export npm_config_unsafe_perm=true npm_config_yes=true npm_config_audit=false npm_config_fund=false
export npm_config_update_notifier=false npm_config_dangerously_allow_all_scripts=true
(cd "$DIR" && npm install --no-save --no-package-lock "code-server@$VERSION")

if ! installed=$(installed_version) || [[ $installed != "$VERSION "* ]]; then
  log "code-server did not install correctly: '$installed'"
  exit 1
fi
log "installed $installed in $(( $(date +%s) - started )) s"
