#!/usr/bin/env bash
# rules.sh [BUILD_DIR] [REFERRALS] - what the assessment rules cost.
#
# End to end: the same day of synthetic referrals (pars-gen, one HL7 file
# each) is dropped into parsd's spool and timed until every document is
# stored, once with an empty rules directory and once with the whole
# starter library (conf/rules), in the same run on a private PostgreSQL;
# ROUNDS (default 2) alternating rounds, the best of each kept.  Prints
# both rates and their ratio (the aim: the library keeps at least 70% of
# the rate without rules).  Then the in-process figure: referrals
# assessed per second with the library (pars-bench-assess).
#
# Use a build without sanitizers, e.g.
#   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-bench -j2 && tests/bench/rules.sh build-bench 5000
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$SRC/build-bench}" && pwd)
N=${2:-5000}
ROUNDS=${ROUNDS:-2}
W=$(mktemp -d /tmp/pars-bench-rules.XXXXXX)
PIDS=()

cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    bash "$SRC/tests/integration/pg.sh" stop "$W" >/dev/null 2>&1 || true
    rm -rf "$W"
}
trap cleanup EXIT

if grep -q 'PARS_SANITIZE:BOOL=ON' "$B/CMakeCache.txt" 2>/dev/null; then
    echo "note: $B is built with sanitizers; the figures will be low" >&2
fi
bash "$SRC/tests/integration/pg.sh" start "$W" >/dev/null
# shellcheck disable=SC1091
. "$W/pg.env"
export PGHOST PGUSER
sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
now() { date +%s.%N; }

"$B/tests/pars-gen" --practices 20 --referrals "$N" --days 1 \
    --from 2025-01-15 --out "$W/gen"
mkdir -p "$W/norules"
NRULES=$(cat "$SRC"/conf/rules/*.yaml | grep -c '^  - id: ')

# run NAME RULES_DIR: prints "RATE FINDINGS".
run() {
    local name=$1 rules=$2 d=$W/$1 t0 t1 got pid
    mkdir -p "$d/spool" "$d/stage"
    sql postgres "CREATE DATABASE $name" >/dev/null
    cat >"$d/parsd.yaml" <<YAML
state_dir: $d/state
log_level: warning
database:
  dsn: "host=$PGHOST dbname=$name user=pars"
spool:
  dir: $d/spool
  settle_seconds: 0
processing:
  workers: 2
rules:
  dir: $rules
YAML
    "$B/daemon/pars" -c "$d/parsd.yaml" db migrate >/dev/null
    # The shipped reference data: both runs code and price the same way,
    # so the difference is the rules alone.
    "$B/daemon/pars" -c "$d/parsd.yaml" refdata load "$SRC/conf/refdata" >/dev/null
    cp -r "$W/gen/." "$d/stage/"
    "$B/daemon/parsd" -c "$d/parsd.yaml" 2>>"$d/parsd.log" &
    pid=$!
    PIDS+=("$pid")
    until [ -d "$d/state" ] && sql "$name" "SELECT 1" >/dev/null 2>&1; do
        sleep 0.1
    done
    sleep 1 # parsd is up: workers listening, spool watched
    t0=$(now)
    for p in "$d/stage"/*; do
        mkdir -p "$d/spool/$(basename "$p")"
        find "$p" -type f -exec mv -t "$d/spool/$(basename "$p")" {} +
    done
    while :; do
        got=$(sql "$name" "SELECT count(*) FROM pars.documents
                           WHERE state = 'stored'")
        [ "$got" -ge "$N" ] && break
        sleep 0.2
    done
    t1=$(now)
    kill -TERM "$pid"
    wait "$pid" || true
    echo "$(echo "$N / ($t1 - $t0)" | bc -l | xargs printf '%.0f') $(sql \
        "$name" "SELECT count(*) FROM pars.findings")"
}

best_none=0
best_lib=0
for r in $(seq 1 "$ROUNDS"); do
    read -r rate f <<<"$(run "none_$r" "$W/norules")"
    echo "round $r: no rules:          $rate referrals/s ($f findings)"
    [ "$rate" -gt "$best_none" ] && best_none=$rate
    read -r rate f <<<"$(run "lib_$r" "$SRC/conf/rules")"
    echo "round $r: library ($NRULES rules): $rate referrals/s ($f findings)"
    [ "$rate" -gt "$best_lib" ] && best_lib=$rate
done
echo "end to end, $N referrals, 2 workers, best of $ROUNDS:"
echo "  no rules:          $best_none referrals/s"
echo "  library ($NRULES rules): $best_lib referrals/s"
echo "  ratio:             $(echo "100 * $best_lib / $best_none" | bc -l |
    xargs printf '%.0f')% (aim: at least 70%)"
"$B/tests/pars-bench-assess" "$SRC/conf/rules" "$W/gen" 3
