#!/usr/bin/env bash
# parse_hl7.sh [N] - HL7 v2 parse throughput on N synthetic UK REF^I12
# messages (pars-gen), beside figures measured in the same run on the
# same messages:
#   - the baselines: splitting the bytes into segments and fields, with a
#     byte loop, and with the parser's own scan (hl7span.h: 64 bytes a
#     step; the stricter yardstick, since it is what the parser does
#     before it reads a single value);
#   - @medplum/core's Hl7Message.parse under Node, reading the same
#     fields the hub's parser reads (tests/bench/medplum_hl7.js).
# The synthetic messages carry only the segments a referral needs (about
# 530 bytes, every segment read): the worst case for a parser that skips
# what it does not need.  The public REF^I12/I14 examples of the corpus
# (5.7 KB, 23-24 segments, about half of them not needed) are measured the same
# way after them.
# The synthetic set is timed in 201 rounds of one pass each: this shared
# machine's noise comes in bursts, and the median of many short rounds
# is the steadier figure.
# @medplum/core is installed from npm into a scratch directory for the
# run and nothing of it is kept.  All figures are CPU time of one core.
set -euo pipefail
N=${1:-5000}
src=$(cd "$(dirname "$0")/../.." && pwd)
b=$src/build-bench
work=$(mktemp -d /var/tmp/pars-hl7.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$b" >/dev/null
"$b/tests/pars-gen" --practices 20 --referrals "$N" --out "$work/gen" --seed 4
mkdir "$work/all"
find "$work/gen" -name '*.hl7' -exec mv -t "$work/all/" {} +
echo "== synthetic UK messages"
"$b/tests/pars-bench-parse" -n 1 -r 201 hl7v2 "$work"/all/*.hl7 | tee "$work/hub"
echo "== the corpus's public REF^I12 and REF^I14 messages"
"$b/tests/pars-bench-parse" -n 5000 -r 41 hl7v2 \
    "${PARS_CORPUS:-$src/../shared/corpus}"/hl7v2/REF-I1*.hl7
echo "== @medplum/core on the synthetic UK messages"
(cd "$work" && npm init -y >/dev/null 2>&1 &&
    npm install --no-audit --no-fund --silent @medplum/core >/dev/null 2>&1)
mp=$(NODE_PATH="$work/node_modules" node "$src/tests/bench/medplum_hl7.js" "$work/all" 5)
hub_rate=$(awk '/parse_document/ {print $4}' "$work/hub")
echo "  @medplum/core $(npm view --prefix "$work" @medplum/core version 2>/dev/null):" \
    "$(echo "$mp" | awk '{printf "%.1f MB/s %12s messages/s", $2, $3}')"
echo "$mp" | awk -v h="$hub_rate" '{printf "  hub / medplum messages per second: %.1fx\n", h / $3}'
