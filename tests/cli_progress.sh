#!/usr/bin/env bash
# cli_progress.sh GANGLION MODEL OUT: the progress line appears with
# --progress always (ending at 100%), and not at all when stderr is not a
# terminal (the default, auto), nor with -q.
set -euo pipefail
ganglion=$1 model=$2 out=$3
"$ganglion" run "$model" -o "$out" --tstop 300 --progress always >/dev/null 2>"$out.always"
tr '\r' '\n' <"$out.always" | grep -q "^\[100%\] 300.0 / 300.0 ms  real-time factor" ||
  { echo "FAIL: no final progress line:"; cat "$out.always"; exit 1; }
"$ganglion" run "$model" -o "$out" --tstop 300 >/dev/null 2>"$out.auto"
[ ! -s "$out.auto" ] || { echo "FAIL: progress printed to a non-terminal:"; cat "$out.auto"; exit 1; }
"$ganglion" run "$model" -o "$out" --tstop 300 -q --progress always >/dev/null 2>"$out.quiet"
[ ! -s "$out.quiet" ] || { echo "FAIL: progress printed with -q"; exit 1; }
echo OK
