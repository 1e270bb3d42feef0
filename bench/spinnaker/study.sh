#!/bin/sh
# Question: what would this model lose on SpiNNaker? The study of van Albada
# et al. (2018) for any model file: four runs and two comparison reports.
#
#   bench/spinnaker/study.sh MODEL OUTDIR [--tstop MS] [--transient MS]
#       [--threads N] [--seeds S1,S2] [--ganglion PATH] [-- GANGLION-RUN-OPTIONS]
#
# Runs MODEL in double precision with seeds S1 and S2 (the file's dt), and
# in SpiNNaker fixed point with seed S1 at dt 0.1 ms and at dt 1.0 ms (the
# same network and Poisson streams as double S1: only the arithmetic, the
# weight representation and the time step differ). Then
#   ganglion compare double_S1 spinnaker_dtX --seed-baseline double_S2
# for both time steps (OUTDIR/compare_dt0.1.{txt,json,png},
# OUTDIR/compare_dt1.0.{...}); and, to tell the 1 ms step's cost from the
# arithmetic's, double at dt 1.0 with both seeds against SpiNNaker at 1.0
# (OUTDIR/compare_dt1.0_same_dt.{...}); and OUTDIR/report.md: per population and
# statistic the KS distance fixed vs double next to seed vs seed, and the
# run time, memory and bytes per synapse of every run.
#
# Examples (see bench/README.md for the measured results):
#   bench/spinnaker/study.sh examples/vogels_abbott.json /tmp/study_va --tstop 5000
#   bench/spinnaker/study.sh examples/tutorial_network.json /tmp/study_tut --tstop 5000 --transient 200
#   bench/spinnaker/study.sh examples/microcircuit.json /tmp/study_mc --tstop 3000 --threads 2
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
python=/usr/bin/python3
[ -x "$python" ] || python=python3

[ $# -ge 2 ] || { sed -n '2,22p' "$0" >&2; exit 2; }
model=$1 out=$2
shift 2
tstop="" transient=500 threads=1 seeds=1,2 ganglion=$root/build/io/ganglion
while [ $# -gt 0 ]; do
    case $1 in
        --tstop) tstop=$2; shift 2 ;;
        --transient) transient=$2; shift 2 ;;
        --threads) threads=$2; shift 2 ;;
        --seeds) seeds=$2; shift 2 ;;
        --ganglion) ganglion=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "study.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$ganglion" ] || { echo "study.sh: no ganglion at $ganglion (build first, or --ganglion)" >&2; exit 2; }
s1=${seeds%,*} s2=${seeds#*,}
mkdir -p "$out"
stop=""
[ -n "$tstop" ] && stop="--tstop $tstop"

run() {  # name, arguments...
    name=$1
    shift
    echo "== $name" >&2
    timer=""
    # Wall time and peak memory, where Debian's `time` is installed.
    [ -x /usr/bin/time ] && timer="/usr/bin/time -f %e_%M -o $out/$name.time"
    rc=0
    # shellcheck disable=SC2086
    $timer "$ganglion" run "$model" -o "$out/$name" --threads "$threads" $stop "$@" \
        > "$out/$name.log" || rc=$?
    tail -n +2 "$out/$name.log" | sed -n '1,12p' >&2
    return $rc
}
run double_s$s1 --seed "$s1" "$@"
run double_s$s2 --seed "$s2" "$@"
run spinnaker_dt0.1 --seed "$s1" --arithmetic spinnaker --dt 0.1 "$@"
run spinnaker_dt1.0 --seed "$s1" --arithmetic spinnaker --dt 1.0 "$@"
# Double at 1 ms too: separates what the 1 ms step costs from what the
# arithmetic costs. (A model whose delays round to 0 steps at 1 ms cannot
# run so in double precision, where SpiNNaker raises them to one step.)
same_dt=yes
if ! run double_dt1.0_s$s1 --seed "$s1" --dt 1.0 "$@" ||
    ! run double_dt1.0_s$s2 --seed "$s2" --dt 1.0 "$@"; then
    same_dt=no
    echo "study.sh: no double run at dt 1.0 ms (see $out/double_dt1.0_s*.log)" >&2
    rm -rf "$out/double_dt1.0_s$s1" "$out/double_dt1.0_s$s2"
fi

for dt in 0.1 1.0; do
    "$ganglion" compare "$out/double_s$s1" "$out/spinnaker_dt$dt" \
        --seed-baseline "$out/double_s$s2" --transient "$transient" \
        --json "$out/compare_dt$dt.json" > "$out/compare_dt$dt.txt"
    "$python" "$root/tools/plot_compare.py" "$out/compare_dt$dt.json" -o "$out/compare_dt$dt.png" \
        --title "$(basename "$model"): double vs SpiNNaker dt $dt ms (seed baseline: double)" \
        || echo "study.sh: no figure (numpy/matplotlib missing?)" >&2
done
if [ "$same_dt" = yes ]; then
    "$ganglion" compare "$out/double_dt1.0_s$s1" "$out/spinnaker_dt1.0" \
        --seed-baseline "$out/double_dt1.0_s$s2" --transient "$transient" \
        --json "$out/compare_dt1.0_same_dt.json" > "$out/compare_dt1.0_same_dt.txt"
    "$python" "$root/tools/plot_compare.py" "$out/compare_dt1.0_same_dt.json" \
        -o "$out/compare_dt1.0_same_dt.png" \
        --title "$(basename "$model"): double vs SpiNNaker, both at dt 1 ms (seed baseline: double)" \
        || echo "study.sh: no figure (numpy/matplotlib missing?)" >&2
fi
"$python" "$here/report.py" "$out" "$model" "$s1" "$s2" > "$out/report.md"
cat "$out/report.md"
