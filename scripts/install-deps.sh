#!/usr/bin/env bash
# Installs the Debian packages stackrace builds and tests with, and nothing else.
# Idempotent: when every package is already installed it returns at once
# without touching apt (so it is cheap to run before every build).
set -euo pipefail

packages=(
  # toolchain
  gcc g++ cmake ninja-build pkg-config
  # fuzzing the loaders (scripts/fuzz.sh): clang and its libFuzzer runtime
  clang libclang-rt-dev
  # C++ libraries (found by CMake with find_package)
  libtbb-dev libboost-random-dev libhdf5-dev libdeflate-dev libcli11-dev catch2 libtomlplusplus-dev
  # sweeps across MPI ranks (the build works without them too)
  libopenmpi-dev openmpi-bin
  # Python side: reading results, tests
  python3 python3-numpy python3-h5py python3-pandas python3-xarray python3-h5netcdf python3-pytest
  # dates past 2262 in xarray (cftime); the CF checks read every file as netCDF users do
  # (netCDF4-python, ncdump, UDUNITS' udunits2)
  python3-cftime python3-netcdf4 netcdf-bin udunits-bin
  # analysis/ (import stackrace): figures, world map, sensitivity, scenario discovery
  python3-matplotlib python3-scipy python3-geopandas python3-sklearn
  # executing the notebooks in analysis/notebooks (nbclient + a Python kernel)
  python3-nbclient python3-nbformat python3-ipykernel
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
