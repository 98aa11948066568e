#!/usr/bin/env bash
# test_mail_faults.sh - parsd's IMAP source thread against failures: the
# IMAP server restarted in the middle of fetching a message, and the
# database stopped while messages arrive (nothing may be expunged until
# it is back and they are committed).  Every message ends stored exactly
# once and the mailbox empty.  Restarts the shared Dovecot: runs alone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/mail_lib.sh"

it_setup mail_faults
DOVECOT_CONF=$MAIL_DIR/dovecot/dovecot.conf
M=$IT_DIR/msg
mkdir -p "$M"
sed -i 's/^log_level: info/log_level: debug/' "$PARS_CONFIG"
cat >>"$PARS_CONFIG" <<YAML
limits:
  max_document_bytes: 32M
sources:
  imap:
    - name: slow
      url: imaps://127.0.0.1:$IMAP_PORT/INBOX
      user: it5
      password_file: $IMAP_PASSWORD_FILE
      ca_file: $ML_CA
      poll_seconds: 1
      timeout_seconds: 10
      max_recv_speed: 2M
YAML
for u in it5 it6; do
    curl -sS --cacert "$ML_CA" -u "$u:$ML_PASS" "imaps://127.0.0.1:$IMAP_PORT/INBOX" \
        -X "CREATE INBOX" >/dev/null 2>&1 || true
done
it_eq "$(ml_count it5)" 0 "it5 INBOX at the start"

# mk NAME PRACTICE N [PADDING]: a message with a referral and PADDING
# bytes (default 1000) of a scan.
mk() {
    ml_text "referral attached" >"$M/$1.note"
    ml_part application/octet-stream "$1.hl7" "$(ml_sample "$2" "$3")" >"$M/$1.ref"
    head -c "${4:-1000}" /dev/urandom >"$M/$1.bin"
    ml_part application/octet-stream scan.bin "$M/$1.bin" >"$M/$1.pad"
    ml_mixed "B-$1" "$M/$1.note" "$M/$1.ref" "$M/$1.pad" >"$M/$1.ent"
    ml_message pm@practice.test "$1" "$M/$1.ent" >"$M/$1.eml"
}

# Stops Dovecot and kills what is left of its sessions (ours: this
# instance's processes only), then starts it again on the same port.
restart_dovecot() {
    local pid
    doveadm -c "$DOVECOT_CONF" stop
    for pid in $(pgrep -f '^dovecot-pars-it-imap/imap' || true); do
        it_log "killing Dovecot session process $pid"
        kill -9 "$pid" 2>/dev/null || true
    done
    for _ in $(seq 1 50); do
        dovecot -c "$DOVECOT_CONF" 2>/dev/null && return 0
        sleep 0.1
    done
    it_fail "Dovecot would not start again"
}

it_log "the IMAP server restarted while a message is being fetched"
# The first is 28 MB: at 2 MB a second, far more than the sockets hold.
mk slow0 P81004 0 21000000
for i in 0 1 2; do
    [ "$i" = 0 ] || mk "slow$i" P81004 "$i"
    ml_append it5 "$M/slow$i.eml"
done
it_start_parsd
LOG=$IT_DIR/parsd-0.log
for _ in $(seq 1 300); do
    grep -q "imap:slow: fetching message uid" "$LOG" && break
    sleep 0.1
done
grep -q "imap:slow: fetching message uid" "$LOG" || it_fail "parsd never fetched"
sleep 0.5
restart_dovecot
it_wait_sql "SELECT count(*) FROM pars.referrals WHERE is_current" 3 120
for _ in $(seq 1 100); do [ "$(ml_count it5)" = 0 ] && break; sleep 0.2; done
it_eq "$(ml_count it5)" 0 "it5 INBOX after the restart"
grep -q "imap:slow: UID FETCH: .*(trying again in 2 s)" "$LOG" ||
    it_fail "the restart did not interrupt a fetch: $(grep 'imap:slow' "$LOG")"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents WHERE format = 'mime'")" 3 \
    "messages, each once"
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals")" 3 "referral rows"
it_stop_parsd
grep -q "stopped$" "$LOG" || it_fail "parsd did not stop cleanly"
mv "$LOG" "$IT_DIR/parsd-restart.log"

it_log "the database stopped while messages arrive"
OWN=$IT_DIR/own
mkdir -p "$OWN"
bash "$PARS_SRC/tests/integration/pg.sh" start "$OWN" >/dev/null
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
own_sql() { psql -X -At -h "$OWN/pg" -d postgres -c "$1"; }
# Polls once at the start, then only when woken (SIGHUP) or backing off.
sed -e "s|^  dsn: .*|  dsn: \"host=$OWN/pg dbname=postgres user=pars\"|" \
    -e "s|^      user: it5|      user: it6|" -e "s|name: slow|name: dbdown|" \
    -e "s|poll_seconds: 1$|poll_seconds: 3600|" \
    -e "/max_recv_speed/d" "$PARS_CONFIG" >"$IT_DIR/own.yaml"
export PARS_CONFIG=$IT_DIR/own.yaml
"$PARS/pars" db migrate >/dev/null
it_start_parsd
LOG=$IT_DIR/parsd-0.log
for _ in $(seq 1 100); do grep -q "imap:dbdown: polling" "$LOG" && break; sleep 0.1; done
sleep 1.5 # the first poll (of an empty mailbox) is over: the next is SIGHUP's
run_pg "$PGBIN/pg_ctl" -D "$OWN/pg/data" -m immediate -w stop >/dev/null
for i in 0 1; do
    mk "down$i" P81005 "$i"
    ml_append it6 "$M/down$i.eml"
done
kill -HUP "$IT_LAST_PID"
for _ in $(seq 1 200); do
    grep -q "imap:dbdown: .*trying again" "$LOG" && break
    sleep 0.1
done
grep -q "imap:dbdown: .*trying again" "$LOG" || it_fail "parsd did not notice the database"
sleep 3
it_eq "$(ml_count it6)" 2 "it6 INBOX while the database is down"
run_pg "$PGBIN/pg_ctl" -D "$OWN/pg/data" -l "$OWN/pg/log" -w -t 60 \
    -o "-c listen_addresses='' -k $OWN/pg -c fsync=off" start >/dev/null
for _ in $(seq 1 300); do
    [ "$(own_sql "SELECT count(*) FROM pars.referrals WHERE is_current" 2>/dev/null)" = 2 ] && break
    sleep 0.2
done
it_eq "$(own_sql "SELECT count(*) FROM pars.referrals WHERE is_current")" 2 \
    "referrals once the database is back"
for _ in $(seq 1 100); do [ "$(ml_count it6)" = 0 ] && break; sleep 0.2; done
it_eq "$(ml_count it6)" 0 "it6 INBOX once the database is back"
it_eq "$(own_sql "SELECT count(*) FROM pars.documents WHERE format = 'mime'")" 2 \
    "messages, each once"
it_eq "$(own_sql "SELECT count(*) FROM pars.referrals")" 2 "referral rows"
it_stop_parsd
grep -q "stopped$" "$LOG" || it_fail "parsd did not stop cleanly"
bash "$PARS_SRC/tests/integration/pg.sh" stop "$OWN" >/dev/null
if grep -qF "$ML_PASS" "$IT_DIR"/*.log "$IT_DIR"/*.yaml; then
    it_fail "the IMAP password is in a log or the configuration"
fi
echo "PASS mail_faults"
