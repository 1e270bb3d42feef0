#!/bin/sh
# Question: how fast does ganglion simulate Brunel's (2000) model A
# (examples/brunel_network.json: 12 500 IF_curr_delta cells, in-degree
# 1000 + 250, 15.6 M synapses, 20 kHz Poisson drive per cell, 1 s) on 1 rank x
# 1 thread, 1 rank x 2 threads and 2 ranks x 1 thread?
#
#   bench/networks/brunel.sh [--ganglion PATH] [--repeats N] [--configs 1x1,1x2,2x1]
#                            [--statistic median|best] [--wait-idle PERCENT] [-- GANGLION-RUN-OPTIONS]
#
# Prints the per-phase timers (build, update, exchange, deliver, write from
# each run's summary.json), the real-time factor, the rates and the peak
# memory (GNU time's maximum resident set size, per rank and summed over the
# ranks) per split, and writes bench/results/brunel.json (see run_network.py).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Debian's python3 (the one on PATH may be another); run_network.py needs only
# the standard library, so any python3 will do if Debian's is missing.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" "$here/run_network.py" "$root/examples/brunel_network.json" \
    --name brunel --json "$root/bench/results/brunel.json" "$@"
