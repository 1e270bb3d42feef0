#!/usr/bin/env bash
# serial_build.sh SOURCE_DIR BUILD_DIR SPIKES_EQUAL REF_RUN_DIR
# Builds ganglion without MPI (serial communicator) and checks that it gives
# bit-for-bit the spikes of the MPI build's 1-rank runs, with 1 and 2 threads.
set -euo pipefail
src=$1 build=$2 spikes_equal=$3 refs=$4
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGANGLION_MPI=OFF \
  -DGANGLION_TESTS=OFF -DGANGLION_BENCH=OFF >"$build.configure.log"
cmake --build "$build" -j 2 --target ganglion >"$build.build.log"
if nm -C "$build/io/ganglion" | grep -q " U MPI_Init"; then
  echo "FAIL: the serial build calls MPI_Init"; exit 1
fi
for t in 1 2; do
  out="$build/runs/small_network_$t"
  "$build/io/ganglion" run "$src/examples/small_network.json" -o "$out" --threads $t -q
  "$spikes_equal" "$refs/small_network_1x1/spikes.h5" "$out/spikes.h5"
  out="$build/runs/vogels_abbott_$t"
  "$build/io/ganglion" run "$src/examples/vogels_abbott.json" -o "$out" --tstop 200 --threads $t -q
  "$spikes_equal" "$refs/vogels_abbott_1x1/spikes.h5" "$out/spikes.h5"
done
echo "OK: the serial build gives the MPI build's spikes"
