#!/usr/bin/env bash
# jobs/strong_scaling.sh: strong scaling: the same model on a series of node
# (or rank) counts, one Slurm job (jobs/run.sbatch) per point, each writing
# its summary.json into OUT/nodes<N>_ranks<R>_threads<T>; then
# jobs/collect_scaling.py OUT tabulates and plots speed-up and parallel
# efficiency per phase. `jobs/strong_scaling.sh --help` lists the options.
#
#   jobs/strong_scaling.sh --nodes "1 2 4 8" --ntasks-per-node 16 -o scaling/strong \
#     --set N_scale=1 --set K_scale=1 --tstop 1000
#   jobs/strong_scaling.sh --ranks "1 2 4" --wait -o scaling/strong   # on one node
SCALING_KIND=strong exec "$(dirname "$0")/scaling_series.sh" "$@"
