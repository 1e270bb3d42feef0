#!/usr/bin/env bash
# tests/slurm/run_slurm_test.sh: runs the Slurm job scripts of jobs/ on a
# throw-away one-node Slurm cluster on this machine (make test-slurm).
#
#   tests/slurm/run_slurm_test.sh [--ganglion PATH] [--spikes-equal PATH] [--quick] [--keep]
#
# Installs slurm-wlm and munge from Debian when missing (apt-get; sudo when
# not root), starts munged, slurmctld and slurmd with every file in a
# temporary directory (tests/slurm/slurm_cluster.sh; 2 CPUs, no cgroups), and
# checks:
#  (a) checkpoint/restart through the time limit: jobs/run.sbatch runs
#      tests/slurm/checkpoint_network.json on 2 ranks (srun) with --time=1
#      and --signal=B:USR1@55, long enough (~45 s of simulation) that
#      Slurm's pre-timeout signal interrupts it: an attempt ends with status
#      75 after SIGUSR1 (checkpoint), the job requeues itself, the next
#      attempt restores from OUTDIR/checkpoint (the test then lifts the time
#      limit to 10 minutes, as an administrator could, so that it finishes
#      instead of being cut every ~10-30 s), the last one completes (status
#      0), and its spikes are bit for bit those of an uninterrupted run of the
#      same model (submitted with GANGLION_LAUNCHER=mpiexec, so both
#      launchers are used). With --quick the signal comes from
#      `scancel --batch -s USR1` a few seconds into a shorter run instead.
#  (b) a strong-scaling series on 1 and 2 ranks through jobs/strong_scaling.sh
#      --wait: both summaries, their spikes equal, and
#      jobs/collect_scaling.py's table (CSV) and plot (PNG).
# The daemons are stopped on exit (trap); --keep leaves the temporary
# directory (logs, outputs) behind. Takes about 3 minutes on an otherwise idle
# 2-CPU machine, up to 8 on a busy one (--quick: about 1.5).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
ganglion=${GANGLION:-$repo/build/io/ganglion}
spikes_equal=${SPIKES_EQUAL:-}
quick=0 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --ganglion) ganglion=$2; shift ;;
    --spikes-equal) spikes_equal=$2; shift ;;
    --quick) quick=1 ;;
    --keep) keep=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_slurm_test: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
ganglion=$(realpath "$ganglion")
[ -x "$ganglion" ] || { echo "run_slurm_test: no ganglion binary at $ganglion (build first, or --ganglion PATH)" >&2; exit 2; }
if [ -z "$spikes_equal" ]; then
  spikes_equal=$(dirname "$ganglion")/../tests/mpi/spikes_equal
fi

t_start=$(date +%s)
say() { echo "slurm test [$(($(date +%s) - t_start)) s]: $*"; }
passed=() failed=()
pass() { passed+=("$1"); say "PASS: $1"; }
fail() { failed+=("$1"); say "FAIL: $1"; }

# Bit-for-bit spike comparison: tests/mpi/spikes_equal when built, else the
# same check in Python (h5py).
spikes_equal() {
  if [ -x "$spikes_equal" ]; then
    "$spikes_equal" "$1" "$2"
  else
    /usr/bin/python3 - "$1" "$2" << 'EOF'
import sys, h5py, numpy as np
def load(path):
    out = {}
    with h5py.File(path, "r") as f:
        for pop, g in f["spikes"].items():
            out[pop] = (np.asarray(g["node_ids"][()]), np.asarray(g["timestamps"][()]))
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
if a.keys() != b.keys():
    sys.exit(f"populations differ: {sorted(a)} vs {sorted(b)}")
for pop in a:
    (ia, ta), (ib, tb) = a[pop], b[pop]
    if not (np.array_equal(ia, ib) and ta.tobytes() == tb.tobytes()):
        sys.exit(f"{pop}: spikes differ ({len(ia)} vs {len(ib)} spikes)")
print(f"spikes equal: {sum(len(v[0]) for v in a.values())} spikes")
EOF
  fi
}

job_state() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p'; }
job_field() { scontrol show job "$1" 2> /dev/null | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1; }
# Waits until job $1 has ended (not pending, running, requeued, ...).
wait_job() {
  local id=$1 timeout=$2 state i
  for ((i = 0; i < timeout; i += 2)); do
    state=$(job_state "$id")
    case $state in
      COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|BOOT_FAIL|DEADLINE|PREEMPTED) echo "$state"; return 0 ;;
    esac
    sleep 2
  done
  echo "TIMED_OUT_WAITING"
}

# shellcheck source=tests/slurm/slurm_cluster.sh
source "$repo/tests/slurm/slurm_cluster.sh"
slurm_install
work=$(mktemp -d /tmp/ganglion-slurm-test.XXXXXX)
chmod 755 "$work"
strong_pid=""
cleanup() {
  local rc=$?
  set +e  # stop the daemons whatever else fails here
  if [ -n "$strong_pid" ]; then kill "$strong_pid" 2> /dev/null || true; fi
  if [ -n "${SLURM_CONF:-}" ] && [ -f "$SLURM_CONF" ]; then
    scancel --full --quiet -u "$(id -un)" 2> /dev/null || true
  fi
  slurm_stop
  if [ "$keep" = 1 ] || [ $rc -ne 0 ]; then
    echo "slurm test: logs and outputs kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "starting munged, slurmctld, slurmd in $work/cluster"
slurm_start "$work/cluster"
if ! slurm_wait_idle 60; then
  tail -n 20 "$work/cluster/log/slurmctld.log" "$work/cluster/log/slurmd.log" >&2 || true
  exit 1
fi
say "cluster up: $(sinfo -h -o '%P %a %l %D %T %N %c' | head -1) (partition limit, state, node, CPUs)"

if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export GANGLION=$ganglion
# No CPU binding without a task plugin here (task/none); a real cluster keeps
# run.sbatch's default --cpu-bind=cores.
export GANGLION_CPU_BIND=none
# Ranks that wait in MPI give the CPU away: other processes may share the 2 CPUs.
export OMPI_MCA_mpi_yield_when_idle=1
# srun starts Open MPI ranks through PMIx; without the plugin, mpiexec inside
# the allocation does.
launcher=srun
srun --mpi=list 2>&1 | grep -q pmix || launcher=mpiexec
cd "$work"

# (a) checkpoint, requeue, restore -------------------------------------------
# Hodgkin-Huxley cells: much work per spike, so tens of seconds of run for
# a few MB of spikes; 1 ms min_delay: few exchanges, which keeps the run
# fast when other processes share the 2 CPUs.
model=$repo/tests/slurm/checkpoint_network.json
if [ "$quick" = 1 ]; then tstop=4000; else tstop=${SLURM_TEST_TSTOP:-12000}; fi
margs=(--tstop "$tstop")

say "(a) submitting the uninterrupted reference run (2 ranks, mpiexec inside the allocation)"
ref_id=$(GANGLION_LAUNCHER=mpiexec GANGLION_CHECKPOINT_EVERY=0 sbatch --parsable \
  --job-name=reference --ntasks=2 --time=15 --output="$work/reference.out" \
  "$repo/jobs/run.sbatch" "$model" "$work/reference" "${margs[@]}")

if [ "$quick" = 1 ]; then
  signal_args=(--time=5)
  how="signal from scancel --batch -s USR1"
else
  signal_args=(--time=1 --signal=B:USR1@55)
  how="pre-timeout signal: --time=1 --signal=B:USR1@55"
fi
say "(a) submitting the run to be interrupted (2 ranks, $launcher; $how)"
ck_id=$(GANGLION_LAUNCHER=$launcher GANGLION_CHECKPOINT_EVERY=5000 sbatch --parsable \
  --job-name=checkpointed --ntasks=2 "${signal_args[@]}" --output="$work/checkpointed.out" \
  "$repo/jobs/run.sbatch" "$model" "$work/checkpointed" "${margs[@]}")
ck_id=${ck_id%%;*} ref_id=${ref_id%%;*}

# (b) strong scaling, queued behind (a), in the background -------------------
say "(b) jobs/strong_scaling.sh --ranks \"1 2\" --wait (in the background)"
"$repo/jobs/strong_scaling.sh" --ranks "1 2" --model "$model" \
  --tstop 1000 --time 10 --launcher "$launcher" -o "$work/strong" --wait > "$work/strong.log" 2>&1 &
strong_pid=$!

log=$work/checkpointed.out
if [ "$quick" = 1 ]; then
  # Once the first attempt has simulated for a few seconds, send the signal
  # Slurm sends before the time limit.
  for ((i = 0; i < 900; i++)); do
    grep -q "attempt 1: started" "$log" 2> /dev/null && break
    sleep 1
  done
  sleep 6
  say "(a) scancel --batch -s USR1 $ck_id"
  scancel --batch -s USR1 "$ck_id" || say "(a) scancel failed (job already ended?)"
else
  # The time limit has done its part once the first attempt has been
  # interrupted; as the cluster's administrator, lift the limit for the
  # attempts that follow (10 minutes) so that the next one can finish (on a
  # busy machine each 1-minute attempt would only get ~10 s of work done).
  for ((i = 0; i < 900; i++)); do
    grep -q "attempt 1: ended" "$log" 2> /dev/null && break
    [ -n "$(squeue -h -j "$ck_id" 2> /dev/null)" ] || break
    sleep 1
  done
  if grep -q "attempt 1: ended: status 75" "$log" 2> /dev/null; then
    say "(a) attempt 1 interrupted; scontrol update JobId=$ck_id TimeLimit=10 for the next attempts"
    scontrol update JobId="$ck_id" TimeLimit=10 || true
  fi
fi

ref_state=$(wait_job "$ref_id" 1200)
ck_state=$(wait_job "$ck_id" 1200)
say "(a) reference job $ref_id: $ref_state; interrupted job $ck_id: $ck_state, $(job_field "$ck_id" Restarts) restart(s)"
echo "---- job log of the interrupted run ($log, run.sbatch lines) ----"
grep "run.sbatch:" "$log" || true
echo "----"
strong_ok=1
wait "$strong_pid" || strong_ok=0
cat "$work/strong.log"

# Checks of (a).
if [ "$ref_state" = COMPLETED ] && [ -f "$work/reference/spikes.h5" ]; then
  pass "reference run completed (mpiexec launcher inside the allocation)"
else
  fail "reference run: state $ref_state (see $work/reference.out)"
fi
if grep -q "attempt 1: received SIGUSR1" "$log" && grep -q "attempt 1: ended: status 75 .*(SIGUSR1); requeueing" "$log"; then
  pass "attempt 1 got SIGUSR1 ($how), checkpointed and exited with status 75"
else
  fail "attempt 1 was not interrupted by SIGUSR1 with status 75"
fi
restarts=$(job_field "$ck_id" Restarts)
if [ "${restarts:-0}" -ge 1 ] && grep -q "attempt 2: started: restore from $work/checkpointed/checkpoint" "$log"; then
  pass "job requeued itself ($restarts restart(s)); attempt 2 restored from OUTDIR/checkpoint"
else
  fail "job was not requeued and restored (Restarts=${restarts:-?})"
fi
if [ "$ck_state" = COMPLETED ] && grep -q "ended: status 0 .*run complete" "$log" && [ -f "$work/checkpointed/summary.json" ]; then
  pass "the last attempt completed the run (status 0, job COMPLETED)"
else
  fail "interrupted job did not complete (state $ck_state)"
fi
if [ -f "$work/checkpointed/spikes.h5" ] && [ -f "$work/reference/spikes.h5" ] &&
   spikes_equal "$work/reference/spikes.h5" "$work/checkpointed/spikes.h5"; then
  pass "spikes of the interrupted and restored run equal the uninterrupted run's, bit for bit"
else
  fail "spikes of the interrupted run differ from the uninterrupted run's (or are missing)"
fi

# Checks of (b).
s1=$work/strong/nodes1_ranks1_threads1 s2=$work/strong/nodes1_ranks2_threads1
if [ "$strong_ok" = 1 ] && [ -f "$s1/summary.json" ] && [ -f "$s2/summary.json" ]; then
  pass "strong scaling series ran on 1 and 2 ranks (summaries in per-run directories)"
else
  fail "strong scaling series (see $work/strong.log)"
fi
if [ -f "$s1/spikes.h5" ] && [ -f "$s2/spikes.h5" ] && spikes_equal "$s1/spikes.h5" "$s2/spikes.h5"; then
  pass "strong scaling: 1-rank and 2-rank spikes equal"
else
  fail "strong scaling: 1-rank and 2-rank spikes differ (or are missing)"
fi
rows=$( [ -f "$work/strong/scaling.csv" ] && tail -n +2 "$work/strong/scaling.csv" | wc -l || echo 0)
if [ "$rows" -eq 2 ] && [ -s "$work/strong/scaling.png" ] &&
   head -1 "$work/strong/scaling.csv" | grep -q "efficiency_exchange" &&
   grep -q "parallel efficiency" "$work/strong.log"; then
  pass "collect_scaling.py wrote the table (2 rows) and the plot"
else
  fail "collect_scaling.py: table or plot missing"
fi

elapsed=$(($(date +%s) - t_start))
echo
for p in "${passed[@]+"${passed[@]}"}"; do echo "  passed: $p"; done
for f in "${failed[@]+"${failed[@]}"}"; do echo "  FAILED: $f"; done
echo "slurm test took ${elapsed} s"
echo "slurm-test: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
