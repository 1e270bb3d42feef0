#!/usr/bin/env bash
# jobs/scaling_series.sh: the engine behind jobs/strong_scaling.sh and
# jobs/weak_scaling.sh (run those; `--help` lists the options). Submits one
# jobs/run.sbatch job per point of the series, each writing its summary.json
# (and job.json) into its own directory OUT/nodes<N>_ranks<R>_threads<T>,
# and with --wait waits for them and runs jobs/collect_scaling.py.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
kind=${SCALING_KIND:?set by strong_scaling.sh or weak_scaling.sh}

usage() {
  cat << EOF
usage: jobs/${kind}_scaling.sh [OPTIONS] [-- EXTRA GANGLION ARGS]

$( [ "$kind" = strong ] && echo "Strong scaling: the same model on every point of the series." ||
   echo "Weak scaling: the model grows with the ranks: --set N_scale=(BASE x ranks), so that
every rank has the same number of neurons and synapses (microcircuit-style models with an
N_scale constant).")

Series (one job per point, run one after another with --exclusive by default):
  --nodes "1 2 4 8"        node counts, --ntasks-per-node ranks on each (default series)
  --ranks "1 2 4"          instead: rank counts on a single node
  --ntasks-per-node P      ranks per node in a node series (default 1)
  --threads T              OpenMP threads per rank = --cpus-per-task (default 1)
What runs:
  -m, --model FILE         model file (default examples/microcircuit.json)
  --tstop MS               biological time (default: the model file's)
  --set NAME=VALUE         a model constant for every run (repeatable)
$( [ "$kind" = weak ] && echo "  --base-scale S           N_scale per rank (default 0.05)")
  --ganglion PATH          the binary (default: ganglion on PATH, else build/io/ganglion)
  --launcher srun|mpiexec  how run.sbatch starts the ranks (default srun)
  --checkpoint-every MS    periodic checkpoints (default 0: none, so as not to time them;
                           the pre-timeout signal still checkpoints and requeues)
Slurm:
  -o, --out DIR            root of the run directories (default scaling/${kind}-DATE)
  --time T                 time limit per job (default 01:00:00)
  --no-exclusive           share nodes with other jobs (timings get noisier)
  --sbatch-args "ARGS"     extra sbatch arguments (--partition, --account, ...)
  --wait                   wait for the jobs, then run jobs/collect_scaling.py
  --dry-run                print the sbatch commands, submit nothing
EOF
}

model=examples/microcircuit.json
out=scaling/${kind}-$(date +%Y%m%d-%H%M%S)
nodes_series="1 2 4 8" ranks_series="" per_node=1 threads=1
tstop="" sets=() base_scale=0.05 time_limit=01:00:00 exclusive=1
sbatch_args="" wait=0 dry=0 every=0 extra=()
while [ $# -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --nodes) nodes_series=$2; ranks_series=""; shift ;;
    --ranks) ranks_series=$2; shift ;;
    --ntasks-per-node) per_node=$2; shift ;;
    --threads) threads=$2; shift ;;
    -m|--model) model=$2; shift ;;
    --tstop) tstop=$2; shift ;;
    --set) sets+=("$2"); shift ;;
    --base-scale) base_scale=$2; shift ;;
    --ganglion) export GANGLION; GANGLION=$(realpath "$2"); shift ;;
    --launcher) export GANGLION_LAUNCHER=$2; shift ;;
    --checkpoint-every) every=$2; shift ;;
    -o|--out) out=$2; shift ;;
    --time) time_limit=$2; shift ;;
    --no-exclusive) exclusive=0 ;;
    --sbatch-args) sbatch_args=$2; shift ;;
    --wait) wait=1 ;;
    --dry-run) dry=1 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "${kind}_scaling.sh: unknown option '$1' (--help lists them)" >&2; exit 2 ;;
  esac
  shift
done
[ -r "$model" ] || { echo "${kind}_scaling.sh: cannot read the model file $model" >&2; exit 2; }
model=$(realpath "$model")
out=$(realpath -m "$out")

# The points: "nodes ranks" pairs.
points=()
if [ -n "$ranks_series" ]; then
  for r in $ranks_series; do points+=("1 $r"); done
else
  for n in $nodes_series; do points+=("$n $((n * per_node))"); done
fi

jobs=()
for point in "${points[@]}"; do
  read -r n r <<< "$point"
  dir=$out/nodes${n}_ranks${r}_threads${threads}
  args=()
  [ -n "$tstop" ] && args+=(--tstop "$tstop")
  for s in ${sets[@]+"${sets[@]}"}; do args+=(--set "$s"); done
  if [ "$kind" = weak ]; then
    args+=(--set "N_scale=$(awk -v b="$base_scale" -v r="$r" 'BEGIN { printf "%.10g", b * r }')")
  fi
  args+=(${extra[@]+"${extra[@]}"})
  # shellcheck disable=SC2206
  cmd=(sbatch --parsable --job-name="$kind-n${n}r${r}t${threads}" --nodes="$n" --ntasks="$r"
       --cpus-per-task="$threads" --time="$time_limit" --output="$dir/slurm-%j.out"
       --export="ALL,GANGLION_CHECKPOINT_EVERY=$every")
  [ -n "$ranks_series" ] || cmd+=(--ntasks-per-node="$per_node")
  [ "$exclusive" = 1 ] && cmd+=(--exclusive)
  # shellcheck disable=SC2206
  cmd+=($sbatch_args "$here/run.sbatch" "$model" "$dir" "${args[@]}")
  if [ "$dry" = 1 ]; then
    echo "${cmd[*]}"
    continue
  fi
  mkdir -p "$dir"
  id=$("${cmd[@]}")
  id=${id%%;*}
  jobs+=("$id")
  echo "${kind}_scaling: job $id: $n node(s), $r rank(s) x $threads thread(s) -> $dir"
done
[ "$dry" = 1 ] && exit 0

collect=(/usr/bin/python3 "$here/collect_scaling.py" "$out" --kind "$kind")
if [ "$wait" = 0 ]; then
  echo "${kind}_scaling: when the jobs are done: ${collect[*]}"
  exit 0
fi
ids=$(IFS=,; echo "${jobs[*]}")
echo "${kind}_scaling: waiting for jobs $ids"
while [ -n "$(squeue -h -j "$ids" -o %i 2> /dev/null)" ]; do sleep 5; done
"${collect[@]}"
