#!/usr/bin/env bash
# mime.sh [BUILD] - mail intake's reading speed: MIME parsing and format
# detection of a message carrying a practice's sample referrals, beside
# SHA-256 of the same bytes measured in the same run.  Build without
# sanitizers for figures worth quoting:
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench --target pars-bench-mime
#   tests/bench/mime.sh build-bench
set -euo pipefail
build=${1:-build}
src=$(cd "$(dirname "$0")/../.." && pwd)
"$build/tests/pars-bench-mime" -n 3000 "$src/conf/samples/P81000"
