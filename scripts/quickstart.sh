#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the shipped
# default world. Extra arguments go to `stackrace run`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" "$root/build"
cd "$root"
exec "$root/build/sim/stackrace" run "$@"
