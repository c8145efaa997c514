#!/usr/bin/env bash
# Fuzzes every loader of user input with libFuzzer (tests/fuzz/README.md): builds the
# harnesses with clang, ASan and UBSan into build-fuzz/, then runs each for SECONDS
# (default 60) from a seed corpus of the shipped files, keeping what it finds in
# build-fuzz/corpus/<harness> for the next run. Exits non-zero on the first finding,
# whose input is left in build-fuzz/findings/ (replay it: build-fuzz/tests/fuzz/fuzz_NAME FILE).
# Usage: scripts/fuzz.sh [SECONDS] [HARNESS...]   (harnesses: scenario country_table sweep calibration record)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(scenario country_table sweep calibration record)
build="$root/build-fuzz"

bash "$root/scripts/install-deps.sh"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSTACKRACE_FUZZ=ON -DSTACKRACE_TESTS=OFF >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${harnesses[@]}")

# The shipped files each harness starts from.
seeds() {
  case "$1" in
    scenario) ls "$root"/worlds/*.toml "$root"/worlds/policies/*.toml "$root"/worlds/race/*.toml \
                 "$root"/tests/bad_scenarios/*.toml ;;
    country_table) ls "$root"/worlds/data/countries.csv "$root"/tests/bad_scenarios/tables/*.csv ;;
    sweep) ls "$root"/worlds/sweeps/*.toml ;;
    calibration) ls "$root"/worlds/calibrations/*.toml ;;
    record) ls "$root"/worlds/record/*.csv ;;
  esac
}

mkdir -p "$build/findings"
for h in "${harnesses[@]}"; do
  corpus="$build/corpus/$h"
  mkdir -p "$corpus"
  cp $(seeds "$h") "$corpus"/ 2>/dev/null || true
  echo "== fuzz_$h: $seconds s"
  # One input at most 64 KiB (the loaders refuse files above 64 MiB before reading them);
  # an input that takes 20 s or 2 GB is a finding.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/tests/fuzz/fuzz_$h" "$corpus" -max_total_time="$seconds" -max_len=65536 -timeout=20 \
    -rss_limit_mb=2048 -artifact_prefix="$build/findings/$h-" -print_final_stats=1 2>&1 |
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|.*(crash|leak|timeout|oom)-)" || true
  if ls "$build/findings/$h-"* >/dev/null 2>&1; then
    echo "fuzz_$h: finding in $(ls "$build/findings/$h-"* | head -1)" >&2
    exit 1
  fi
done
echo "== fuzzing found nothing"
