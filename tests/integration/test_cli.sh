#!/usr/bin/env bash
# The operator's tool: parse, ingest + process, status, check-config
# errors, db status, archive purge; and SIGHUP reloads the daemon's
# configuration, keeping it when the new one is broken.
. "$(dirname "$0")/lib.sh"
it_setup it_cli
s=$PARS_SRC/tests/data/hl7v2

out=$("$PARS/pars" parse "$s/uk_ref_cr.hl7")
echo "$out" | grep -q '"source_id": "REF-0001"' || it_fail "parse output"
echo "$out" | grep -q '9434765919' && it_fail "parse printed an NHS number"
echo "$out" | grep -q '"patient_pseudonym": null' || it_fail "no pseudonym before the key exists"
if "$PARS/pars" parse "$s/err_no_rf1.hl7" >/dev/null 2>"$IT_DIR/err"; then it_fail "parse of a bad file succeeded"; fi
grep -q "has no RF1 segment" "$IT_DIR/err" || it_fail "parse error message"

"$PARS/pars" ingest --practice E82045 "$s/uk_ref_cr.hl7" "$s/uk_ref_lf.hl7" | grep -q "document 2" || it_fail "ingest"
"$PARS/pars" ingest --practice E82045 "$s/uk_ref_cr.hl7" | grep -q "already received" || it_fail "ingest duplicate"
"$PARS/pars" process | grep -q "2 document(s) stored (2 referrals)" || it_fail "process"
"$PARS/pars" parse "$s/uk_ref_cr.hl7" | grep -q '"patient_pseudonym": "[0-9a-f]\{64\}"' || it_fail "parse gives a pseudonym with the configured key"
# uk_ref_lf has the same referral content as uk_ref_cr: a duplicate copy.
it_eq "$(it_sql "SELECT count(*) FILTER (WHERE is_current) || '/' || count(*) FILTER (WHERE duplicate_of IS NOT NULL) FROM pars.referrals")" "1/1" "current/duplicate"
"$PARS/pars" status | grep -q "1 current, 1 duplicate copies" || it_fail "status"
"$PARS/pars" db status | grep -q "001_foundation .* applied" || it_fail "db status"

printf 'state_dir: /x\nspool:\n  dri: /y\n' >"$IT_DIR/bad.yaml"
if "$PARS/pars" -c "$IT_DIR/bad.yaml" check-config 2>"$IT_DIR/err"; then it_fail "bad config accepted"; fi
grep -q "bad.yaml:3: key 'spool.dri': unknown key" "$IT_DIR/err" || it_fail "config error names file, line and key"
"$PARS/parsd" -n -c "$PARS_CONFIG" | grep -q "configuration OK" || it_fail "parsd -n"

"$PARS/pars" archive purge --days 0 | grep -q "purged the raw bytes of 2 stored" || it_fail "purge"
it_eq "$(it_sql "SELECT count(*) FROM pars.document_blobs")" 0 "blobs after purge"

# SIGHUP: a good change is taken, a broken file is refused and the old
# configuration stays in force.
it_start_parsd
it_wait_sql "SELECT 1" 1
sleep 1
sed -i 's/log_level: info/log_level: debug/' "$PARS_CONFIG"
kill -HUP "$IT_LAST_PID"
sleep 1
grep -q "reload: configuration reloaded" "$IT_DIR/parsd-0.log" || it_fail "reload"
echo "bogus_key: 1" >>"$PARS_CONFIG"
kill -HUP "$IT_LAST_PID"
sleep 1
grep -q "unknown key.*keeping the configuration in force" "$IT_DIR/parsd-0.log" || it_fail "bad reload kept old config"
kill -0 "$IT_LAST_PID" || it_fail "parsd died on a bad reload"
it_stop_parsd
grep -q "stopping: finishing the work in hand" "$IT_DIR/parsd-0.log" || it_fail "SIGTERM drain"
echo "ok"
