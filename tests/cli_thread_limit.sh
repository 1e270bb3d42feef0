#!/usr/bin/env bash
# cli_thread_limit.sh GANGLION MODEL OUT: more --threads than OMP_THREAD_LIMIT
# allows is a clear error (naming both) and a non-zero exit, not a run that
# skips neurons or waits forever for threads it never got; within the limit
# the run goes through.
set -uo pipefail
ganglion=$1 model=$2 out=$3
OMP_THREAD_LIMIT=1 "$ganglion" run "$model" -o "$out" --tstop 20 --threads 2 >/dev/null 2>"$out.err"
rc=$?
[ "$rc" -ne 0 ] || { echo "FAIL: exit 0 with --threads 2 and OMP_THREAD_LIMIT=1"; exit 1; }
grep -q -- "--threads 2" "$out.err" && grep -q "OMP_THREAD_LIMIT" "$out.err" ||
  { echo "FAIL: the message does not name --threads and OMP_THREAD_LIMIT:"; cat "$out.err"; exit 1; }
OMP_THREAD_LIMIT=2 "$ganglion" run "$model" -o "$out" --tstop 20 --threads 2 >/dev/null 2>"$out.err" ||
  { echo "FAIL: --threads 2 within OMP_THREAD_LIMIT=2 failed:"; cat "$out.err"; exit 1; }
echo OK
