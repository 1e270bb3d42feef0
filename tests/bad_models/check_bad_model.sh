#!/bin/sh
# Runs `ganglion run MODEL -o TMPDIR` on a bad model file and checks that it is
# rejected as DESIGN.md's invariant 3 says: a non-zero exit (2, a user error,
# when run alone), the expected message on stderr exactly once (rank 0 only
# under MPI), and no spike file left behind.
#
# usage: check_bad_model.sh EXPECTED_TXT MODEL GANGLION [LAUNCHER...]
#        check_bad_model.sh --valid MODEL GANGLION [LAUNCHER...]
#   EXPECTED_TXT  lines "file<TAB>text the error must contain"; MODEL's file
#                 name is looked up there
#   GANGLION      the ganglion executable
#   LAUNCHER      optional prefix such as `mpiexec --oversubscribe -n 2`
# With --valid, checks the opposite on MODEL: it runs and writes spikes.h5
# (used on base_model.json, which every bad file changes in one place, so
# that the checks are known to be able to fail).

set -u

valid=0
if [ "$1" = "--valid" ]; then
    valid=1
    expected_txt=""
    shift
else
    expected_txt=$1
    shift
fi
model=$1
ganglion=$2
shift 2
# What is left is the launcher (empty when run without MPI).

fail() {
    echo "FAIL ($(basename "$model")): $*" >&2
    exit 1
}

[ -f "$model" ] || fail "no such model file: $model"
[ -x "$ganglion" ] || fail "no ganglion executable: $ganglion"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ganglion_bad_model.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"

"$@" "$ganglion" run "$model" -o "$out" >"$tmp/stdout" 2>"$tmp/stderr"
status=$?

show() {
    echo "--- exit status: $status" >&2
    echo "--- stdout:" >&2
    cat "$tmp/stdout" >&2
    echo "--- stderr:" >&2
    cat "$tmp/stderr" >&2
}

if [ "$valid" = 1 ]; then
    if [ "$status" -ne 0 ]; then
        show
        fail "a valid model was rejected (exit status $status)"
    fi
    [ -f "$out/spikes.h5" ] || {
        show
        fail "a valid model wrote no $out/spikes.h5"
    }
    echo "ok: $(basename "$model") runs and writes spikes.h5"
    exit 0
fi

name=$(basename "$model")
expected=$(awk -F '\t' -v f="$name" '$1 == f { print substr($0, index($0, "\t") + 1); exit }' \
    "$expected_txt")
[ -n "$expected" ] || fail "no line for $name in $expected_txt"

if [ "$status" -eq 0 ]; then
    show
    fail "accepted (exit status 0); expected an error containing: $expected"
fi
if [ "$status" -ge 126 ]; then
    show
    fail "exit status $status: a crash or signal, not a clean rejection"
fi
if [ $# -eq 0 ] && [ "$status" -ne 2 ]; then
    show
    fail "exit status $status; a user error exits with 2"
fi
if ! grep -q -F -- "$expected" "$tmp/stderr"; then
    show
    fail "stderr does not contain: $expected"
fi
if ! grep -F -- "$expected" "$tmp/stderr" | grep -q '^ganglion: error: '; then
    show
    fail "the message is not printed as 'ganglion: error: <message>'"
fi
count=$(cat "$tmp/stdout" "$tmp/stderr" | grep -o -F -- "$expected" | wc -l)
if [ "$count" -ne 1 ]; then
    show
    fail "the message appears $count times; expected once (rank 0 only)"
fi
left=$(find "$tmp" -name 'spikes*' | head -n 1)
if [ -n "$left" ]; then
    show
    fail "a rejected model left a spike file behind: $left"
fi
echo "ok: $name rejected with: $expected"
exit 0
