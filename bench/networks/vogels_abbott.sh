#!/bin/sh
# Question: how fast does ganglion simulate the Vogels-Abbott network
# (examples/vogels_abbott.json, 4000 IF_cond_exp neurons, 1 s) on 1 rank x 1
# thread, 1 rank x 2 threads and 2 ranks x 1 thread?
#
#   bench/networks/vogels_abbott.sh [--ganglion PATH] [--repeats N] [--configs 1x1,1x2,2x1]
#
# Prints the median timers, real-time factor, rates and peak memory per split
# and writes bench/results/vogels_abbott.json (see run_network.py).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# Debian's python3 (the one on PATH may be another); run_network.py needs only
# the standard library, so any python3 will do if Debian's is missing.
python=/usr/bin/python3
[ -x "$python" ] || python=python3
exec "$python" "$here/run_network.py" "$root/examples/vogels_abbott.json" \
    --name vogels_abbott --json "$root/bench/results/vogels_abbott.json" "$@"
