#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build, and run the
# whole test suite — C++ (Catch2) and Python (pytest) through CTest — first on the
# Release build, then again on an AddressSanitizer + UndefinedBehaviorSanitizer build;
# then the loaders' fuzz harnesses for a few seconds each (tests/fuzz/README.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

echo "== Release build and tests"
bash "$root/scripts/build.sh" "$root/build"
ctest --test-dir "$root/build" --output-on-failure -j "$jobs"

echo "== Sanitizer build (ASan + UBSan) and tests"
bash "$root/scripts/build.sh" "$root/build-sanitize" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTACKRACE_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-sanitize" --output-on-failure -j "$jobs"
echo "== Fuzzing the loaders (libFuzzer, a short run; scripts/fuzz.sh for a long one)"
bash "$root/scripts/fuzz.sh" 8
echo "== All tests passed"
