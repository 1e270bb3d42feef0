#!/bin/sh
# Question: how does ganglion compare with Brian2 (C++ standalone) on the
# same networks, Vogels-Abbott COBA and Brunel model A: build and simulate
# times, rates, peak memory?
#
#   bench/peers/side_by_side.sh [--ganglion PATH] [--threads N] [--seeds 1,2,3]
#                               [--networks vogels_abbott,brunel] [--tstop MS] [--json PATH]
#
# Runs both simulators on both networks in this one invocation (alternating,
# one run of each per seed), prints build s, simulate s, real-time factor,
# rates and peak memory with the Brian2 / ganglion ratios, and writes
# bench/results/side_by_side.json. Needs Debian's python3-brian (Brian 2.5)
# and g++; Brian2's projects are built under /tmp/ganglion-brian2. See
# side_by_side.py and brian2_common.py for what is timed and how the two
# simulators are made to step the networks the same way.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# Debian's python3: the one with brian2, numpy and the C++ toolchain set-up.
exec /usr/bin/python3 "$here/side_by_side.py" "$@"
