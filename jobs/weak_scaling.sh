#!/usr/bin/env bash
# jobs/weak_scaling.sh: weak scaling: the model grows with the ranks (the
# microcircuit's N_scale = BASE x ranks through --set, K_scale fixed, so every
# rank holds the same number of neurons and synapses), one Slurm job
# (jobs/run.sbatch) per node or rank count, each writing its summary.json
# into OUT/nodes<N>_ranks<R>_threads<T>; then jobs/collect_scaling.py OUT
# tabulates and plots the (scaled) speed-up and the parallel efficiency per
# phase. `jobs/weak_scaling.sh --help` lists the options.
#
#   jobs/weak_scaling.sh --nodes "1 2 4 8" --ntasks-per-node 16 --base-scale 0.02 \
#     -o scaling/weak --tstop 1000
#   jobs/weak_scaling.sh --ranks "1 2 4" --base-scale 0.05 --set K_scale=0.1 --wait
SCALING_KIND=weak exec "$(dirname "$0")/scaling_series.sh" "$@"
