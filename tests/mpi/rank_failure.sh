#!/usr/bin/env bash
# rank_failure.sh GANGLION MODEL OUTDIR KIND: one of 2 ranks fails mid-run
# (GANGLION_TEST_FAULT=KIND:1:50, KIND = throw or exit). The job must end on
# every rank within seconds with a non-zero status, say what happened, and
# leave no spike file that looks complete.
set -uo pipefail
ganglion=$1 model=$2 out=$3 kind=$4
rm -rf "$out"
start=$(date +%s)
# shellcheck disable=SC2086
GANGLION_TEST_FAULT="$kind:1:50" timeout 60 "$MPIEXEC" ${MPIEXEC_FLAGS:-} -n 2 \
  "$ganglion" run "$model" -o "$out" --tstop 200 -q >"$out.log" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
cat "$out.log"
if [ "$rc" -eq 0 ]; then echo "FAIL: job exited 0"; exit 1; fi
if [ "$rc" -eq 124 ]; then echo "FAIL: job hung (killed by timeout)"; exit 1; fi
if [ "$elapsed" -gt 20 ]; then echo "FAIL: took ${elapsed}s to end"; exit 1; fi
if [ -e "$out/spikes.h5" ]; then echo "FAIL: a spike file was left"; exit 1; fi
if [ "$kind" = throw ]; then
  grep -q "rank 1: injected fault on rank 1 at step 50" "$out.log" ||
    { echo "FAIL: the failing rank's message is missing"; exit 1; }
  n=$(grep -c "injected fault" "$out.log")
  [ "$n" -eq 1 ] || { echo "FAIL: message printed $n times"; exit 1; }
fi
echo "OK: exit status $rc after ${elapsed}s"
