#!/usr/bin/env bash
# cli_models.sh GANGLION SOURCE_DIR: `ganglion models` lists every model with
# parameters (text and JSON), rejects an unknown name with status 2, and
# every neuron model it lists has its validation test tests/unit/test_<name>.cpp.
set -euo pipefail
ganglion=$1 src=$2
json=$("$ganglion" models --json)
names=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
models = json.load(sys.stdin)
assert models, "no models"
for m in models:
    assert m["parameters"] or m["source"], m["name"] + " has no parameters"
    for p in m["parameters"]:
        assert p["unit"] is not None and "name" in p, m["name"]
    print(m["name"], "source" if m["source"] else "neuron")
')
echo "$names"
for required in IF_curr_exp IF_cond_exp SpikeSourcePoisson SpikeSourceArray; do
  grep -q "^$required " <<<"$names" || { echo "FAIL: $required missing"; exit 1; }
done
# SpiNNaker mode: the six fixed-point models, each exercised by
# tests/unit/test_spinnaker_models.cpp; sources run unchanged.
fixed=$(printf '%s' "$json" | /usr/bin/python3 -c '
import json, sys
print(" ".join(sorted(m["name"] for m in json.load(sys.stdin) if m["spinnaker"] and not m["source"])))')
[ "$fixed" = "IF_cond_exp IF_curr_alpha IF_curr_delta IF_curr_exp Izhikevich Izhikevich_cond" ] ||
  { echo "FAIL: SpiNNaker models are '$fixed'"; exit 1; }
for name in $fixed; do
  grep -q "$name" "$src/tests/unit/test_spinnaker_models.cpp" ||
    { echo "FAIL: $name has no fixed-point test"; exit 1; }
done
while read -r name kind; do
  "$ganglion" models "$name" | grep -q "^$name" || { echo "FAIL: models $name"; exit 1; }
  if [ "$kind" = neuron ]; then
    test_file="$src/tests/unit/test_$(tr '[:upper:]' '[:lower:]' <<<"$name").cpp"
    [ -f "$test_file" ] || { echo "FAIL: $name has no validation test $test_file"; exit 1; }
  fi
done <<<"$names"
set +e
"$ganglion" models NoSuchModel 2>err.txt
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "FAIL: unknown model gave status $rc"; exit 1; }
grep -q "unknown model 'NoSuchModel'; known models: " err.txt || { echo "FAIL: message"; exit 1; }
echo "OK"
