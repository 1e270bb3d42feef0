#!/bin/sh
# Runs the cortical microcircuit on 2 threads and checks the per-population
# mean rates after 200 ms against the published ranges (check_rates.py).
# Usage: microcircuit_rates.sh GANGLION MODEL_JSON OUT_DIR CHECK_RATES_PY
#                              [N_SCALE [K_SCALE [TSTOP_MS]]]
# Defaults: N_scale 0.1 and K_scale 0.1 (NEST's example default: weights
# scaled by 1/sqrt(K_scale), DC input compensating the missing synapses), 1000 ms.
set -eu
ganglion=$1
model=$2
out=$3
check=$4
n_scale=${5:-0.1}
k_scale=${6:-0.1}
tstop=${7:-1000}

rm -rf "$out"
"$ganglion" run "$model" -o "$out" --threads 2 --tstop "$tstop" \
    --set "N_scale=$n_scale" --set "K_scale=$k_scale"
exec /usr/bin/python3 "$check" "$out/spikes.h5" --summary "$out/summary.json" --discard 200
