#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, from Debian 12's packages, for
# tests that submit job arrays. No systemd: munged, slurmctld and slurmd are
# started as plain daemons with a private config, key, socket, state and logs
# under $OREFLOW_SLURM_DIR. See README.md beside this file.
#
# usage: local-cluster.sh start|stop|restart|status|env|wait JOBID [SECS]|clean
set -euo pipefail

DIR="$(realpath -m "${OREFLOW_SLURM_DIR:-/tmp/oreflow-slurm}")" # daemons chdir: absolute
CTLD_PORT="${OREFLOW_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${OREFLOW_SLURM_SLURMD_PORT:-6818}"
CLUSTER="${OREFLOW_SLURM_CLUSTER:-oreflow}"
TIMEOUT="${OREFLOW_SLURM_TIMEOUT:-60}"
PACKAGES=(slurmctld slurmd slurm-client munge)

CONF="$DIR/slurm.conf"
MUNGE_DIR="$DIR/munge" # 0700: key, seed, log, pid
RUN_DIR="$DIR/run"     # 0755: munge socket, daemon pid files
LOG_DIR="$DIR/log"
SOCK="$RUN_DIR/munge.sock"
NODE="$(hostname -s)"
export SLURM_CONF="$CONF"

log() { echo "local-cluster: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $0 COMMAND
  start            install missing packages, write config, start munged,
                   slurmctld and slurmd, wait until node '$NODE' is idle
  stop             cancel jobs, stop the daemons started from \$OREFLOW_SLURM_DIR
  restart          stop then start
  status           sinfo and squeue
  env              print 'export SLURM_CONF=...' (eval it to use sbatch etc.)
  wait JOBID [S]   poll until JOBID (an array too) has left the queue, at most
                   S seconds (default 600); print each task's state; exit 0
                   only if all are COMPLETED
  clean            stop, then remove \$OREFLOW_SLURM_DIR
environment: OREFLOW_SLURM_DIR=$DIR OREFLOW_SLURM_CTLD_PORT=$CTLD_PORT
  OREFLOW_SLURM_SLURMD_PORT=$SLURMD_PORT OREFLOW_SLURM_CLUSTER=$CLUSTER
  OREFLOW_SLURM_TIMEOUT=$TIMEOUT (seconds for start/stop)
EOF
}

# --- installing -------------------------------------------------------------

install_packages() {
  local missing=() p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing: ${missing[*]}"
  # Keep the packages' postinst from starting the global, /etc-configured
  # services (init.d scripts exist even without systemd): deny with
  # policy-rc.d while installing, unless one is already there.
  local policy=/usr/sbin/policy-rc.d made_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  {
    apt-get update -qq &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >"/tmp/oreflow-slurm-apt.$$.log" 2>&1 || rc=$?
  ((made_policy)) && rm -f "$policy"
  if ((rc != 0)); then
    tail -n 30 "/tmp/oreflow-slurm-apt.$$.log" >&2
    die "apt-get failed (rc=$rc)"
  fi
  rm -f "/tmp/oreflow-slurm-apt.$$.log"
}

# --- processes --------------------------------------------------------------

# pid from FILE if that process is alive and its command line mentions MARK
# (our config or socket path), so a recycled pid is never taken for ours.
live_pid() {
  local file=$1 mark=$2 pid
  [ -s "$file" ] || return 1
  pid=$(tr -dc '0-9' <"$file")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$mark" || return 1
  echo "$pid"
}

munged_pid() { live_pid "$MUNGE_DIR/munged.pid" "$SOCK"; }
slurmctld_pid() { live_pid "$RUN_DIR/slurmctld.pid" "$CONF"; }
slurmd_pid() { live_pid "$RUN_DIR/slurmd.pid" "$CONF"; }

# stop_daemons NAME...: SIGTERM to each (each takes ~2 s to exit, so all at
# once), wait up to $TIMEOUT s, then SIGKILL what is left.
stop_daemons() {
  local name pid pids=() i left
  for name in "$@"; do
    pid=$("${name}_pid") || continue
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for ((i = 0; i < TIMEOUT * 10; i++)); do
    left=()
    for pid in "${pids[@]}"; do [ -d "/proc/$pid" ] && left+=("$pid"); done
    ((${#left[@]} == 0)) && return 0
    sleep 0.1
  done
  log "pids ${left[*]} did not stop in ${TIMEOUT}s; killing them"
  kill -KILL "${left[@]}" 2>/dev/null || true
}

show_logs() {
  local f
  for f in "$MUNGE_DIR/munged.log" "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log"; do
    [ -f "$f" ] || continue
    echo "----- tail of $f" >&2
    # (mpi/pmix "can not load PMIx library" errors are harmless noise)
    tail -n 25 "$f" >&2
  done
}

# --- config -----------------------------------------------------------------

write_config() {
  # The node as slurmd sees it (CPUs, sockets, cores, threads, RealMemory),
  # so that registration never finds it short of what is configured.
  local hw
  hw=$(slurmd -C | head -n 1 | sed -e 's/ UpTime=.*//' -e 's/^NodeName=[^ ]* //')
  [ -n "$hw" ] || die "'slurmd -C' printed nothing"
  cat >"$CONF.new" <<EOF
# Written by scripts/slurm/local-cluster.sh on each start that starts the daemons.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$DIR/spool/slurmctld
SlurmdSpoolDir=$DIR/spool/slurmd
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups (a container), no accounting, no MPI, no mail.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
# One CPU per task by default, so array tasks run side by side; memory is not
# a consumable resource.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Schedule every second instead of on the default (slower) cadence: a 3-task
# array of trivial jobs on 2 CPUs takes ~2 s instead of ~4-6 s.
SchedulerParameters=sched_interval=1,bf_interval=1,batch_sched_delay=0
# A node that was down (e.g. slurmd restarted) comes back by itself.
ReturnToService=2
# A job whose dependency can never be met (afterok on a failed job) is
# cancelled instead of pending forever.
DependencyParameters=kill_invalid_depend
# Finished jobs stay visible to squeue -t all / scontrol for an hour.
MinJobAge=3600
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE $hw State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
  mv "$CONF.new" "$CONF"
}

# --- commands ---------------------------------------------------------------

# Node state as scontrol prints it (IDLE, MIXED, IDLE+DRAIN, DOWN+NOT_RESPONDING..).
node_field() {
  timeout 5 scontrol -o show node "$NODE" 2>/dev/null | tr ' ' '\n' | sed -n "s/^$1=//p" | head -n 1
}

cmd_start() {
  local t0=$SECONDS
  # slurmd must run as root (it starts jobs as their users); so does this.
  [ "$(id -u)" -eq 0 ] || die "start needs root"
  install_packages
  mkdir -p "$DIR" "$RUN_DIR" "$LOG_DIR" "$MUNGE_DIR" "$DIR/spool/slurmctld" "$DIR/spool/slurmd"
  # munged insists: key (and its dir) private to its owner, socket dir
  # traversable by all, no parent writable by others unless sticky.
  chmod 755 "$DIR" "$RUN_DIR"
  chmod 700 "$MUNGE_DIR"
  if [ ! -s "$MUNGE_DIR/munge.key" ]; then
    log "creating munge key"
    (umask 077 && dd if=/dev/urandom of="$MUNGE_DIR/munge.key" bs=1024 count=1 status=none)
  fi
  chmod 400 "$MUNGE_DIR/munge.key"

  if ! munged_pid >/dev/null; then
    log "starting munged"
    munged --key-file="$MUNGE_DIR/munge.key" --socket="$SOCK" \
      --pid-file="$MUNGE_DIR/munged.pid" --log-file="$MUNGE_DIR/munged.log" \
      --seed-file="$MUNGE_DIR/munged.seed" || {
      show_logs
      die "munged did not start"
    }
  fi
  munge -S "$SOCK" -n </dev/null | unmunge -S "$SOCK" >/dev/null || {
    show_logs
    die "munge round trip failed on $SOCK"
  }

  local running=0
  slurmctld_pid >/dev/null && running=1
  slurmd_pid >/dev/null && running=1
  if ((running)); then
    # Already (partly) up: keep the running daemons' config as it is.
    log "daemons already running from $DIR; not rewriting $CONF"
  else
    write_config
  fi
  if ! slurmctld_pid >/dev/null; then
    log "starting slurmctld"
    slurmctld -f "$CONF" || {
      show_logs
      die "slurmctld did not start"
    }
  fi
  # If slurmd is started now, the node counts only once it has registered
  # afresh (saved state from an earlier run may already say IDLE).
  local since=0
  if ! slurmd_pid >/dev/null; then
    since=$(($(date +%s) - 1))
    log "starting slurmd"
    slurmd -f "$CONF" || {
      show_logs
      die "slurmd did not start"
    }
  fi

  local state="" started resumed=0 deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    slurmctld_pid >/dev/null || break
    slurmd_pid >/dev/null || break
    state=$(node_field State || true)
    started=$(node_field SlurmdStartTime || true)
    started=$(date -d "$started" +%s 2>/dev/null || echo 0)
    case "$state" in
    IDLE | MIXED | ALLOCATED)
      if ((started >= since)); then
        log "node $NODE is $state after $((SECONDS - t0))s; export SLURM_CONF=$CONF"
        return 0
      fi
      ;;
    *DOWN* | *DRAIN*)
      # Left down/drained in saved state from an earlier run: resume once.
      if ((!resumed && started >= since)); then
        scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true
        resumed=1
      fi
      ;;
    esac
    sleep 0.25
  done
  show_logs
  timeout 5 sinfo -N -l >&2 || true
  slurmctld_pid >/dev/null || die "slurmctld exited (see $LOG_DIR/slurmctld.log above)"
  slurmd_pid >/dev/null || die "slurmd exited (see $LOG_DIR/slurmd.log above)"
  die "node $NODE not idle within ${TIMEOUT}s (state: '${state:-none}')"
}

cmd_stop() {
  if slurmctld_pid >/dev/null; then
    # Jobs' slurmstepd outlive slurmd: end them first, for a clean stop.
    local ids i
    ids=$(squeue -h -o '%A' 2>/dev/null | sort -u | tr '\n' ' ') || true
    if [ -n "${ids// /}" ]; then
      log "cancelling jobs: $ids"
      # shellcheck disable=SC2086
      scancel $ids >/dev/null 2>&1 || true
    fi
    for ((i = 0; i < 40; i++)); do
      [ -z "$(squeue -h 2>/dev/null)" ] && break
      sleep 0.25
    done
  fi
  stop_daemons slurmd slurmctld munged
  rm -f "$SOCK" "$SOCK.lock"
  log "stopped"
}

cmd_status() {
  local name pid
  for name in munged slurmctld slurmd; do
    if pid=$("${name}_pid"); then echo "$name: running (pid $pid)"; else echo "$name: not running"; fi
  done
  echo "SLURM_CONF=$CONF"
  if slurmctld_pid >/dev/null; then
    sinfo
    squeue
  fi
}

# wait JOBID [SECS]: poll every 0.5 s until every task of JOBID is in a final
# state, print "ID STATE" per task, exit 0 only if all are COMPLETED.
# (sbatch --wait polls at 2, 10, 42, 74.. s: too coarse for tests, and it
# exits 0 for a job cancelled because its dependency failed.)
FINAL='^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED|SPECIAL_EXIT|REVOKED)$'
cmd_wait() {
  local job=${1:?wait needs a job id} limit=${2:-600} t0=$SECONDS states
  while :; do
    states=$(squeue -h -j "$job" -t all -o '%i %T' 2>/dev/null) || die "job $job unknown (or slurmctld down)"
    [ -n "$states" ] || die "job $job unknown"
    echo "$states" | awk '{print $2}' | grep -Eqv "$FINAL" || break
    if ((SECONDS - t0 >= limit)); then
      echo "$states" >&2
      die "job $job not finished within ${limit}s"
    fi
    sleep 0.5
  done
  echo "$states"
  ! echo "$states" | awk '{print $2}' | grep -qv '^COMPLETED$'
}

case "${1:-}" in
start) cmd_start ;;
stop) cmd_stop ;;
restart)
  cmd_stop
  cmd_start
  ;;
status) cmd_status ;;
env) echo "export SLURM_CONF=$CONF" ;;
wait)
  shift
  cmd_wait "$@"
  ;;
clean)
  cmd_stop
  rm -rf "$DIR"
  ;;
-h | --help | help) usage ;;
*)
  usage
  exit 2
  ;;
esac
