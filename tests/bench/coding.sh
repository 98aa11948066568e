#!/usr/bin/env bash
# coding.sh - what coding costs the end-to-end ingest rate.
#
#   tests/bench/coding.sh [-b BUILD_DIR] [-n REFERRALS] [-r ROUNDS] [-w WORKERS]
#
# Generates REFERRALS synthetic HL7 referrals (pars-gen, one a file, 8
# practices, dated January to April 2025 so both tariff years are priced),
# starts a throwaway PostgreSQL (tests/integration/pg.sh), and for each
# round measures parsd twice on a fresh database with the shipped reference
# data (conf/refdata) loaded: coding.enabled false, then true.  A run's
# clock starts when the files are moved into the practices' drop
# directories (parsd already running) and stops when the last referral is
# committed.  Prints each run, the best rate of each mode and their ratio.
# Use a build without sanitizers for figures worth quoting:
#   cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build-rel -j2 && tests/bench/coding.sh -b build-rel
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build
n=20000
rounds=3
workers=2
while getopts "b:n:r:w:" opt; do
    case $opt in
    b) build=$(cd "$OPTARG" && pwd) ;;
    n) n=$OPTARG ;;
    r) rounds=$OPTARG ;;
    w) workers=$OPTARG ;;
    *) echo "usage: $0 [-b BUILD_DIR] [-n REFERRALS] [-r ROUNDS] [-w WORKERS]" >&2; exit 2 ;;
    esac
done
pars=$build/daemon/pars
parsd=$build/daemon/parsd
gen=$build/tests/pars-gen
for x in "$pars" "$parsd" "$gen"; do
    [ -x "$x" ] || { echo "coding.sh: $x not built" >&2; exit 1; }
done
if ldd "$parsd" | grep -q libasan; then
    echo "note: $parsd is built with sanitizers: the figures will be low (see the header)" >&2
fi

tmp=$(mktemp -d /var/tmp/pars-bench-coding.XXXXXX)
chmod 755 "$tmp"
daemon_pid=
cleanup() {
    [ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null && wait "$daemon_pid" 2>/dev/null
    bash "$src/tests/integration/pg.sh" stop "$tmp" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

bash "$src/tests/integration/pg.sh" start "$tmp" >/dev/null
# shellcheck disable=SC1091
. "$tmp/pg.env"
export PGHOST PGUSER PGOPTIONS="-c client_min_messages=warning"

echo "generating $n referrals..." >&2
"$gen" --practices 8 --referrals "$n" --out "$tmp/gen" --from 2025-01-01 --days 120 --seed 5

now() { date +%s.%N; }
tck=$(getconf CLK_TCK)
pgmaster=$(head -n 1 "$tmp/pg/data/postmaster.pid")
# CPU ticks of a process (utime + stime).
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# CPU ticks of PostgreSQL: the postmaster, its live children, and the
# children it has reaped (cutime + cstime).
pg_cpu() {
    local t pid
    t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pgmaster/stat")
    for pid in $(pgrep -P "$pgmaster"); do
        t=$((t + $(cpu_of "$pid" 2>/dev/null || echo 0)))
    done
    echo "$t"
}

# run MODE ROUND: prints the referrals per second of one run, and the CPU
# microseconds per referral of parsd and of PostgreSQL.
run() {
    local mode=$1 round=$2 db="bench_${1}_$2" dir="$tmp/run-$1-$2" got=0 t0 t1
    local pg0 pg1 dcpu batches
    mkdir -p "$dir/spool"
    psql -X -q -d postgres -c "CREATE DATABASE $db" >/dev/null
    cat >"$dir/parsd.yaml" <<YAML
state_dir: $dir/state
log_level: warning
database:
  dsn: "host=$PGHOST dbname=$db user=pars"
spool:
  dir: $dir/spool
  rescan_seconds: 1
  settle_seconds: 0
processing:
  workers: $workers
coding:
  enabled: $mode
YAML
    export PARS_CONFIG=$dir/parsd.yaml
    "$pars" db migrate >/dev/null
    "$pars" refdata load "$src/conf/refdata" >/dev/null
    cp -r "$tmp/gen" "$dir/stage"
    for p in "$dir/stage"/*; do mkdir -p "$dir/spool/$(basename "$p")"; done
    "$parsd" -c "$dir/parsd.yaml" 2>>"$dir/parsd.log" &
    daemon_pid=$!
    sleep 1
    pg0=$(pg_cpu)
    t0=$(now)
    for p in "$dir/stage"/*; do
        find "$p" -type f -exec mv -t "$dir/spool/$(basename "$p")" {} +
    done
    while [ "$got" -lt "$n" ]; do
        sleep 0.5
        got=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pars.referrals")
        kill -0 "$daemon_pid" || { echo "parsd died: $(tail -3 "$dir/parsd.log")" >&2; exit 1; }
    done
    t1=$(now)
    dcpu=$(cpu_of "$daemon_pid")
    kill -TERM "$daemon_pid"
    wait "$daemon_pid" || true
    daemon_pid=
    sleep 0.5
    pg1=$(pg_cpu)
    batches=$(psql -X -At -d "$db" -c "SELECT count(DISTINCT stored_at) FROM pars.documents")
    echo "  coding.enabled $mode: $n referrals in $batches processing batches" >&2
    if [ "$mode" = true ]; then
        local coded
        coded=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pars.referrals WHERE tfc IS NOT NULL AND price_pence IS NOT NULL")
        [ "$coded" = "$n" ] || { echo "only $coded of $n coded and priced" >&2; exit 1; }
    fi
    psql -X -q -d postgres -c "DROP DATABASE $db" >/dev/null
    rm -rf "$dir"
    echo "$n $t0 $t1 $dcpu $pg0 $pg1 $tck" | awk '{printf "%.0f %.0f %.0f\n",
        $1 / ($3 - $2), $4 * 1e6 / $7 / $1, ($6 - $5) * 1e6 / $7 / $1}'
}

# The middle value of the numbers given.
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

rate_off=()
rate_on=()
cpu_off=()
cpu_on=()
for r in $(seq 1 "$rounds"); do
    # Alternate which goes first, so neither always runs on a warmer host.
    if [ $((r % 2)) = 1 ]; then
        read -r off doff poff < <(run false "$r")
        read -r on don pon < <(run true "$r")
    else
        read -r on don pon < <(run true "$r")
        read -r off doff poff < <(run false "$r")
    fi
    echo "round $r: coding off $off referrals/s (CPU per referral: parsd $doff us, PostgreSQL $poff us);" \
        "coding on $on referrals/s (parsd $don us, PostgreSQL $pon us)"
    rate_off+=("$off")
    rate_on+=("$on")
    cpu_off+=($((doff + poff)))
    cpu_on+=($((don + pon)))
done
echo "$n referrals a run, $workers workers, $rounds rounds, load average $(cut -d' ' -f1-3 /proc/loadavg):"
awk -v off="$(median "${rate_off[@]}")" -v on="$(median "${rate_on[@]}")" \
    -v boff="$(printf '%s\n' "${rate_off[@]}" | sort -n | tail -n 1)" \
    -v bon="$(printf '%s\n' "${rate_on[@]}" | sort -n | tail -n 1)" 'BEGIN {
    printf "  end-to-end rate, median: coding off (baseline) %d referrals/s, coding on %d referrals/s\n", off, on
    printf "    ratio on/off %.3f: coding costs %.1f%% of the rate (goal: at most 20%%)\n", on / off, 100 * (1 - on / off)
    printf "  end-to-end rate, best run: coding off %d referrals/s, coding on %d referrals/s (ratio %.3f)\n", boff, bon, bon / boff }'
awk -v off="$(median "${cpu_off[@]}")" -v on="$(median "${cpu_on[@]}")" 'BEGIN {
    printf "  CPU per referral (parsd + PostgreSQL), median: coding off %d us, coding on %d us\n", off, on
    printf "    ratio off/on %.3f: a CPU-bound host would lose %.1f%% of its rate to coding\n", off / on, 100 * (1 - off / on) }'
