# shellcheck shell=bash
# tests/slurm/slurm_cluster.sh: sourced by run_slurm_test.sh. A throw-away
# one-node Slurm cluster on this machine: munged, slurmctld and slurmd with
# every file (key, sockets, state, logs, slurm.conf) in one temporary
# directory, nothing under /etc touched. Defines:
#   slurm_install       apt-get slurm-wlm and munge when missing (sudo if not root)
#   slurm_start DIR     start the daemons with their files in DIR; exports SLURM_CONF
#   slurm_wait_idle S   wait up to S seconds for the node to be idle
#   slurm_stop          stop what slurm_start started (by pid)

slurm_install() {
  local missing=() p sudo=""
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "slurm test: installing ${missing[*]} (Debian)"
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  # Installing must not start the distribution's own daemons (no init in a
  # container anyway); ours run from the temporary directory.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" > /dev/null
}

# A free TCP port on 127.0.0.1 from $1 upwards (so that a cluster already
# running here, ours or the system's, is left alone).
_slurm_free_port() {
  local port=$1
  while (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do port=$((port + 1)); done
  echo "$port"
}

slurm_start() {
  SLURM_DIR=$1
  local user cpus ctld_port d_port
  user=$(id -un)
  cpus=${SLURM_TEST_CPUS:-2}
  mkdir -p "$SLURM_DIR"/{munge-key,munge-run,state,spool,log}
  chmod 755 "$SLURM_DIR" "$SLURM_DIR/munge-run"
  chmod 700 "$SLURM_DIR/munge-key"

  # munge: our own key and socket (munged insists on a private key file and a
  # socket directory others can enter).
  mungekey --create --keyfile="$SLURM_DIR/munge-key/munge.key"
  chmod 400 "$SLURM_DIR/munge-key/munge.key"
  local munge_socket=$SLURM_DIR/munge-run/munge.socket
  munged --force --key-file="$SLURM_DIR/munge-key/munge.key" --socket="$munge_socket" \
    --pid-file="$SLURM_DIR/munge-run/munged.pid" --log-file="$SLURM_DIR/log/munged.log" \
    --seed-file="$SLURM_DIR/munge-key/munged.seed"
  SLURM_PIDFILES=("$SLURM_DIR/munge-run/munged.pid")

  ctld_port=$(_slurm_free_port 6817)
  d_port=$(_slurm_free_port $((ctld_port + 1)))
  export SLURM_CONF=$SLURM_DIR/slurm.conf
  # One node, this machine, 2 CPUs. No cgroups in a container: processes are
  # tracked through /proc (proctrack/linuxproc) and not confined (task/none).
  # No accounting daemon: job states come from scontrol and the job logs.
  cat > "$SLURM_CONF" << EOF
ClusterName=ganglion-test
SlurmctldHost=localhost
SlurmUser=$user
SlurmdUser=$user
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
AuthType=auth/munge
CredType=cred/munge
# cred_expire also delays a requeued job's restart (default 120 s).
AuthInfo=socket=$munge_socket,cred_expire=${SLURM_TEST_CRED_EXPIRE:-15}
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$SLURM_DIR/log/jobcomp.txt
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=5,bf_interval=5
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
SlurmdParameters=config_overrides
InactiveLimit=0
KillWait=10
MinJobAge=3600
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus Sockets=1 CoresPerSocket=$cpus ThreadsPerCore=1 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=30 State=UP
EOF
  # -i: ignore any state of an earlier cluster; -N: this node's name.
  slurmctld -i -f "$SLURM_CONF"
  SLURM_PIDFILES+=("$SLURM_DIR/slurmctld.pid")
  slurmd -N localhost -f "$SLURM_CONF"
  SLURM_PIDFILES+=("$SLURM_DIR/slurmd.pid")
}

slurm_wait_idle() {
  local timeout=$1 state="" i
  for ((i = 0; i < timeout; i++)); do
    state=$(sinfo -h -n localhost -o %T 2> /dev/null || true)
    [ "$state" = idle ] && return 0
    sleep 1
  done
  echo "slurm test: node not idle after $timeout s (state '$state')" >&2
  return 1
}

slurm_stop() {
  local f pid i
  # Reverse order: slurmd, slurmctld, munged.
  for ((i = ${#SLURM_PIDFILES[@]} - 1; i >= 0; i--)); do
    f=${SLURM_PIDFILES[$i]}
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2> /dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null || true
  done
  SLURM_PIDFILES=()
}
