#!/usr/bin/env bash
# lib.sh - helpers for the integration tests (sourced).
#
# it_setup NAME makes a private world for one test: a database NAME in the
# shared test PostgreSQL, a state directory, a spool, keys and a
# configuration file, all under $PARS_BUILD/it/NAME.  Tests run the real
# programs ($PARS/pars, $PARS/parsd) and check results with psql.
set -euo pipefail

: "${PARS_BUILD:?}" "${PARS_SRC:?}"
PARS=$PARS_BUILD/daemon
GEN=$PARS_BUILD/tests/pars-gen
# shellcheck disable=SC1091
. "$PARS_BUILD/it/pg.env"
export PGHOST PGUSER

it_fail() { echo "FAIL: $*" >&2; exit 1; }
it_log() { echo "--- $*" >&2; }

it_setup() {
    IT_NAME=$1
    IT_DIR=$PARS_BUILD/it/$IT_NAME
    rm -rf "$IT_DIR"
    mkdir -p "$IT_DIR/spool"
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $IT_NAME" >/dev/null
    psql -X -q -d postgres -c "CREATE DATABASE $IT_NAME" >/dev/null
    IT_DSN="host=$PGHOST dbname=$IT_NAME user=pars"
    cat >"$IT_DIR/parsd.yaml" <<YAML
state_dir: $IT_DIR/state
log_level: info
database:
  dsn: "$IT_DSN"
spool:
  dir: $IT_DIR/spool
  rescan_seconds: 1
  settle_seconds: 0
processing:
  workers: 2
YAML
    export PARS_CONFIG=$IT_DIR/parsd.yaml
    # Until the coding (010-019) and rules (020-029) migrations are
    # merged, the analytics views (035) need their stand-ins (tests/sql/).
    if ! "$PARS/pars" db migrate >/dev/null 2>&1; then
        psql -X -q -v ON_ERROR_STOP=1 -d "$IT_NAME" \
            -f "$PARS_SRC/tests/sql/standin_coding_rules.sql" >/dev/null
        "$PARS/pars" db migrate >/dev/null
    fi
    trap it_cleanup EXIT
}

# Runs SQL on the test's database, printing unaligned rows.
it_sql() { psql -X -At -v ON_ERROR_STOP=1 -d "$IT_NAME" -c "$1"; }

IT_DAEMONS=()
# Starts parsd in the background; its log is $IT_DIR/parsd-N.log.
it_start_parsd() {
    local n=${#IT_DAEMONS[@]}
    "$PARS/parsd" -c "$PARS_CONFIG" >>"$IT_DIR/parsd-$n.log" 2>&1 &
    IT_DAEMONS+=($!)
    IT_LAST_PID=$!
}

it_stop_parsd() {
    local pid
    for pid in "${IT_DAEMONS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${IT_DAEMONS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    IT_DAEMONS=()
}

it_cleanup() {
    it_stop_parsd
}

# it_wait_sql SQL WANT [SECONDS]: waits until SQL prints WANT.
it_wait_sql() {
    local sql=$1 want=$2 secs=${3:-60} got=""
    local end=$((SECONDS + secs))
    while [ $SECONDS -lt $end ]; do
        got=$(it_sql "$sql" 2>/dev/null || true)
        [ "$got" = "$want" ] && return 0
        sleep 0.2
    done
    it_fail "waited ${secs}s for [$sql] = [$want], last got [$got]"
}

it_eq() { [ "$1" = "$2" ] || it_fail "${3:-value}: got [$1], want [$2]"; }

# Drops a file into a practice's drop directory the way SFTP does.
it_drop() {
    local practice=$1 src=$2 name=${3:-$(basename "$2")}
    mkdir -p "$IT_DIR/spool/$practice"
    cp "$src" "$IT_DIR/spool/$practice/$name.part"
    mv "$IT_DIR/spool/$practice/$name.part" "$IT_DIR/spool/$practice/$name"
}
