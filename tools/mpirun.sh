#!/usr/bin/env bash
# tools/mpirun.sh N COMMAND...: runs COMMAND on N MPI ranks with mpiexec.
# With Open MPI it allows more ranks than cores (--oversubscribe), and, only
# when run as root (containers, CI), sets the two variables Open MPI needs to
# agree to that. Nothing else changes for a normal user.
set -euo pipefail
n=$1; shift
mpiexec=${MPIEXEC:-mpiexec}
flags=()
if "$mpiexec" --version 2>/dev/null | grep -q -E "Open MPI|OpenRTE"; then
  flags+=(--oversubscribe)
  if [ "$(id -u)" -eq 0 ]; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  fi
fi
exec "$mpiexec" "${flags[@]}" -n "$n" "$@"
