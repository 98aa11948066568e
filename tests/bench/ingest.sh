#!/usr/bin/env bash
# ingest.sh [N] - end-to-end intake rate: N synthetic referral files
# dropped into practice directories -> referrals committed, with parsd's
# peak memory; beside the rate of a plain COPY of the same rows into the
# same table, on the same PostgreSQL, in the same run.  Then the same with
# a backlog four times as big, to show memory stays flat.
#
# Builds a Release tree in build-bench/ and runs a private PostgreSQL with
# its default durability settings (fsync on).  Prints a table; nothing is
# asserted (this is a benchmark, not a test).
set -euo pipefail
N=${1:-20000}
src=$(cd "$(dirname "$0")/../.." && pwd)
b=$src/build-bench
work=$(mktemp -d /var/tmp/pars-bench.XXXXXX)
chmod 755 "$work"
trap 'cleanup' EXIT
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    [ -n "${daemon:-}" ] && kill "$daemon" 2>/dev/null || true
    run_pg "$bindir/pg_ctl" -D "$work/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
now() { date +%s.%N; }

cmake -S "$src" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$b" >/dev/null
mkdir -p "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
run_pg "$bindir/initdb" -D "$work/pg/data" -A trust -U pars -E UTF8 --locale=C >/dev/null
run_pg "$bindir/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w \
    -o "-c listen_addresses='' -k $work/pg -c shared_buffers=256MB" start >/dev/null
export PGHOST=$work/pg PGUSER=pars PGOPTIONS="-c client_min_messages=warning"

# run_ingest NAME COUNT: prints "rate peak_kib seconds"
run_ingest() {
    local name=$1 n=$2 dir=$work/$1
    psql -X -q -d postgres -c "CREATE DATABASE $name" >/dev/null
    mkdir -p "$dir/spool" "$dir/stage"
    cat >"$dir/parsd.yaml" <<YAML
state_dir: $dir/state
log_level: warning
database:
  dsn: "host=$PGHOST dbname=$name user=pars"
spool:
  dir: $dir/spool
  settle_seconds: 0
processing:
  workers: 2
YAML
    "$b/tests/pars-gen" --practices 50 --referrals "$n" --out "$dir/stage" \
        --from 2025-01-01 --days 90 --seed 3
    for p in "$dir"/stage/*/; do mkdir -p "$dir/spool/$(basename "$p")"; done
    "$b/daemon/pars" -c "$dir/parsd.yaml" db migrate >/dev/null
    "$b/daemon/parsd" -c "$dir/parsd.yaml" 2>"$dir/parsd.log" &
    daemon=$!
    sleep 1
    local t0 t1 got=0
    t0=$(now)
    for p in "$dir"/stage/*/; do
        find "$p" -name '*.hl7' -exec mv -t "$dir/spool/$(basename "$p")/" {} +
    done
    while [ "$got" -lt "$n" ]; do
        sleep 0.2
        got=$(psql -X -At -d "$name" -c "SELECT count(*) FROM pars.referrals")
    done
    t1=$(now)
    local peak
    peak=$(awk '/VmHWM/{print $2}' "/proc/$daemon/status")
    kill "$daemon"
    wait "$daemon" || true
    daemon=
    awk -v n="$n" -v a="$t0" -v z="$t1" -v p="$peak" \
        'BEGIN{printf "%.0f %d %.2f\n", n/(z-a), p, z-a}'
}

# COPY baseline: the same rows into pars.referrals of a migrated database
# whose documents rows exist (not timed).
run_copy() {
    local n=$1 dir=$work/copy
    mkdir -p "$dir"
    psql -X -q -d postgres -c "CREATE DATABASE bcopy" >/dev/null
    cat >"$dir/parsd.yaml" <<YAML
state_dir: $dir/state
database:
  dsn: "host=$PGHOST dbname=bcopy user=pars"
YAML
    "$b/daemon/pars" -c "$dir/parsd.yaml" db migrate >/dev/null
    psql -X -q -d bcopy -c "INSERT INTO pars.documents (id, sha256, size_bytes, source, state)
        SELECT i, sha256(i::text::bytea), 600, 'spool', 'stored'
        FROM generate_series(1, $n) i" >/dev/null
    "$b/tests/pars-gen" --practices 50 --referrals "$n" --from 2025-01-01 \
        --days 90 --seed 3 --rows >"$dir/rows.tsv"
    local t0 t1
    t0=$(now)
    psql -X -q -d bcopy -c "\\copy pars.referrals (document_id, position, format, source_id, status, practice_ods, referrer_code, patient_pseudonym, nhs_number_valid, age_years, sex, referral_date, priority, tfc_sent, provider_ods, consultant_code, reason_text, content_sha256) FROM '$dir/rows.tsv'"
    t1=$(now)
    awk -v n="$n" -v a="$t0" -v z="$t1" 'BEGIN{printf "%.0f %.2f\n", n/(z-a), z-a}'
}

echo "PARS ingest benchmark: $N referrals, 50 practices, $(nproc) cores, $(date -u +%Y-%m-%d)"
read -r copy_rate copy_s < <(run_copy "$N")
read -r rate peak secs < <(run_ingest b1 "$N")
read -r rate4 peak4 secs4 < <(run_ingest b4 $((N * 4)))
printf '\n%-44s %12s %10s %12s\n' "measurement" "referrals/s" "seconds" "peak RSS"
printf '%-44s %12s %10s %12s\n' "COPY of the same rows (baseline)" "$copy_rate" "$copy_s" "-"
printf '%-44s %12s %10s %9s KiB\n' "parsd end to end, $N files" "$rate" "$secs" "$peak"
printf '%-44s %12s %10s %9s KiB\n' "parsd end to end, $((N * 4)) files (4x backlog)" "$rate4" "$secs4" "$peak4"
awk -v r="$rate" -v c="$copy_rate" -v p="$peak" -v q="$peak4" \
    'BEGIN{printf "\nparsd / COPY = %.2f   peak memory 4x backlog / 1x = %.2f\n", r/c, q/p}'
