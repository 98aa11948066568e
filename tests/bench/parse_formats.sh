#!/bin/bash
# Parse throughput of the CDA, letter and CSV parsers, each beside a
# baseline measured in the same run on the same bytes (libxml2 building a
# tree for CDA; splitting lines / fields for letters and CSV).
#
#   tests/bench/parse_formats.sh [BUILD_DIR] [-- pars-bench-formats args]
#
# Builds an optimised tree without sanitizers in BUILD_DIR (default
# build-bench) and runs pars-bench-formats (see tests/bench/bench_formats.c
# for its options: --docs N --rows R --seconds S).
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-bench}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DPARS_SANITIZE=OFF -DPARS_FUZZ=OFF >/dev/null
cmake --build "$build" -j2 --target pars-bench-formats >/dev/null
echo "$(uname -m), $(nproc) cores, $(date -u +%Y-%m-%d)"
"$build/tests/pars-bench-formats" "$@"
