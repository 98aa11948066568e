#!/usr/bin/env bash
# A file dropped in a practice directory ends up as a stored referral; the
# same bytes twice are stored once; a malformed file is quarantined with
# its reason and the daemon keeps going; pars quarantine retry after a fix
# stores it; no NHS number, date of birth or patient name appears anywhere
# in the database or the logs.
. "$(dirname "$0")/lib.sh"
it_setup it_intake
gen=$IT_DIR/gen
"$GEN" --practices 2 --referrals 20 --out "$gen" --from 2025-02-01 --days 20 --seed 11

it_start_parsd
for f in "$gen"/P81000/*.hl7; do it_drop P81000 "$f"; done
for f in "$gen"/P81001/*.hl7; do it_drop P81001 "$f"; done
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" 20
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals WHERE is_current")" 20 "current referrals"
it_eq "$(find "$IT_DIR/spool" -type f | wc -l)" 0 "files left in the drop directories"

# Field by field for one referral against what its file says.
f=$(ls "$gen"/P81000/*.hl7 | head -n 1)
sid=$(basename "$f" .hl7)
tfc=$(tr '\r' '\n' <"$f" | awk -F'|' '$1=="RF1"{split($4,a,"^"); print a[1]}')
date=$(tr '\r' '\n' <"$f" | awk -F'|' '$1=="RF1"{print substr($8,1,4)"-"substr($8,5,2)"-"substr($8,7,2)}')
gp=$(tr '\r' '\n' <"$f" | awk -F'|' '$1=="PRD" && $2=="RP"{split($8,a,"^"); print a[1]}')
prov=$(tr '\r' '\n' <"$f" | awk -F'|' '$1=="PRD" && $2=="RT"{split($8,r,"~"); split(r[2],a,"^"); print a[1]}')
it_eq "$(it_sql "SELECT r.practice_ods||'|'||tfc_sent||'|'||referral_date||'|'||referrer_code||'|'||provider_ods||'|'||source||'|'||r.format FROM pars.referrals r JOIN pars.documents d ON d.id = r.document_id WHERE source_id = '$sid'")" \
    "P81000|$tfc|$date|$gp|$prov|spool|hl7v2" "stored fields of $sid"

# The pseudonym is HMAC-SHA256("nhs:" + NHS number) under the key file.
nhs=$(tr '\r' '\n' <"$f" | awk -F'|' '$1=="PID"{split($4,a,"^"); print a[1]}')
key=$(cat "$IT_DIR/state/keys/pseudonym.key")
want=$(printf 'nhs:%s' "$nhs" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" | awk '{print $2}')
it_eq "$(it_sql "SELECT patient_pseudonym FROM pars.referrals WHERE source_id = '$sid'")" "$want" "pseudonym"

# The same bytes again (under another name): recorded once.
it_drop P81000 "$f" "again-$(basename "$f")"
it_wait_sql "SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pars.documents WHERE state = 'received')" 1
sleep 1.5
it_eq "$(find "$IT_DIR/spool" -type f | wc -l)" 0 "duplicate file acknowledged"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents")" 20 "documents after a duplicate"
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals")" 20 "referrals after a duplicate"

# A malformed file: quarantined with its reason, the daemon keeps going.
printf 'MSH|^~\\&|X|P81001|PARS|PARS|20250201||REF^I12|BAD1|P|2.4\rPID|1||9434765919^^^NHS^NH\r' >"$IT_DIR/bad.hl7"
it_drop P81001 "$IT_DIR/bad.hl7"
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'quarantined'" 1
reason=$(it_sql "SELECT reason FROM pars.documents WHERE state = 'quarantined'")
case $reason in
*"has no RF1 segment"*) ;;
*) it_fail "quarantine reason: $reason" ;;
esac
kill -0 "$IT_LAST_PID" || it_fail "parsd died on bad input"
"$GEN" --practices 3 --referrals 3 --out "$IT_DIR/gen2" --from 2025-02-01 --seed 12
it_drop P81002 "$IT_DIR/gen2/P81002/P81002-000002.hl7"
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" 21

# A practice's directory may only carry its own referrals.
it_drop P81001 "$IT_DIR/gen2/P81000/P81000-000000.hl7" "stray.hl7"
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'quarantined' AND reason LIKE '%names practice P81000 but the document came from practice P81001%'" 1

# Over a limit, then retried after the operator raises it.
cat "$gen/P81001/P81001-000011.hl7" "$IT_DIR/gen2/P81001/P81001-000001.hl7" >"$IT_DIR/two.hl7"
sed -i 's/P81001/P81000/g' "$IT_DIR/two.hl7"
it_stop_parsd
printf 'limits:\n  max_referrals: 1\n' >>"$PARS_CONFIG"
it_start_parsd
it_drop P81000 "$IT_DIR/two.hl7"
it_wait_sql "SELECT count(*) FROM pars.documents WHERE reason LIKE '%limits.max_referrals%'" 1
id=$(it_sql "SELECT id FROM pars.documents WHERE reason LIKE '%limits.max_referrals%'")
"$PARS/pars" quarantine list | grep -q "limits.max_referrals" || it_fail "quarantine list"
"$PARS/pars" quarantine show "$id" | grep -q "file      P81000/two.hl7" || it_fail "quarantine show names the file"
it_stop_parsd
sed -i 's/max_referrals: 1/max_referrals: 10/' "$PARS_CONFIG"
"$PARS/pars" quarantine retry "$id" | grep -q "document $id: stored (2 referral(s))" || it_fail "retry"
it_eq "$(it_sql "SELECT state || ' ' || n_referrals FROM pars.documents WHERE id = $id")" "stored 2" "retried document"

# No NHS number, date of birth or patient name anywhere: not in the
# database (every table, dumped as text) nor in the logs.
pg_dump -d "$IT_NAME" >"$IT_DIR/dump.sql"
for f in "$gen"/*/*.hl7 "$IT_DIR"/gen2/*/*.hl7; do
    tr '\r' '\n' <"$f" | awk -F'|' '$1=="PID"{split($4,a,"^"); split($6,n,"^"); print a[1]; print $8; print n[1]"^"n[2]}'
done | sort -u >"$IT_DIR/identifiers"
[ "$(wc -l <"$IT_DIR/identifiers")" -gt 40 ] || it_fail "too few identifiers collected"
if grep -F -f "$IT_DIR/identifiers" "$IT_DIR/dump.sql" "$IT_DIR"/parsd-*.log; then
    it_fail "a patient identifier is readable in the database or the logs"
fi
grep -q "9434765919" "$IT_DIR/dump.sql" && it_fail "NHS number of the bad file in the database"
echo "ok"
