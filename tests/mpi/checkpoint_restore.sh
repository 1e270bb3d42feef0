#!/usr/bin/env bash
# checkpoint_restore.sh GANGLION SPIKES_EQUAL H5_EQUAL MODEL TSTOP WORKDIR
# Checkpoint and restart are invisible in the results:
#   - 1x1 writes a checkpoint at a third of the run, 2x1 restores it and
#     writes one at two thirds, 1x2 restores that and finishes;
#   - 2x2 writes a checkpoint, 1x1 restores it and finishes;
#   - a run stopped by SIGUSR1 exits 75 with a checkpoint, and restoring it
#     finishes the run;
# each time every output (spikes, state reports, connections, text spikes)
# is bit for bit that of the uninterrupted 1x1 run. MPIEXEC/MPIEXEC_FLAGS as
# in run_and_compare.sh (without MPIEXEC only the 1-rank steps run).
set -euo pipefail
ganglion=$1 spikes_equal=$2 h5_equal=$3 model=$4 tstop=$5 work=$6
rm -rf "$work" && mkdir -p "$work" && cd "$work"

launch() {  # launch RANKS THREADS ARGS...
  local ranks=$1 threads=$2
  shift 2
  if [ -n "${MPIEXEC:-}" ]; then
    # shellcheck disable=SC2086
    "$MPIEXEC" ${MPIEXEC_FLAGS:-} -n "$ranks" "$ganglion" run "$model" --threads "$threads" -q "$@"
  else
    "$ganglion" run "$model" --threads "$threads" -q "$@"
  fi
}
same_as_full() {  # same_as_full DIR
  "$spikes_equal" full/spikes.h5 "$1/spikes.h5" >/dev/null
  for f in full/*.h5; do
    name=$(basename "$f")
    [ "$name" = spikes.h5 ] || "$h5_equal" "$f" "$1/$name"
  done
  if [ -f full/spikes.txt ]; then cmp full/spikes.txt "$1/spikes.txt"; fi
  echo "  $1: identical to the uninterrupted run"
}

third=$(awk "BEGIN { print $tstop / 3 }")
launch 1 1 -o full --tstop "$tstop"

if [ -n "${MPIEXEC:-}" ]; then two=2; else two=1; fi
echo "1x1 -> ${two}x1 -> 1x2"
launch 1 1 -o a --tstop "$third" --checkpoint-every "$third" --checkpoint-dir ck1
grep -q '"ranks": 1' ck1/manifest.json
launch "$two" 1 -o b --tstop "$(awk "BEGIN { print 2 * $tstop / 3 }")" --restore ck1 \
  --checkpoint-every "$third" --checkpoint-dir ck2
launch 1 2 -o c --tstop "$tstop" --restore ck2
same_as_full c

if [ -n "${MPIEXEC:-}" ]; then
  echo "2x2 -> 1x1"
  launch 2 2 -o d --tstop "$third" --checkpoint-every "$third" --checkpoint-dir ck3
  grep -q '"ranks": 2' ck3/manifest.json
  launch 1 1 -o e --tstop "$tstop" --restore ck3
  same_as_full e
fi

echo "SIGUSR1 mid-run -> exit 75 with a checkpoint -> restore"
# A run far longer than needed, stopped by the signal; restored, it runs to
# tstop past where it stopped and must equal an uninterrupted run that long.
set +e
"$ganglion" run "$model" -q -o f --tstop 1e7 --checkpoint-dir ck4 &
pid=$!
# Signal once the run has started (its output directory exists: the model
# is read and the handlers are installed), and a little later, mid-run.
for _ in $(seq 600); do [ -d f ] && break; sleep 0.1; done
sleep 0.5
kill -USR1 "$pid"
wait "$pid"
status=$?
set -e
[ "$status" = 75 ] || { echo "FAIL: status $status after SIGUSR1, expected 75"; exit 1; }
[ -f ck4/manifest.json ] || { echo "FAIL: no checkpoint after SIGUSR1"; exit 1; }
[ ! -e f/spikes.h5 ] || { echo "FAIL: a stopped run wrote final outputs"; exit 1; }
stopped=$(sed -n 's/.*"time_ms": \([0-9.e+]*\).*/\1/p' ck4/manifest.json)
end=$(awk "BEGIN { print $stopped + $tstop }")
echo "  stopped at $stopped ms with status 75; continuing to $end ms"
launch 1 1 -o full --tstop "$end"
launch 1 2 -o g --tstop "$end" --restore ck4
same_as_full g
echo "PASS"
