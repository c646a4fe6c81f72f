#!/usr/bin/env bash
# Records which options a real sbatch accepts and whether each takes a value, into
# test/fixtures/sbatch/options-<major.minor>.txt. Run it with a sandbox of that version up:
#
#   bash scripts/record-sbatch-options.sh [--slurm 22.05|24.11|26.05] [OUTPUT]
#
# The candidate names are every long option that `sbatch --help`, `sbatch --usage` or the man
# page (the host's, or the chroot's for a newer version) mention, plus the catalogue's
# (out/src/core/sbatch/options.js, when compiled). `--help` is not a reliable guide to the
# argument kind, so each name is probed through getopt with --test-only:
#   `--opt` as the last option   -> "requires an argument": the value is required
#   `--opt=x`                    -> "doesn't allow an argument": no value
#   neither                      -> the value is optional
#   "unrecognized option" or a "no longer supported"-style refusal -> not accepted
# Short letters come from the probe of every letter (-X last: "requires an argument" or not;
# "invalid option": none) and are tied to their long name by `--help`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SLURM_ARGS=()
OUT=
while [ $# -gt 0 ]; do
  case "$1" in
    --slurm) SLURM_ARGS=(--slurm "$2"); shift 2 ;;
    *) OUT=$1; shift ;;
  esac
done
eval "$(bash test/sandbox/sandbox.sh env "${SLURM_ARGS[@]}")"
[ -s "$HPCW_SANDBOX_DIR/sandbox.json" ] || { echo "the sandbox in $HPCW_SANDBOX_DIR is not up" >&2; exit 1; }
FULL=$(sbatch --version | awk '{print $2}')
MAJOR=$(cut -d. -f1,2 <<<"$FULL")
OUT=${OUT:-test/fixtures/sbatch/options-$MAJOR.txt}
CHROOT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("chroot") or "")' "$HPCW_SANDBOX_DIR/sandbox.json")
MAN=$CHROOT/usr/share/man/man1/sbatch.1.gz

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
sbatch --help > help.txt 2>&1 || true
sbatch --usage > usage.txt 2>&1 || true
if [ -f "$MAN" ]; then zcat "$MAN" | sed 's/\\-/-/g; s/\\f[BRIP]//g' > man.txt; else : > man.txt; fi
names() { grep -oE -- '--[a-z][a-z0-9_-]*[a-z0-9]' "$1" | sed 's/^--//' | sort -u; }
names help.txt > help.names
names usage.txt > usage.names
names man.txt > man.names
: > catalogue.names
if [ -f "$ROOT/out/src/core/sbatch/options.js" ]; then
  node -e 'for (const o of require(process.argv[1]).OPTIONS) { console.log(o.long); for (const a of o.aliases ?? []) console.log(a); }' \
    "$ROOT/out/src/core/sbatch/options.js" | sort -u > catalogue.names
fi
sort -u help.names usage.names man.names catalogue.names > all.names

# probe ARGS...: sbatch's complaint about its options (first line of stderr), "" when none.
probe() {
  local err
  err=$(timeout 30 sbatch --test-only --wrap true "$@" 2>&1 >/dev/null </dev/null | head -n 1) || true
  printf '%s' "$err"
}

{
  printf '# sbatch %s: options as its getopt takes them (recorded by scripts/record-sbatch-options.sh)\n' "$FULL"
  printf '# name short arg sources(help,usage,man,catalogue) [note]\n'
  while read -r name; do
    # getopt takes a unique prefix too: a name that --help and --usage do not list and that is a
    # prefix of exactly one other name may be
    # that option ("--license" of --licenses) or one of its own ("--extra" beside
    # --extra-node-info); the same answer to "=x" as the longer name's means the former. (A prefix
    # of several names would be ambiguous, so one getopt takes is an option of its own.)
    if [ "$(grep -c -- "^$name." all.names)" -eq 1 ] && ! grep -qxF -- "$name" help.names &&
       ! grep -qxF -- "$name" usage.names; then
      longer=$(grep -- "^$name." all.names)
      if [ "$(probe "--$name=x" | tr -d '0-9')" = "$(probe "--$longer=x" | tr -d '0-9')" ]; then
        continue
      fi
    fi
    alone=$(probe "--$name")
    case "$alone" in
      *"unrecognized option"*|*"ambiguous"*) continue ;;
    esac
    withx=$(probe "--$name=x")
    note=
    if [[ "$alone" == *"requires an argument"* ]]; then arg=required
    elif [[ "$withx" == *"allow an argument"* ]]; then arg=none
    else arg=optional
    fi
    # Accepted by getopt but refused as such by sbatch ("no longer supported", "removed").
    if [[ "$alone $withx" =~ (no longer|not supported|deprecated|removed|obsolete) ]]; then
      note="refused: $(tr -s ' ' <<<"${alone:-$withx}")"
    fi
    short=$(grep -hoE -- "-[A-Za-z], --$name([^a-z0-9_-]|\$)" help.txt man.txt | head -n 1 | cut -c2) || true
    src=
    for s in help usage man catalogue; do grep -qxF -- "$name" "$s.names" && src+="${src:+,}$s"; done
    printf '%s %s %s %s%s\n' "$name" "${short:--}" "$arg" "$src" "${note:+ $note}"
  done < all.names
  # Letters sbatch takes that --help does not tie to a long name.
  for l in {a..z} {A..Z}; do
    r=$(probe "-$l")
    [[ "$r" == *"invalid option"* ]] && continue
    grep -qE -- "-$l, --" help.txt man.txt && continue
    printf '# short -%s accepted without a long name in --help (%s)\n' "$l" "$([[ "$r" == *"requires an argument"* ]] && echo required || echo no-value)"
  done
} > options.txt
cd "$ROOT"
mv "$WORK/options.txt" "$OUT"
echo "recorded $(grep -vc '^#' "$OUT") options of sbatch $FULL into $OUT"
