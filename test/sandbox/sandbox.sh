#!/usr/bin/env bash
# A local HPC sandbox: a 4-node Slurm cluster (one host, MULTIPLE_SLURMD, 5 count-only GPUs),
# munge, and a private sshd on 127.0.0.1 with a dedicated test user and key-only login.
# Everything it writes lives under one private folder; it never touches /etc/ssh or /etc/slurm.
#
#   bash test/sandbox/sandbox.sh up [--slurm 22.05|24.11|26.05] [--accounting slurmdbd|jobcomp]
#   bash test/sandbox/sandbox.sh down|status|env [--slurm V]
#   bash test/sandbox/sandbox.sh stop-ctld|start-ctld|freeze-ctld|thaw-ctld|stop-sshd|start-sshd [--slurm V]
#
# --slurm V / HPCW_SANDBOX_SLURM   the Slurm version (default 22.05, the host's own packages;
#                        24.11 and 26.05 run their daemons in Debian chroots, test/sandbox/chroot.sh)
# HPCW_SANDBOX_DIR       the private folder (default <repo>/.sandbox for 22.05, .sandbox-V otherwise)
# HPCW_SANDBOX_PORT_BASE first of 8 TCP ports: slurmctld, slurmd n1..n4, sshd, and with
#                        slurmdbd MariaDB and slurmdbd (default 26800); 24.11 adds 10 to it and
#                        26.05 adds 20, so that all three versions can run at once with one base
#
# Daemons run in the background with pid files in $DIR/run; `down` ends them by PID and then
# ends every process left that belongs to this instance (found by the HPCW_SANDBOX_OWNER=$DIR
# variable that the daemons and the ssh sessions carry, or by the instance's SLURM_CONF in a job's
# environment). A chroot version's daemons also share one private mount namespace (held by a
# `sleep` process) in which /proc, /dev, /sys, /home, /tmp and the folder are bind-mounted into
# the chroot: the mounts never appear on the host and vanish with the namespace's last process.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ACTION=${1:-}
[ $# -gt 0 ] && shift
ARG_SLURM=
ARG_ACCOUNTING=
while [ $# -gt 0 ]; do
  case "$1" in
    --slurm) [ $# -ge 2 ] || { echo "[sandbox] error: --slurm needs a version" >&2; exit 2; }; ARG_SLURM=$2; shift 2 ;;
    --slurm=*) ARG_SLURM=${1#--slurm=}; shift ;;
    --accounting) [ $# -ge 2 ] || { echo "[sandbox] error: --accounting needs slurmdbd or jobcomp" >&2; exit 2; }; ARG_ACCOUNTING=$2; shift 2 ;;
    --accounting=*) ARG_ACCOUNTING=${1#--accounting=}; shift ;;
    *) echo "[sandbox] error: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
HOST_SLURM=22.05
# The version: --slurm, else HPCW_SANDBOX_SLURM, else the one a given folder was started with.
SLURM_VERSION=${ARG_SLURM:-${HPCW_SANDBOX_SLURM:-}}
if [ -z "$SLURM_VERSION" ] && [ -n "${HPCW_SANDBOX_DIR:-}" ] && [ -s "$HPCW_SANDBOX_DIR/slurm-version" ]; then
  read -r SLURM_VERSION < "$HPCW_SANDBOX_DIR/slurm-version" || true
fi
SLURM_VERSION=${SLURM_VERSION:-$HOST_SLURM}
case "$SLURM_VERSION" in
  22.05) PORT_OFFSET=0; DEFAULT_DIR=$ROOT/.sandbox ;;
  24.11) PORT_OFFSET=10; DEFAULT_DIR=$ROOT/.sandbox-24.11 ;;
  26.05) PORT_OFFSET=20; DEFAULT_DIR=$ROOT/.sandbox-26.05 ;;
  *) echo "[sandbox] error: unsupported Slurm version '$SLURM_VERSION' (22.05, 24.11 or 26.05)" >&2; exit 2 ;;
esac
DIR=$(realpath -m "${HPCW_SANDBOX_DIR:-$DEFAULT_DIR}")
# The port base: HPCW_SANDBOX_PORT_BASE, else the one this folder's instance was last started
# with (its slurm.conf's SlurmctldPort, so that later actions reach the same daemons), else 26800.
PORT_BASE=${HPCW_SANDBOX_PORT_BASE:-}
if [ -z "$PORT_BASE" ] && [ -s "$DIR/slurm/slurm.conf" ]; then
  PORT_BASE=$(sed -n 's/^SlurmctldPort=\([0-9]*\)$/\1/p' "$DIR/slurm/slurm.conf")
  [ -n "$PORT_BASE" ] && PORT_BASE=$((PORT_BASE - PORT_OFFSET))
fi
PORT_BASE=${PORT_BASE:-26800}
if ! [[ "$PORT_BASE" =~ ^[0-9]+$ ]] || [ "$PORT_BASE" -lt 1024 ] || [ "$PORT_BASE" -gt 65505 ]; then
  echo "[sandbox] error: HPCW_SANDBOX_PORT_BASE must be a number in 1024..65505" >&2
  exit 2
fi
# The ports of this version's instance.
PORTS=$((PORT_BASE + PORT_OFFSET))
TEST_USER=hpcwtest
CLUSTER=sandbox
SSH_ALIAS=hpcw-sandbox
NODES=(n1 n2 n3 n4)

CTLD_PORT=$PORTS
SSH_PORT=$((PORTS + 5))
CONF=$DIR/slurm/slurm.conf
RUN=$DIR/run
SSH_DIR=$DIR/ssh
CLIENT_HOME=$DIR/client-home
CLIENT_KEY=$CLIENT_HOME/.ssh/id_ed25519
KNOWN_HOSTS=$CLIENT_HOME/.ssh/known_hosts
MUNGE_SOCKET=$DIR/munge/munge.socket
USER_LOCK=/tmp/hpcw-sandbox-user.lock

export SLURM_CONF=$CONF

# A chroot version: its daemons run in $CHROOT (in the instance's mount namespace) and its client
# commands on the host through the wrappers in $BIN_DIR, which run the chroot's binaries with the
# chroot's own dynamic loader and libraries (as the calling user, in the caller's folder).
BIN_DIR=$DIR/bin
CHROOT=
is_chroot() { [ "$SLURM_VERSION" != "$HOST_SLURM" ]; }
if is_chroot; then
  CHROOT=$(bash "$ROOT/test/sandbox/chroot.sh" dir "$SLURM_VERSION")
  export PATH="$BIN_DIR:$PATH"
fi

log() { printf '[sandbox] %s\n' "$*" >&2; }
die() { printf '[sandbox] error: %s\n' "$*" >&2; exit 1; }

# Accounting (slurmdbd + MariaDB, or the job completion file only): acct_* functions.
# shellcheck source=test/sandbox/accounting.sh
source "$ROOT/test/sandbox/accounting.sh"

# --- processes ------------------------------------------------------------------------------

# alive PID: true when PID runs and is not a zombie (PID 1 here reaps orphans only every 1-2 s).
alive() {
  local pid=$1 stat
  [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
  read -r stat 2>/dev/null < "/proc/$pid/stat" || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# pid_of NAME: the PID recorded in $RUN/NAME.pid when that process is alive, else nothing.
pid_of() {
  local f=$RUN/$1.pid pid
  [ -s "$f" ] || return 1
  read -r pid < "$f" || true
  [[ "$pid" =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  # Guard against a reused PID: the process must belong to this instance (sshd overwrites its
  # environment with its process title, so its command line names the instance instead).
  if ! grep -qzxF "HPCW_SANDBOX_OWNER=$DIR" "/proc/$pid/environ" 2>/dev/null &&
     ! grep -qzF "$DIR/" "/proc/$pid/cmdline" 2>/dev/null; then
    return 1
  fi
  echo "$pid"
}

# descendants PID: the PIDs of every live descendant of PID.
descendants() {
  local f stat rest pid ppid
  declare -A kids=()
  for f in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null < "$f" || continue
    pid=${stat%% *}; rest=${stat##*) }; rest=${rest#* }; ppid=${rest%% *}
    kids[$ppid]+="$pid "
  done
  local queue=("$1") p c
  while [ ${#queue[@]} -gt 0 ]; do
    p=${queue[0]}; queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do alive "$c" && echo "$c"; queue+=("$c"); done
  done
}

# wait_gone TIMEOUT PID...: waits until none of the PIDs is alive; false on timeout.
wait_gone() {
  local timeout=$1; shift
  local deadline=$((SECONDS + timeout)) pid left
  while :; do
    left=0
    for pid in "$@"; do alive "$pid" && left=1; done
    [ $left -eq 0 ] && return 0
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}

# end_pids PID...: SIGTERM (and SIGCONT for a frozen one), then SIGKILL after 5 s.
end_pids() {
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  kill -CONT "$@" 2>/dev/null || true
  if ! wait_gone 5 "$@"; then
    log "SIGKILL to $*"
    kill -KILL "$@" 2>/dev/null || true
    wait_gone 5 "$@" || log "still running after SIGKILL: $*"
  fi
}

# stop NAME: ends the daemon recorded in $RUN/NAME.pid.
stop() {
  local pid
  if pid=$(pid_of "$1"); then end_pids "$pid"; fi
  rm -f "$RUN/$1.pid"
}

# instance_pids: every live process of this instance (except this script and its ancestors).
instance_pids() {
  local skip=" $BASHPID " p files f pid stat
  p=$$
  while [ -n "$p" ] && [ "$p" != 0 ]; do
    skip+="$p "
    read -r stat 2>/dev/null < "/proc/$p/stat" || break
    stat=${stat##*) }; stat=${stat#* }; p=${stat%% *}
  done
  files=$( { grep -lzxF "HPCW_SANDBOX_OWNER=$DIR" /proc/[0-9]*/environ 2>/dev/null || true
             grep -lzxF "SLURM_CONF=$CONF" /proc/[0-9]*/environ 2>/dev/null \
               | while read -r f; do grep -qz '^SLURM_JOB_ID=' "$f" 2>/dev/null && echo "$f"; done || true
           } | sort -u)
  for f in $files; do
    pid=${f#/proc/}; pid=${pid%/environ}
    case "$skip" in *" $pid "*) continue ;; esac
    alive "$pid" && echo "$pid"
  done
  return 0
}

# start NAME CMD...: runs a daemon with the instance marker and records nothing itself (the
# daemons write their own pid files); stdio goes to $DIR/log/NAME.out.
start() {
  local name=$1; shift
  # fd 8 is this script's lock: a daemon must not inherit it.
  HPCW_SANDBOX_OWNER=$DIR SLURM_CONF=$CONF setsid "$@" </dev/null >>"$DIR/log/$name.out" 2>&1 8>&-
}

# start_slurm NAME CMD...: starts a Slurm or munge daemon of this version: on the host for 22.05,
# in the chroot (inside the instance's mount namespace) otherwise.
start_slurm() {
  local name=$1; shift
  if is_chroot; then
    local holder
    holder=$(pid_of mntns) || die "the mount namespace of $DIR is gone: run down, then up"
    start "$name" nsenter -t "$holder" -m -- chroot "$CHROOT" "$@"
  else
    start "$name" "$@"
  fi
}

# lock: one action at a time per instance (a second `up` waits for the first).
lock() {
  mkdir -p "$DIR"
  exec 8>"$DIR/.lock"
  flock -w 120 8 || die "another sandbox.sh action holds $DIR/.lock"
}

# check_port PORT WHAT: fails clearly when something else already listens on PORT.
check_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
    die "port $1 (for $2) is already in use; choose another HPCW_SANDBOX_PORT_BASE"
  fi
}

# --- configuration --------------------------------------------------------------------------

ensure_user() {
  (
    flock 9
    if ! id "$TEST_USER" >/dev/null 2>&1; then
      log "creating user $TEST_USER"
      useradd --create-home --shell /bin/bash --comment "HPC Workbench sandbox test user" "$TEST_USER"
    fi
    # With `UsePAM no` a locked password (!) is refused even for key logins; `*` is not.
    if [ "$(getent shadow "$TEST_USER" | cut -d: -f2)" != '*' ]; then usermod -p '*' "$TEST_USER"; fi
    local home; home=$(getent passwd "$TEST_USER" | cut -d: -f6)
    install -d -m 700 -o "$TEST_USER" -g "$(id -gn "$TEST_USER")" "$home/.ssh"
    local ak=$home/.ssh/authorized_keys tag="hpcw-sandbox:$DIR" tmp
    tmp=$(mktemp)
    # Drop only this instance's line: the tag must END the line (".sandbox" is a prefix of ".sandbox-x").
    { awk -v t=" $tag" 'length($0) < length(t) || substr($0, length($0) - length(t) + 1) != t' "$ak" 2>/dev/null || true
      printf '%s %s\n' "$(cut -d' ' -f1,2 "$CLIENT_KEY.pub")" "$tag"; } > "$tmp"
    install -m 600 -o "$TEST_USER" -g "$(id -gn "$TEST_USER")" "$tmp" "$ak"
    rm -f "$tmp"
  ) 9>"$USER_LOCK"
}

# remove_client_key: takes this instance's key out of the test user's authorized_keys.
remove_client_key() {
  local home ak tmp
  home=$(getent passwd "$TEST_USER" | cut -d: -f6) || return 0
  ak=$home/.ssh/authorized_keys
  [ -f "$ak" ] || return 0
  (
    flock 9
    grep -qE " hpcw-sandbox:$DIR\$" "$ak" || exit 0
    tmp=$(mktemp)
    # Only the line that ENDS with this instance's tag (".sandbox" is a prefix of ".sandbox-x").
    awk -v t=" hpcw-sandbox:$DIR" 'length($0) < length(t) || substr($0, length($0) - length(t) + 1) != t' "$ak" > "$tmp" || true
    install -m 600 -o "$TEST_USER" -g "$(id -gn "$TEST_USER")" "$tmp" "$ak"
    rm -f "$tmp"
  ) 9>"$USER_LOCK"
}

ensure_keys() {
  umask 022
  mkdir -p "$DIR" "$RUN" "$DIR/log" "$DIR/munge" "$SSH_DIR" "$CLIENT_HOME/.ssh" \
    "$DIR/slurm/state" "$DIR/slurm/log"
  chmod 755 "$DIR" "$DIR/slurm"
  chmod 700 "$SSH_DIR" "$CLIENT_HOME/.ssh" "$DIR/slurm/state"
  chmod 755 "$DIR/munge"
  local n
  for n in "${NODES[@]}"; do mkdir -p "$DIR/slurm/spool/$n" "$DIR/slurm/tmp/$n"; done
  chmod 1777 "$DIR"/slurm/tmp/*
  if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1024 count=1 status=none
  fi
  chmod 600 "$DIR/munge/munge.key"
  [ -s "$SSH_DIR/ssh_host_ed25519_key" ] ||
    ssh-keygen -q -t ed25519 -N '' -C "hpcw-sandbox-host" -f "$SSH_DIR/ssh_host_ed25519_key"
  [ -s "$CLIENT_KEY" ] ||
    ssh-keygen -q -t ed25519 -N '' -C "hpcw-sandbox-client" -f "$CLIENT_KEY"
  chmod 600 "$CLIENT_KEY"
}

write_slurm_conf() {
  local s=$DIR/slurm
  cat > "$CONF.tmp" <<CONF
# Generated by test/sandbox/sandbox.sh for the sandbox in $DIR — do not edit.
ClusterName=$CLUSTER
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$MUNGE_SOCKET
CredType=cred/munge
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool/%n
TmpFS=$s/tmp/%n
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd-%n.pid
SlurmctldLogFile=$s/log/slurmctld.log
SlurmdLogFile=$s/log/slurmd-%n.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
TaskProlog=$s/task-prolog.sh
SelectType=select/cons_tres
$(acct_select_conf)
SlurmdParameters=config_overrides
$(acct_slurm_conf)
JobCompType=jobcomp/filetxt
JobCompLoc=$s/jobcomp.txt
MpiDefault=none
ReturnToService=2
MessageTimeout=3
MailProg=/bin/true
InactiveLimit=0
KillWait=2
MinJobAge=300
SchedulerType=sched/backfill
GresTypes=gpu
NodeName=n1 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORTS + 1)) CPUs=2 RealMemory=2000 Gres=gpu:a100:2 State=UNKNOWN
NodeName=n2 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORTS + 2)) CPUs=2 RealMemory=2000 Gres=gpu:a100:2 State=UNKNOWN
NodeName=n3 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORTS + 3)) CPUs=2 RealMemory=2000 Features=bigmem Gres=gpu:v100:1 State=UNKNOWN
NodeName=n4 NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((PORTS + 4)) CPUs=2 RealMemory=2000 Features=bigmem State=UNKNOWN
PartitionName=debug Nodes=n[1-2] Default=YES MaxTime=30 State=UP
PartitionName=compute Nodes=n[1-4] Default=NO MaxTime=1-00:00:00 State=UP
CONF
  if is_chroot; then
    # The chroot's plugins (the same path inside the chroot: see start_mntns), no host SPANK
    # plugins, and no cgroups (24.11+ slurmd dies at start without a usable /sys/fs/cgroup).
    printf 'PluginDir=%s\nPlugStackConfig=%s\n' "$(chroot_plugin_dir)" "$s/plugstack.conf" >> "$CONF.tmp"
    : > "$s/plugstack.conf"
    printf '# Generated by test/sandbox/sandbox.sh\nCgroupPlugin=disabled\n' > "$s/cgroup.conf.tmp"
    mv "$s/cgroup.conf.tmp" "$s/cgroup.conf"
    chmod 644 "$s/cgroup.conf" "$s/plugstack.conf"
  fi
  mv "$CONF.tmp" "$CONF"
  # GPUs without devices. Slurm drops a GPU that has no File= from what slurmd reports (the node
  # then goes INVAL: "gres/gpu count reported lower than configured"), also with
  # Flags=CountOnly; so every GPU is backed by a placeholder: an empty regular file, not a device
  # (slurmd logs "not a valid character or block device" and counts it). Nothing binds a device:
  # the typed GPUs exist for the scheduler, --gres/--gpus requests and the GRES columns.
  mkdir -p "$s/gpu"
  local g
  for g in 0 1; do : > "$s/gpu/gpu$g"; done
  cat > "$s/gres.conf.tmp" <<GRES
# Generated by test/sandbox/sandbox.sh — GPUs backed by placeholder files (no devices).
NodeName=n[1-2] Name=gpu Type=a100 File=$s/gpu/gpu[0-1]
NodeName=n3 Name=gpu Type=v100 File=$s/gpu/gpu0
GRES
  mv "$s/gres.conf.tmp" "$s/gres.conf"
  chmod 644 "$s/gres.conf"
  # Open MPI over srun --mpi=pmix across fake nodes that share one hostname: the shared-memory
  # transport segfaults, so TCP on loopback. A TaskProlog's `export` lines go into every task's
  # environment (a site would put such settings in its own TaskProlog or modules).
  cat > "$s/task-prolog.sh" <<'PROLOG'
#!/bin/sh
echo "export OMPI_MCA_btl=self,tcp"
echo "export OMPI_MCA_btl_tcp_if_include=lo"
PROLOG
  chmod 755 "$s/task-prolog.sh"
  chmod 644 "$CONF"
}

write_ssh_conf() {
  cat > "$SSH_DIR/sshd_config" <<CONF
# Generated by test/sandbox/sandbox.sh — a private sshd for the sandbox in $DIR.
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $SSH_DIR/ssh_host_ed25519_key
PidFile $RUN/sshd.pid
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers $TEST_USER
AuthorizedKeysFile .ssh/authorized_keys
StrictModes yes
PrintMotd no
X11Forwarding no
AllowTcpForwarding yes
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp /usr/lib/openssh/sftp-server
SetEnv SLURM_CONF=$CONF HPCW_SANDBOX_OWNER=$DIR$(is_chroot && printf ' PATH=%s:/usr/local/bin:/usr/bin:/bin' "$BIN_DIR")
CONF
  cat > "$CLIENT_HOME/.ssh/config" <<CONF
# The sandbox's sshd, for the tests and the demo (HOME=$CLIENT_HOME).
Host $SSH_ALIAS
  HostName 127.0.0.1
  Port $SSH_PORT
  User $TEST_USER
  IdentityFile $CLIENT_KEY
  IdentitiesOnly yes
  UserKnownHostsFile $KNOWN_HOSTS
  StrictHostKeyChecking yes
  LogLevel ERROR
CONF
  printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$SSH_DIR/ssh_host_ed25519_key.pub")" \
    > "$KNOWN_HOSTS"
  chmod 644 "$CLIENT_HOME/.ssh/config" "$KNOWN_HOSTS"
}

write_json() {
  local fp
  fp=$(ssh-keygen -l -E sha256 -f "$SSH_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}')
  DIR=$DIR CONF=$CONF CLUSTER=$CLUSTER SSH_PORT=$SSH_PORT TEST_USER=$TEST_USER \
  CLIENT_KEY=$CLIENT_KEY KNOWN_HOSTS=$KNOWN_HOSTS CLIENT_HOME=$CLIENT_HOME SSH_ALIAS=$SSH_ALIAS \
  FP=$fp PORT_BASE=$PORTS SLURM_VERSION=$SLURM_VERSION BIN_DIR=$(is_chroot && echo "$BIN_DIR") \
  CHROOT=$CHROOT FULL_VERSION=$(sinfo --version | awk '{print $2}') ACCOUNTING=$ACCT_MODE \
  python3 - > "$DIR/sandbox.json.tmp" <<'PY'
import json, os
e = os.environ
base = int(e['PORT_BASE'])
gres = {1: ['gpu:a100:2'], 2: ['gpu:a100:2'], 3: ['gpu:v100:1'], 4: []}
nodes = [
    {'name': f'n{i}', 'cpus': 2, 'realMemory': 2000, 'port': base + i,
     'features': ['bigmem'] if i >= 3 else [], 'gres': gres[i]}
    for i in range(1, 5)
]
print(json.dumps({
    'dir': e['DIR'],
    'slurmVersion': e['SLURM_VERSION'],
    'slurmFullVersion': e['FULL_VERSION'],
    'binDir': e['BIN_DIR'] or None,
    'chroot': e['CHROOT'] or None,
    # srun --mpi=pmix with Open MPI and mpi4py: the host's packages (the chroots have no MPI).
    'mpi': not e['CHROOT'],
    'slurmConf': e['CONF'],
    'clusterName': e['CLUSTER'],
    'slurmctldPort': base,
    'sshHost': '127.0.0.1',
    'sshPort': int(e['SSH_PORT']),
    'sshUser': e['TEST_USER'],
    'sshKey': e['CLIENT_KEY'],
    'knownHosts': e['KNOWN_HOSTS'],
    'clientHome': e['CLIENT_HOME'],
    'sshAlias': e['SSH_ALIAS'],
    'hostKeyFingerprint': e['FP'],
    'jobCompLoc': os.path.join(e['DIR'], 'slurm', 'jobcomp.txt'),
    'accounting': e['ACCOUNTING'],
    'partitions': [
        {'name': 'debug', 'default': True, 'maxTime': '00:30:00', 'nodes': ['n1', 'n2']},
        {'name': 'compute', 'default': False, 'maxTime': '1-00:00:00',
         'nodes': ['n1', 'n2', 'n3', 'n4']},
    ],
    'nodes': nodes,
}, indent=2))
PY
  mv "$DIR/sandbox.json.tmp" "$DIR/sandbox.json"
}

# --- the chroot of a newer version ----------------------------------------------------------

# chroot_libdir: the chroot's multiarch library folder (e.g. $CHROOT/usr/lib/x86_64-linux-gnu).
chroot_libdir() {
  local d
  for d in "$CHROOT"/usr/lib/*-linux-gnu; do
    [ -d "$d/slurm-wlm" ] && { echo "$d"; return 0; }
  done
  die "no Slurm libraries in $CHROOT"
}

# chroot_plugin_dir: the chroot's Slurm plugins, by a path that is the same inside the chroot
# (start_mntns links $CHROOT inside the chroot to its root) and on the host (for the clients).
chroot_plugin_dir() { echo "$(chroot_libdir)/slurm-wlm"; }

# ensure_chroot: builds the chroot when it is not cached yet (a minute or two, once).
ensure_chroot() {
  [ -f "$CHROOT/.hpcw-chroot" ] || bash "$ROOT/test/sandbox/chroot.sh" build "$SLURM_VERSION"
  [ -f "$CHROOT/.hpcw-chroot" ] || die "the Slurm $SLURM_VERSION chroot is missing in $CHROOT"
}

# write_wrappers: $BIN_DIR/<command> runs the chroot's client command on the host, with the
# chroot's dynamic loader and libraries, as the calling user and in the calling folder.
write_wrappers() {
  local lib ld cmd f
  lib=$(chroot_libdir)
  ld=$(ls "$CHROOT"/usr/lib64/ld-linux-*.so.* "$CHROOT"/lib64/ld-linux-*.so.* 2>/dev/null | head -n 1)
  [ -n "$ld" ] || die "no dynamic loader in $CHROOT"
  mkdir -p "$BIN_DIR"
  chmod 755 "$BIN_DIR"
  for f in "$CHROOT"/usr/bin/s* "$CHROOT"/usr/bin/munge "$CHROOT"/usr/bin/unmunge; do
    cmd=${f##*/}
    case "$cmd" in
      sacct|sacctmgr|salloc|sattach|sbatch|sbcast|scancel|scontrol|scrontab|sdiag|sinfo|sprio|squeue|sreport|srun|sshare|sstat|strigger|sview|munge|unmunge) ;;
      *) continue ;;
    esac
    [ -x "$f" ] || continue
    { printf '#!/bin/sh
# Slurm %s client from %s (generated by test/sandbox/sandbox.sh)
' "$SLURM_VERSION" "$CHROOT"
      printf 'exec %q --argv0 %q --library-path %q %q "$@"
' "$ld" "$cmd" "$lib/slurm-wlm:$lib" "$f"
    } > "$BIN_DIR/$cmd.tmp"
    chmod 755 "$BIN_DIR/$cmd.tmp"
    mv "$BIN_DIR/$cmd.tmp" "$BIN_DIR/$cmd"
  done
}

# start_mntns: the instance's private mount namespace, held by a sleeping process: the chroot
# gets /proc, /dev, /sys, /home (job output of the test user), /tmp, the instance folder (at
# the same path), the host's users and hosts; and $CHROOT itself as a link to / inside it, so
# that paths into the chroot name the same files inside and outside. Mount propagation is
# private: nothing appears in the host's mount table, and everything is gone when the
# namespace's last process ends.
start_mntns() {
  pid_of mntns >/dev/null && return 0
  rm -f "$RUN/mntns.ready"
  mkdir -p "$CHROOT$(dirname "$CHROOT")"
  [ -L "$CHROOT$CHROOT" ] || ln -sfn / "$CHROOT$CHROOT"
  HPCW_SANDBOX_OWNER=$DIR setsid unshare --mount --propagation private -- /bin/bash -c '
    set -e
    c=$1 d=$2
    for m in proc dev sys; do mount --rbind "/$m" "$c/$m"; done
    for m in /home /tmp; do mkdir -p "$c$m"; mount --bind "$m" "$c$m"; done
    mkdir -p "$c$d"
    mount --bind "$d" "$c$d"
    for f in /etc/passwd /etc/group /etc/hosts; do [ -e "$c$f" ] || : > "$c$f"; mount --bind "$f" "$c$f"; done
    : > "$d/run/mntns.ready"
    exec sleep infinity' mntns "$CHROOT" "$DIR" </dev/null >>"$DIR/log/mntns.out" 2>&1 8>&- &
  echo $! > "$RUN/mntns.pid"
  for _ in $(seq 1 100); do
    [ -e "$RUN/mntns.ready" ] && return 0
    pid_of mntns >/dev/null || break
    sleep 0.05
  done
  die "the mount namespace did not come up (see $DIR/log/mntns.out)"
}

# namespace_pids: every live process in the instance's mount namespace but its holder.
namespace_pids() {
  local holder ns f pid
  holder=$(pid_of mntns) || return 0
  ns=$(readlink "/proc/$holder/ns/mnt") || return 0
  for f in /proc/[0-9]*/ns/mnt; do
    [ "$(readlink "$f" 2>/dev/null)" = "$ns" ] || continue
    pid=${f#/proc/}; pid=${pid%%/*}
    [ "$pid" != "$holder" ] && alive "$pid" && echo "$pid"
  done
  return 0
}

# --- daemons --------------------------------------------------------------------------------

start_munge() {
  pid_of munged >/dev/null && return 0
  start_slurm munged /usr/sbin/munged --socket="$MUNGE_SOCKET" --key-file="$DIR/munge/munge.key" \
    --pid-file="$RUN/munged.pid" --log-file="$DIR/log/munged.log" \
    --seed-file="$DIR/munge/munged.seed" --force

  for _ in $(seq 1 100); do
    munge -n -S "$MUNGE_SOCKET" </dev/null >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "munged did not answer (see $DIR/log/munged.log)"
}

start_ctld() {
  pid_of slurmctld >/dev/null && return 0
  check_port "$CTLD_PORT" slurmctld
  start_slurm slurmctld /usr/sbin/slurmctld
  wait_ctld
}

# jobcomp_access: `sacct -c` opens the jobcomp file for appending (its plugin is the writer
# too), so the test user, who reads finished jobs with it, needs write access. slurmctld resets
# the mode to 0644 whenever it opens the file, but not the owner: the test user owns it.
jobcomp_access() {
  local f=$DIR/slurm/jobcomp.txt
  touch "$f"
  chown "$TEST_USER" "$f"
  chmod 644 "$f"
}

wait_ctld() {
  for _ in $(seq 1 200); do
    sinfo -h -o %P >/dev/null 2>&1 && return 0
    # A slurmctld that died at start (a fatal configuration error) will not answer: say why now.
    if ! pid_of slurmctld >/dev/null; then
      tail -n 3 "$DIR/slurm/log/slurmctld.log" >&2 2>/dev/null || true
      die "slurmctld exited at start (see $DIR/slurm/log/slurmctld.log)"
    fi
    sleep 0.05
  done
  die "slurmctld did not answer (see $DIR/slurm/log/slurmctld.log)"
}

start_slurmds() {
  local n
  for n in "${NODES[@]}"; do
    pid_of "slurmd-$n" >/dev/null && continue
    check_port "$((PORTS + ${n#n}))" "slurmd $n"
    start_slurm "slurmd-$n" /usr/sbin/slurmd -N "$n"
  done
}

wait_nodes_idle() {
  local out drained resumed=" "
  for _ in $(seq 1 200); do
    out=$(sinfo -h -N -o '%N %t' 2>/dev/null | sort -u)
    [ "$(awk '$2 == "idle" {print $1}' <<<"$out" | sort -u | wc -l)" -eq ${#NODES[@]} ] && return 0
    # A node drained in an earlier run keeps that state in the saved state (e.g. after a change of
    # its configuration): resume it once; a node still at fault is drained again and fails here.
    for drained in $(awk '$2 == "drain" {print $1}' <<<"$out" | sort -u); do
      case "$resumed" in *" $drained "*) continue ;; esac
      scontrol update NodeName="$drained" State=RESUME 2>/dev/null || true
      resumed+="$drained "
    done
    sleep 0.1
  done
  sinfo -N >&2 || true
  die "the nodes did not become idle (see $DIR/slurm/log/)"
}

start_sshd() {
  pid_of sshd >/dev/null && return 0
  check_port "$SSH_PORT" sshd
  mkdir -p /run/sshd
  start sshd /usr/sbin/sshd -f "$SSH_DIR/sshd_config" -E "$DIR/log/sshd.log"
  wait_sshd
}

wait_sshd() {

  for _ in $(seq 1 100); do
    HOME=$CLIENT_HOME ssh -F "$CLIENT_HOME/.ssh/config" -o BatchMode=yes -o ConnectTimeout=3 \
      "$SSH_ALIAS" true </dev/null >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  die "sshd did not accept the client key (see $DIR/log/sshd.log)"
}

# --- actions --------------------------------------------------------------------------------

all_up() {
  local n
  pid_of munged >/dev/null && pid_of slurmctld >/dev/null && pid_of sshd >/dev/null || return 1
  if is_chroot; then pid_of mntns >/dev/null || return 1; fi
  for n in "${NODES[@]}"; do pid_of "slurmd-$n" >/dev/null || return 1; done
  acct_all_up || return 1
  [ -s "$DIR/sandbox.json" ]
}

cmd_up() {
  local n running
  running=$(sed -n 's/^SlurmctldPort=\([0-9]*\)$/\1/p' "$CONF" 2>/dev/null || true)
  if [ -n "$running" ] && [ "$running" != "$PORTS" ] && pid_of slurmctld >/dev/null; then
    die "this instance runs with port base $((running - PORT_OFFSET)), not $PORT_BASE: run down first"
  fi
  local recorded=
  [ -s "$DIR/slurm-version" ] && read -r recorded < "$DIR/slurm-version"
  if [ -n "$recorded" ] && [ "$recorded" != "$SLURM_VERSION" ] && pid_of slurmctld >/dev/null; then
    die "the instance in $DIR runs Slurm $recorded, not $SLURM_VERSION: run down first (or choose another HPCW_SANDBOX_DIR)"
  fi
  acct_choose "${1:-}"
  if is_chroot && [ "$ACCT_MODE" = slurmdbd ]; then
    die "--accounting slurmdbd needs the host's Slurm 22.05 (the $SLURM_VERSION chroot has no slurmdbd)"
  fi
  if all_up && sinfo -h -o %P >/dev/null 2>&1; then
    log "already up ($DIR)"
    return 0
  fi
  ensure_keys
  ensure_user
  if is_chroot; then ensure_chroot; write_wrappers; fi
  write_slurm_conf
  write_ssh_conf
  # Every port this instance still has to open must be free before anything starts.
  pid_of slurmctld >/dev/null || check_port "$CTLD_PORT" slurmctld
  for n in "${NODES[@]}"; do
    pid_of "slurmd-$n" >/dev/null || check_port "$((PORTS + ${n#n}))" "slurmd $n"
  done
  pid_of sshd >/dev/null || check_port "$SSH_PORT" sshd
  acct_check_ports
  # From here on a failed `up` takes down what it started (never a half-up instance).
  trap 'rc=$?; trap - EXIT; if [ $rc -ne 0 ]; then log "up failed: taking the instance down"; cmd_down || true; fi; exit $rc' EXIT
  echo "$SLURM_VERSION" > "$DIR/slurm-version"
  jobcomp_access
  if is_chroot; then start_mntns; fi
  start_munge
  acct_up
  start_ctld
  start_slurmds
  wait_nodes_idle
  start_sshd
  write_json
  trap - EXIT
  log "up: Slurm $SLURM_VERSION cluster '$CLUSTER' (4 nodes, accounting $ACCT_MODE), sshd on 127.0.0.1:$SSH_PORT, in $DIR"
}

# stop_sshd: ends the sshd listener and its sessions (open connections drop, as in an outage).
stop_sshd() {
  local pid sess=()
  if pid=$(pid_of sshd); then
    mapfile -t sess < <(descendants "$pid")
    end_pids "$pid" "${sess[@]}"
  fi
  rm -f "$RUN/sshd.pid"
}

cmd_down() {
  local pids n pid
  # Cancel the instance's jobs first, so that their steps end cleanly.
  if pid_of slurmctld >/dev/null; then
    kill -CONT "$(pid_of slurmctld)" 2>/dev/null || true
    if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
      squeue -h -o %i 2>/dev/null | xargs -r scancel --quiet 2>/dev/null || true
      for _ in $(seq 1 50); do
        [ -z "$(squeue -h -t R,CG -o %i 2>/dev/null)" ] && break
        sleep 0.1
      done
    fi
  fi
  # Then every daemon at once (sshd with its sessions), and wait for all of them.
  pids=()
  if pid=$(pid_of sshd); then pids+=("$pid"); mapfile -t -O ${#pids[@]} pids < <(descendants "$pid"); fi
  for n in "${NODES[@]/#/slurmd-}" slurmctld munged; do
    if pid=$(pid_of "$n"); then pids+=("$pid"); fi
  done
  end_pids "${pids[@]}"
  acct_down
  remove_client_key
  # sandbox.json exists only while the sandbox is up (tests read it to find the instance).
  rm -f "$DIR/sandbox.json"
  # Whatever is left of this instance: job steps, ssh sessions, anything in its namespace.
  local holder=
  holder=$(pid_of mntns) || holder=
  mapfile -t pids < <({ instance_pids; namespace_pids; } | sort -u | grep -vx "${holder:-none}")
  if [ ${#pids[@]} -gt 0 ]; then
    log "ending leftover processes: ${pids[*]}"
    end_pids "${pids[@]}"
  fi
  # Last, the namespace's holder: with it the chroot's mounts go.
  if [ -n "$holder" ]; then
    end_pids "$holder"
    if alive "$holder"; then log "the mount namespace holder $holder did not end"; fi
  fi
  rm -f "$RUN"/*.pid "$RUN/mntns.ready"
  log "down ($DIR)"
}

cmd_status() {
  local ok=0 n pid stat
  row() {
    if pid=$(pid_of "$1"); then printf '%-10s running (pid %s)\n' "$1" "$pid"
    else printf '%-10s stopped\n' "$1"; ok=1; fi
  }
  if is_chroot; then row mntns; fi
  row munged
  row slurmctld
  for n in "${NODES[@]}"; do row "slurmd-$n"; done
  row sshd
  acct_status
  if pid=$(pid_of slurmctld) && read -r stat < "/proc/$pid/stat" && [ "$(echo "${stat##*) }" | cut -c1)" = T ]; then
    echo "slurmctld is frozen (SIGSTOP)"; ok=1
  fi
  echo "Slurm $SLURM_VERSION${CHROOT:+ (chroot $CHROOT)}  dir: $DIR  slurmctld port: $CTLD_PORT  sshd port: $SSH_PORT"
  return $ok
}

cmd_env() {
  printf 'export SLURM_CONF=%q\n' "$CONF"
  printf 'export HPCW_SANDBOX_DIR=%q\n' "$DIR"
  printf 'export HPCW_SANDBOX_SLURM=%q\n' "$SLURM_VERSION"
  # A chroot version's client commands (sbatch, squeue, ...) come first on PATH.
  if is_chroot; then printf 'export PATH=%q:"$PATH"\n' "$BIN_DIR"; fi
  printf 'export HPCW_SANDBOX_PORT_BASE=%q\n' "$PORT_BASE"
  printf 'export HPCW_SSH_PORT=%q\n' "$SSH_PORT"
  printf 'export HPCW_SSH_USER=%q\n' "$TEST_USER"
  printf 'export HPCW_SSH_KEY=%q\n' "$CLIENT_KEY"
  printf 'export HPCW_KNOWN_HOSTS=%q\n' "$KNOWN_HOSTS"
  printf 'export HPCW_CLIENT_HOME=%q\n' "$CLIENT_HOME"
}

case "$ACTION" in
  up|down|stop-ctld|start-ctld|freeze-ctld|thaw-ctld|stop-sshd|start-sshd)
    [ "$(id -u)" -eq 0 ] || die "run as root (it starts Slurm, munge and sshd, and manages user $TEST_USER)"
    ;;
esac
case "$ACTION" in
  up|down|stop-ctld|start-ctld|stop-sshd|start-sshd) lock ;;
esac
case "$ACTION" in
  up) cmd_up "$ARG_ACCOUNTING" ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  stop-ctld) stop slurmctld ;;
  start-ctld) [ -s "$CONF" ] || die "the sandbox was never started"; start_ctld ;;
  freeze-ctld) pid=$(pid_of slurmctld) || die "slurmctld is not running"; kill -STOP "$pid" ;;
  thaw-ctld) pid=$(pid_of slurmctld) || die "slurmctld is not running"; kill -CONT "$pid" ;;
  stop-sshd) stop_sshd ;;
  start-sshd) [ -s "$SSH_DIR/sshd_config" ] || die "the sandbox was never started"; start_sshd ;;
  *)
    echo "usage: $0 up|down|status|env|stop-ctld|start-ctld|freeze-ctld|thaw-ctld|stop-sshd|start-sshd [--slurm 22.05|24.11|26.05]" >&2
    exit 2
    ;;
esac
