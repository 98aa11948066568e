#!/usr/bin/env bash
# The analytics schema and its roles: every view and column documented;
# each of the ten queries of docs/analytics.md run as a login in
# pars_analyst against the fixed data set and its result checked; an
# analyst refused every table in pars, ref and the clinical text; an
# assessor allowed the clinical text and findings.
. "$(dirname "$0")/lib.sh"
it_setup analytics
HERE=$PARS_SRC/tests/integration
python3 "$HERE/report_data.py" sql >"$IT_DIR/data.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$IT_NAME" -f "$IT_DIR/data.sql"
# one patient referred twice (Q8)
it_sql "UPDATE pars.referrals SET patient_pseudonym = repeat('ab', 32)
    WHERE source_id IN ('P10001-0000', 'P10001-0003')" >/dev/null

it_log "every view and every column has a comment"
it_eq "$(it_sql "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON
    n.oid = c.relnamespace WHERE n.nspname = 'analytics' AND c.relkind = 'v'")" 7 "views"
missing=$(it_sql "SELECT c.relname || '.' || coalesce(a.attname, '') FROM
    pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
    WHERE n.nspname = 'analytics' AND c.relkind = 'v' AND
    (obj_description(c.oid, 'pg_class') IS NULL OR
     (a.attnum IS NOT NULL AND col_description(c.oid, a.attnum) IS NULL))")
[ -z "$missing" ] || it_fail "undocumented: $missing"
free=$(it_sql "SELECT table_name || '.' || column_name FROM
    information_schema.columns WHERE table_schema = 'analytics' AND
    column_name ~ '(reason_text|medication|results|referrer_name|nhs_number$|message)'")
[ -z "$free" ] || it_fail "free text or identifiers in analytics: $free"

it_log "login roles in the groups"
psql -X -q -d "$IT_NAME" -c "DROP ROLE IF EXISTS it_alice" -c "DROP ROLE IF EXISTS it_bob" \
    -c "CREATE ROLE it_alice LOGIN IN ROLE pars_analyst" \
    -c "CREATE ROLE it_bob LOGIN IN ROLE pars_assessor" >/dev/null
as() { psql -X -At -v ON_ERROR_STOP=1 -U "$1" -d "$IT_NAME" -c "$2"; }
# refused ROLE SQL MESSAGE: the statement fails with MESSAGE.
refused() { local out; out=$(as "$1" "$2" 2>&1) && return 1; grep -q "$3" <<<"$out"; }

it_log "an analyst reads analytics and nothing else"
it_eq "$(as it_alice "SELECT count(*) FROM analytics.referrals")" 532 "analyst reads referrals (all months)"
for t in pars.referrals pars.documents pars.findings pars.practices \
    pars.document_blobs pars.report_deliveries ref.list_sizes ref.gps; do
    if out=$(as it_alice "SELECT 1 FROM $t LIMIT 1" 2>&1); then
        it_fail "the analyst read $t"
    fi
    case $out in *"permission denied"*) ;; *) it_fail "$t: $out" ;; esac
done
refused it_alice "SELECT reason_text FROM pars.referrals LIMIT 1" \
    "permission denied" || it_fail "the analyst read the clinical text"
refused it_alice "SELECT reason_text FROM analytics.referrals LIMIT 1" \
    'column "reason_text" does not exist' || it_fail "clinical text in analytics"

it_log "an assessor also reads the clinical text and findings"
it_eq "$(as it_bob "SELECT reason_text FROM pars.referrals WHERE
    source_id = 'P10001-0000'")" "clinical text P10001-0000" "assessor reads text"
it_eq "$(as it_bob "SELECT count(*) FROM pars.findings")" 8 "assessor reads findings"
refused it_bob "SELECT 1 FROM pars.document_blobs" "permission denied" ||
    it_fail "the assessor read the raw documents"

it_log "the ten queries of docs/analytics.md"
python3 - "$PARS_SRC/docs/analytics.md" "$IT_DIR" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```sql\n(.*?)```", text, re.S)
n = 0
for b in blocks:
    m = re.match(r"-- (Q\d+)\n", b)
    if m:
        open("%s/%s.sql" % (sys.argv[2], m.group(1)), "w").write(b)
        n += 1
print(n)
PY
[ "$(ls "$IT_DIR"/Q*.sql | wc -l)" = 10 ] || it_fail "docs/analytics.md has not ten queries"
q() { psql -X -At -v ON_ERROR_STOP=1 -U it_alice -d "$IT_NAME" -f "$IT_DIR/$1.sql"; }
has() { grep -qxF "$2" <<<"$1" || it_fail "$3: no line [$2] in:"$'\n'"$1"; }
r=$(q Q1)
has "$r" "P10001|North|30|5000|6.0" Q1
has "$r" "P10002|North|43|6000|7.2" Q1
it_eq "$(wc -l <<<"$r")" 11 "Q1 rows"
has "$(q Q2)" "North|110|Trauma and Orthopaedics|198|4.45" Q2
it_eq "$(q Q3 | head -1)" "110|Trauma and Orthopaedics|255|60.4" Q3
r=$(q Q4)
it_eq "$(wc -l <<<"$r")" 12 "Q4 months"
has "$r" "2024-11-01|3" Q4
has "$r" "2024-12-01|7" Q4
has "$r" "2025-01-01|30" Q4
has "$r" "2024-06-01|0" Q4
r=$(q Q5)
has "$r" "P10001|2|18000|180" Q5
has "$r" "P10006|2|4500|45" Q5
r=$(q Q6)
it_eq "$(head -1 <<<"$r")" "missing information|No medication listed|3|2" Q6
has "$r" "guideline criteria|Two-week wait criteria not met|1|1" Q6
# Q7: the RWG 110 referrals of 2024/25, counted from the data set itself
rwg=$(cd "$HERE" && python3 -c '
import report_data as d
print(sum(1 for r in d.referrals() if r[3] == "110" and r[4] == "RWG"
          and r[1] not in ("P10002-0000", "P10002-0001")))')
has "$(q Q7)" "RWG|110|2024/25|1200|$rwg|19200000|$((rwg * 16000))|$((rwg * 16000 - 19200000))" Q7
it_eq "$(q Q8)" "$(printf 'ab%.0s' $(seq 32))|2|1|2025-01-01|2025-01-04" Q8
r=$(q Q9)
has "$r" "P10001|1|2025-01-15" Q9
has "$r" "P10003|1|2025-01-16" Q9
it_eq "$(q Q10)" "P10006|North|10.3|8.5
P10004|North|8.9|8.5
P20003|South|6.8|5.6" Q10
psql -X -q -d "$IT_NAME" -c "DROP OWNED BY it_alice, it_bob" \
    -c "DROP ROLE it_alice" -c "DROP ROLE it_bob" >/dev/null
echo "test_analytics: ok"
