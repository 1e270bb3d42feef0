#!/usr/bin/env bash
# Installs the Debian packages ganglion needs that are not installed yet
# (apt-get; through sudo when not root). Debian 12 package names.
set -euo pipefail
packages=(
  build-essential cmake pkg-config clang-format
  libopenmpi-dev openmpi-bin libhdf5-openmpi-dev
  libboost-dev libboost-serialization-dev
  nlohmann-json3-dev libmuparser-dev librandom123-dev libcli11-dev
  libgtest-dev libbenchmark-dev
  python3-numpy python3-h5py python3-matplotlib
  time
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages are installed"
  exit 0
fi
echo "install_deps: installing ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
