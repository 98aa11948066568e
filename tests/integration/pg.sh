#!/usr/bin/env bash
# pg.sh start|stop DIR - a throwaway PostgreSQL for the integration tests.
#
# Runs as the unprivileged "postgres" user (PostgreSQL will not run as
# root), on a Unix socket in DIR only (listen_addresses=''), fsync off.
# Writes DIR/pg.env with PGHOST, PGUSER and the superuser DSN; each test
# makes its own database in it (lib.sh: it_setup).
set -euo pipefail
cmd=$1 dir=$2
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case $cmd in
start)
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
        run_pg "$bindir/pg_ctl" -D "$dir/pg/data" -m immediate -w stop || true
    fi
    rm -rf "$dir/pg"
    mkdir -p "$dir/pg"
    chmod 755 "$dir" "$dir/pg"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/pg"
    run_pg "$bindir/initdb" -D "$dir/pg/data" -A trust -U pars -E UTF8 \
        --locale=C --no-sync >"$dir/pg/initdb.log"
    run_pg "$bindir/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w -t 60 \
        -o "-c listen_addresses='' -k $dir/pg -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start
    cat >"$dir/pg.env" <<ENV
PGHOST=$dir/pg
PGUSER=pars
PGDATABASE=postgres
ENV
    ;;
stop)
    if [ -f "$dir/pg/data/postmaster.pid" ]; then
        run_pg "$bindir/pg_ctl" -D "$dir/pg/data" -m immediate -w stop
    fi
    ;;
*)
    echo "usage: pg.sh start|stop DIR" >&2
    exit 2
    ;;
esac
