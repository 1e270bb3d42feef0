#!/usr/bin/env bash
# run_and_compare.sh GANGLION SPIKES_EQUAL MODEL TSTOP RANKS THREADS OUTDIR [REFDIR]
# Runs MODEL on RANKS x THREADS (under mpiexec when MPIEXEC is set) into
# OUTDIR; with REFDIR, checks that the spikes are bit-for-bit those of REFDIR.
# RUN_ARGS (environment): more arguments for `ganglion run`, e.g.
# "--arithmetic=spinnaker --dt=0.1".
set -euo pipefail
ganglion=$1 spikes_equal=$2 model=$3 tstop=$4 ranks=$5 threads=$6 out=$7 ref=${8:-}
rm -rf "$out"
if [ -n "${MPIEXEC:-}" ]; then
  # shellcheck disable=SC2086
  "$MPIEXEC" ${MPIEXEC_FLAGS:-} -n "$ranks" "$ganglion" run "$model" -o "$out" \
    --tstop "$tstop" --threads "$threads" -q ${RUN_ARGS:-}
else
  [ "$ranks" = 1 ] || { echo "no MPI: only 1 rank" >&2; exit 1; }
  # shellcheck disable=SC2086
  "$ganglion" run "$model" -o "$out" --tstop "$tstop" --threads "$threads" -q ${RUN_ARGS:-}
fi
test -f "$out/spikes.h5"
if [ -n "$ref" ]; then
  "$spikes_equal" "$ref/spikes.h5" "$out/spikes.h5"
  # Every other output (connections, positions, state reports) must be
  # identical too (H5_EQUAL: tests/mpi/h5_equal).
  for f in "$ref"/*.h5; do
    name=$(basename "$f")
    [ "$name" = spikes.h5 ] && continue
    "${H5_EQUAL:?}" "$f" "$out/$name"
  done
  # NEURON-style text spikes, where the model asks for them: byte for byte.
  if [ -f "$ref/spikes.txt" ]; then cmp "$ref/spikes.txt" "$out/spikes.txt"; fi
fi
