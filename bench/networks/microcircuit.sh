#!/bin/sh
# Question: how fast does ganglion simulate the Potjans-Diesmann cortical
# microcircuit (examples/microcircuit.json, IF_curr_exp, Poisson background
# generated at the targets, 1 s) at a reduced number of neurons with the full
# in-degrees, and how much memory does it take?
#
#   bench/networks/microcircuit.sh [--n-scale X] [--ganglion PATH] [--repeats N]
#                                  [--configs 1x1,1x2,2x1] [--statistic median|best]
#                                  [--wait-idle PERCENT] [-- GANGLION-RUN-OPTIONS]
#
# --n-scale sets the model's N_scale constant (default 0.1: 7 718 neurons);
# K_scale stays 1 (the published in-degrees: 0.1 x 299 M = 29.9 M synapses,
# no weight rescaling, no DC compensation). Writes
# bench/results/microcircuit_N<X>.json (see run_network.py) and prints the
# per-phase timers, real-time factor, rates and peak memory (summed over
# ranks) per split.
#
# Full scale (77 169 neurons, 299 M synapses, minutes per run): the build
# is the memory peak; `ganglion info examples/microcircuit.json --ranks R
# --threads T` estimates it first (12.5 GB at 1 x 1, 6.4 GB per rank at
# 2 x 1). Run it only on an otherwise idle machine with that memory free:
#
#   bench/networks/microcircuit.sh --n-scale 1 --configs 1x1,2x1 --repeats 1
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=/usr/bin/python3
[ -x "$python" ] || python=python3

n_scale=0.1
# Take --n-scale out of the arguments; pass the rest on in order.
n=$#
while [ "$n" -gt 0 ]; do
    a=$1
    shift
    n=$((n - 1))
    case $a in
        --n-scale)
            [ "$n" -gt 0 ] || { echo "microcircuit.sh: --n-scale needs a value" >&2; exit 2; }
            n_scale=$1
            shift
            n=$((n - 1))
            ;;
        --n-scale=*) n_scale=${a#--n-scale=} ;;
        --) # ganglion run options: keep them after ours
            set -- "$@" --
            while [ "$n" -gt 0 ]; do set -- "$@" "$1"; shift; n=$((n - 1)); done
            ;;
        *) set -- "$@" "$a" ;;
    esac
done
case $n_scale in
    '' | *[!0-9.]*) echo "microcircuit.sh: --n-scale wants a positive number; got '$n_scale'" >&2; exit 2 ;;
esac
# run_network.py passes everything after the first -- to `ganglion run`.
has_sep=no
for a in "$@"; do [ "$a" = "--" ] && has_sep=yes; done
if [ "$has_sep" = yes ]; then
    set -- "$@" --set "N_scale=$n_scale" --set K_scale=1
else
    set -- "$@" -- --set "N_scale=$n_scale" --set K_scale=1
fi
exec "$python" "$here/run_network.py" "$root/examples/microcircuit.json" \
    --name "microcircuit_N$n_scale" --json "$root/bench/results/microcircuit_N$n_scale.json" "$@"
