#!/usr/bin/env bash
# The practice reports on a fixed data set (report_data.py): every figure
# against the same figures worked out in Python; small numbers
# suppressed; no other practice's code, name or clinician in any
# practice's HTML, CSV or PDF; a re-run is idempotent and says what
# changed; one hub runs the reports at a time.
. "$(dirname "$0")/lib.sh"
it_setup report
DATA=$PARS_SRC/tests/integration/report_data.py
OUT=$IT_DIR/state/reports
python3 "$DATA" sql >"$IT_DIR/data.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$IT_NAME" -f "$IT_DIR/data.sql"

it_log "first run: every practice's report and the locality summaries"
"$PARS/pars" report run --period 2025-01 >"$IT_DIR/run1.out"
grep -q "13 report(s), 13 delivered, 0 unchanged" "$IT_DIR/run1.out" ||
    it_fail "first run: $(tail -1 "$IT_DIR/run1.out")"
python3 "$DATA" check "$OUT" || it_fail "figures differ (above)"

it_log "the files recorded with their SHA-256"
for f in "$OUT"/P10001/2025-01/*; do
    want=$(sha256sum "$f" | cut -d' ' -f1)
    got=$(it_sql "SELECT e->>'sha256' FROM pars.report_deliveries d,
        jsonb_array_elements(d.files) e WHERE d.practice_code = 'P10001'
        AND e->>'name' = '$(basename "$f")'")
    it_eq "$got" "$want" "sha256 of $(basename "$f")"
done

it_log "small numbers: counts 1-4 as <5, their rates hidden"
csv=$OUT/P10003/2025-01/P10003-2025-01.csv
grep -q '^specialty,[0-9]*,120 ENT,referrals,<5' "$csv" ||
    it_fail "P10003's 3 ENT referrals not shown as <5"
grep -q '^specialty,[0-9]*,120 ENT,"rate per 1,000",\*' "$csv" ||
    it_fail "P10003's ENT rate not hidden"
grep -q '>&lt;5<' "$OUT/P10003/2025-01/P10003-2025-01.html" ||
    it_fail "no <5 in the HTML"

it_log "a flag says what to do"
grep -q '^flags,[0-9]*,tfc_110_high,finding,"110 Trauma and Orthopaedics' \
    "$OUT/P10006/2025-01/P10006-2025-01.csv" || it_fail "P10006 110 not flagged"
grep -q '^flags,[0-9]*,tfc_110_high,what you could do,"Review' \
    "$OUT/P10006/2025-01/P10006-2025-01.csv" || it_fail "flag without action"
grep -q 'another practice and referrer a clinician' \
    "$OUT/P10001/2025-01/P10001-2025-01.csv" || it_fail "reason not scrubbed"

it_log "anonymity: nobody else's code, name or clinician in a practice's report"
python3 "$DATA" names >"$IT_DIR/names.tsv"
echo "P10002	Beech Medical Centre	G1000021	Dr Locum Beech" >>"$IT_DIR/names.tsv"
checked=0
while IFS=$'\t' read -r code name rest; do
    dir=$OUT/$code/2025-01
    pdftotext -layout "$dir/$code-2025-01.pdf" "$IT_DIR/$code.txt"
    tr -s ' \n' '  ' <"$IT_DIR/$code.txt" >"$IT_DIR/$code.flat"
    [ -s "$IT_DIR/$code.txt" ] || it_fail "$code: no text in the PDF"
    grep -q "$code" "$IT_DIR/$code.txt" || it_fail "$code: PDF lacks its code"
    while IFS=$'\t' read -r ocode oname orest; do
        [ "$ocode" = "$code" ] && continue
        IFS=$'\t' read -r -a words <<<"$ocode	$oname	$orest"
        for w in "${words[@]}"; do
            for f in "$dir/$code-2025-01.html" "$dir/$code-2025-01.csv" \
                "$IT_DIR/$code.txt" "$IT_DIR/$code.flat"; do
                if grep -qF -- "$w" "$f"; then
                    it_fail "$code's report $(basename "$f") names \"$w\""
                fi
            done
        done
    done <"$IT_DIR/names.tsv"
    checked=$((checked + 1))
done < <(grep -v Locum "$IT_DIR/names.tsv")
it_eq "$checked" 11 "practices checked for anonymity"
# the locality summary does name them (it is for the hub's staff)
grep -q "Beech Medical Centre" "$OUT/locality-North/2025-01/locality-North-2025-01.csv" ||
    it_fail "the locality summary does not name its practices"

it_log "a re-run is idempotent"
"$PARS/pars" report run --period 2025-01 >"$IT_DIR/run2.out"
grep -q "13 report(s), 0 delivered, 13 unchanged" "$IT_DIR/run2.out" ||
    it_fail "re-run: $(tail -1 "$IT_DIR/run2.out")"
it_eq "$(it_sql "SELECT count(*) FROM pars.report_runs")" 2 "runs recorded"

it_log "a new referral: the re-run says what changed"
it_sql "INSERT INTO pars.referrals (document_id, position, format, source_id,
    status, practice_ods, referrer_code, nhs_number_valid, sex, referral_date,
    tfc, provider_ods, price_pence, tariff_year, content_sha256, is_current)
    SELECT document_id, 999, 'csv', 'P20001-new', 'active', 'P20001',
    referrer_code, true, 'male', '2025-01-30', '110', 'RWG', 16000, '2024/25',
    sha256('new'::bytea), true FROM pars.referrals
    WHERE practice_ods = 'P20001' LIMIT 1" >/dev/null
"$PARS/pars" report run --period 2025-01 >"$IT_DIR/run3.out"
grep -q "^P20001 .*delivered *referrals 19 -> 20; cost 269000 -> 285000" \
    "$IT_DIR/run3.out" || it_fail "P20001's change not reported: $(cat "$IT_DIR/run3.out")"
grep -q "^P10001 .*unchanged" "$IT_DIR/run3.out" ||
    it_fail "another locality's practice was re-delivered"

it_log "only one hub runs the reports (advisory lock)"
psql -X -q -d "$IT_NAME" -c "SELECT pg_advisory_lock(7283452)" \
    -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
it_wait_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
    AND objid = 7283452" 1 20
"$PARS/pars" report run --period 2025-01 >"$IT_DIR/run4.out"
it_sql "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype =
    'advisory' AND objid = 7283452" >/dev/null
wait "$holder" 2>/dev/null || true
it_wait_sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
    AND objid = 7283452" 0 20
grep -q "another hub is running the reports" "$IT_DIR/run4.out" ||
    it_fail "ran despite the lock: $(cat "$IT_DIR/run4.out")"
it_eq "$(it_sql "SELECT count(*) FROM pars.report_runs")" 3 "runs recorded"

it_log "the schedule: nightly month to date, final month, quarter"
"$PARS/pars" report run --scheduled --today 2025-04-01 >"$IT_DIR/sched.out"
grep -q "monthly 2025-03 (2025-03-01 to 2025-03-31)" "$IT_DIR/sched.out" ||
    it_fail "no final March report"
grep -q "quarterly 2025-Q1 (2025-01-01 to 2025-03-31)" "$IT_DIR/sched.out" ||
    it_fail "no first-quarter summary"
"$PARS/pars" report run --scheduled --today 2025-01-20 >"$IT_DIR/sched2.out"
grep -q "nightly 2025-01 (2025-01-01 to 2025-01-19)" "$IT_DIR/sched2.out" ||
    it_fail "no nightly month to date"
echo "test_report: ok"
