#!/usr/bin/env bash
# The Debian chroots that hold the newer Slurm versions of the sandbox (24.11 from trixie, 26.05
# from sid). Their glibc is newer than the host's, so their daemons run chrooted; their client
# commands run on the host through the chroot's own dynamic loader (see sandbox.sh).
#
#   bash test/sandbox/chroot.sh build 24.11|26.05   # builds the chroot once (a no-op when cached)
#   bash test/sandbox/chroot.sh path 24.11|26.05    # prints its folder (fails when not built)
#
# The chroots live in <repo>/.cache/slurm-chroots/<version>/ (HPCW_CHROOT_CACHE overrides the
# parent folder). A chroot is built in a temporary folder beside it and renamed into place only
# when complete and checked, so a half-built one is never used; a lock file makes a second build
# of the same version wait for the first and then use its result. The archive is the one this
# machine's apt uses, read from /etc/apt/sources.list.d/ (or /etc/apt/sources.list) at run time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=$(realpath -m "${HPCW_CHROOT_CACHE:-$ROOT/.cache/slurm-chroots}")

log() { printf '[chroot] %s\n' "$*" >&2; }
die() { printf '[chroot] error: %s\n' "$*" >&2; exit 1; }

# suite_of VERSION: the Debian suite whose slurm-wlm is that version.
suite_of() {
  case "$1" in
    24.11) echo trixie ;;
    26.05) echo sid ;;
    *) die "no chroot for Slurm '$1' (known: 24.11, 26.05; 22.05 is the host's)" ;;
  esac
}

# archive_uri: the Debian archive this machine's apt reads (the entry for the host's own suite,
# not the security archive), from deb822 .sources files or one-line .list files.
archive_uri() {
  local codename f uri
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  [ -n "$codename" ] || die "cannot tell the host's Debian codename from /etc/os-release"
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk -v want="$codename" '
      function flush() { if (isdeb && hasmain && hassuite && uri != "" && !found) { print uri; found = 1 } isdeb = hasmain = hassuite = 0; uri = "" }
      /^[[:space:]]*$/ { flush(); next }
      /^[[:space:]]*#/ { next }
      tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1 }
      tolower($1) == "uris:" { uri = $2 }
      tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == want) hassuite = 1 }
      tolower($1) == "components:" { for (i = 2; i <= NF; i++) if ($i == "main") hasmain = 1 }
      END { flush() }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    uri=$(awk -v want="$codename" '
      $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ } if ($(i + 1) == want) { print $i; exit } }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return 0; }
  done
  die "no Debian archive for '$codename' in /etc/apt/sources.list.d/ or /etc/apt/sources.list"
}

# discard DIR: removes an unfinished build, after unmounting whatever debootstrap left mounted
# in it (it mounts /proc and /sys in the target while it configures packages).
discard() {
  local d m
  d=$(realpath -m "$1")
  for m in $(awk -v d="$d/" 'index($2 "/", d) == 1 {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  rm -rf "$d" "$d.log"
}

# slurm_version DIR: the slurm-wlm version installed in a chroot (e.g. 24.11.5-1).
slurm_version() {
  dpkg-query --admindir="$1/var/lib/dpkg" -W -f='${Version}' slurm-wlm 2>/dev/null
}

cmd_path() {
  local dir=$CACHE/$1
  suite_of "$1" >/dev/null
  [ -f "$dir/.hpcw-chroot" ] || die "the Slurm $1 chroot is not built: bash test/sandbox/chroot.sh build $1"
  echo "$dir"
}

cmd_build() {
  local version=$1 suite dir tmp uri start got
  suite=$(suite_of "$version")
  dir=$CACHE/$version
  mkdir -p "$CACHE"
  # One build per version at a time; a second caller waits, then finds the finished chroot.
  exec 9>"$CACHE/.$version.lock"
  flock -w 900 9 || die "another build of the $version chroot holds $CACHE/.$version.lock"
  if [ -f "$dir/.hpcw-chroot" ]; then
    log "Slurm $version chroot is cached in $dir"
    return 0
  fi
  [ "$(id -u)" -eq 0 ] || die "building a chroot needs root"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (bash test/sandbox/install-packages.sh)"
  uri=$(archive_uri)
  # Leftovers of an interrupted build (never a finished chroot: those are renamed into place).
  for tmp in "$CACHE/.$version.build."*; do [ -e "$tmp" ] && discard "$tmp"; done
  tmp=$(mktemp -d "$CACHE/.$version.build.XXXXXX")
  # Package scripts run as system users (munge's creates its key with su): the root must be
  # searchable by everyone, not mktemp's 700.
  chmod 755 "$tmp"
  trap 'discard "$tmp"' EXIT
  start=$SECONDS
  log "building the Slurm $version chroot (Debian $suite) from the host's archive"
  if ! debootstrap --variant=minbase --include=slurm-wlm,munge "$suite" "$tmp" "$uri" \
      > "$tmp.log" 2>&1; then
    tail -n 20 "$tmp.log" >&2
    grep -h -B2 -A3 'rror' "$tmp/debootstrap/debootstrap.log" 2>/dev/null | tail -n 20 >&2 || true
    die "debootstrap $suite failed"
  fi
  # Nothing of the build may stay mounted in a finished chroot.
  if awk -v d="$(realpath -m "$tmp")/" 'index($2 "/", d) == 1 {found = 1} END {exit !found}' /proc/mounts; then
    die "debootstrap left mounts in $tmp"
  fi
  rm -f "$tmp.log"
  got=$(slurm_version "$tmp")
  case "$got" in
    "$version".*) ;;
    *) die "Debian $suite ships slurm-wlm '${got:-nothing}', not $version" ;;
  esac
  # Package caches are not needed to run (about 60 MB).
  rm -rf "$tmp/var/cache/apt/archives/"*.deb
  printf 'slurm-wlm %s\nsuite %s\nbuilt %s in %ss\n' "$got" "$suite" "$(date -u +%FT%TZ)" "$((SECONDS - start))" \
    > "$tmp/.hpcw-chroot"
  chmod 755 "$tmp"
  # A folder without the stamp was never a finished chroot.
  [ -e "$dir" ] && rm -rf "$dir"
  mv -T "$tmp" "$dir"
  trap - EXIT
  log "Slurm $got chroot built in $((SECONDS - start)) s: $dir"
}

case "${1:-}" in
  build) [ $# -eq 2 ] || die "usage: $0 build VERSION"; cmd_build "$2" ;;
  path) [ $# -eq 2 ] || die "usage: $0 path VERSION"; cmd_path "$2" ;;
  dir) [ $# -eq 2 ] || die "usage: $0 dir VERSION"; suite_of "$2" >/dev/null; echo "$CACHE/$2" ;;
  uri) archive_uri ;;
  *) echo "usage: $0 build|path VERSION" >&2; exit 2 ;;
esac
