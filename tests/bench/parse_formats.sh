#!/usr/bin/env bash
# parse_formats.sh [N] - parse throughput of the CDA, letter and CSV
# parsers on N synthetic referrals each (pars-gen: ITK-style CDA
# documents, practice letters, CSV batches of 100 rows), each beside its
# baseline measured in the same run on the same bytes (pars-bench-parse:
# libxml2 building the tree for CDA; splitting into lines and fields for
# letters and CSV).  CPU time of one core.
set -euo pipefail
N=${1:-3000}
src=$(cd "$(dirname "$0")/../.." && pwd)
b=$src/build-bench
work=$(mktemp -d /var/tmp/pars-formats.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$b" >/dev/null
for f in cda letter csv; do
    per=1
    [ "$f" = csv ] && per=100
    "$b/tests/pars-gen" --format "$f" --per-file "$per" --practices 10 \
        --referrals "$N" --out "$work/$f" --seed 6
    "$b/tests/pars-bench-parse" -n 3 -r 5 "$f" $(find "$work/$f" -type f | sort)
done
