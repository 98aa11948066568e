#!/usr/bin/env bash
# pars refdata load against a real PostgreSQL, on the real ODS extracts and
# code lists of the corpus: each load one transaction recorded in ref.loads
# (who, file, SHA-256, counts); malformed rows rejected with their row
# numbers while the good rows are loaded; the same file again changes
# nothing; a newer file counts its changes and closes a closed practice;
# a directory loads by its MANIFEST or by the names of its files.
. "$(dirname "$0")/lib.sh"
: "${PARS_CORPUS:?}"
it_setup it_refdata
P=$PARS/pars
ODS=$PARS_CORPUS/ods
W=$IT_DIR/files
mkdir -p "$W"

# --- etr: 210 real trusts, with malformed rows among them ---
head -n 3 "$ODS/etr_2025.csv" >"$W/etr_bad.csv"
printf '"RXX","SHORT ROW","Y61","QM7","","","","","","","20000401","","","","","","","","","","","0","","G","",""\n' >>"$W/etr_bad.csv"
printf '"RYY","BAD DATE","Y61","QM7","","","","","","","20241399","","","","","","","","","","","0","","G","","",""\n' >>"$W/etr_bad.csv"
tail -n +4 "$ODS/etr_2025.csv" >>"$W/etr_bad.csv"
out=$("$P" refdata load etr "$W/etr_bad.csv")
echo "$out" | grep -q "212 rows read: 210 added, 0 changed, 0 unchanged, 2 rejected" ||
    it_fail "etr summary: $out"
echo "$out" | grep -q 'rejected row 4: 26 fields, expected 27' || it_fail "row 4: $out"
echo "$out" | grep -q 'rejected row 5: open_date "20241399" is not a date (CCYYMMDD)' ||
    it_fail "row 5: $out"
it_eq "$(it_sql "SELECT count(*) FROM ref.trusts")" 210 "trusts kept"
it_eq "$(it_sql "SELECT name || '|' || close_date FROM ref.trusts WHERE code = 'RAP'")" \
    "NORTH MIDDLESEX UNIVERSITY HOSPITAL NHS TRUST|2024-12-31" "RAP"
it_eq "$(it_sql "SELECT string_agg(row_no || ':' || reason, ';' ORDER BY row_no) FROM ref.load_rejects")" \
    '4:26 fields, expected 27;5:open_date "20241399" is not a date (CCYYMMDD)' "rejects stored"
# Who, which file, its SHA-256.
sha=$(sha256sum "$W/etr_bad.csv" | cut -d' ' -f1)
it_eq "$(it_sql "SELECT kind || '|' || file_name || '|' || encode(file_sha256, 'hex') || '|' || who || '|' || rows_read || '|' || added || '|' || rejected FROM ref.loads")" \
    "etr|$(realpath "$W/etr_bad.csv")|$sha|$(id -un)|212|210|2" "ref.loads row"

# --- the same file again: nothing changes, not even which load a row came from ---
before=$(it_sql "SELECT md5(string_agg(t::text, '' ORDER BY code)) FROM ref.trusts t")
out=$("$P" refdata load etr "$W/etr_bad.csv")
echo "$out" | grep -q "212 rows read: 0 added, 0 changed, 210 unchanged, 2 rejected" ||
    it_fail "reload summary: $out"
it_eq "$(it_sql "SELECT md5(string_agg(t::text, '' ORDER BY code)) FROM ref.trusts t")" "$before" \
    "trusts after a reload"
it_eq "$(it_sql "SELECT count(*) FROM ref.loads")" 2 "loads recorded"

# --- epraccur: a real extract, then a newer one ---
"$P" refdata load epraccur "$ODS/epraccur_2017_08_extract.csv" >/dev/null
it_eq "$(it_sql "SELECT string_agg(code || ':' || status || ':' || open_date, ' ' ORDER BY code) FROM ref.practices")" \
    "B85010:A:1974-04-01 B85054:A:1974-04-01 L84018:A:1974-04-01 L84073:A:1974-04-01" "practices"
# Newer: B85010 closed on 31 March 2018, L84018 renamed, one practice new,
# the rest as they were.
sed -e 's/^"B85010",\(.*\),"19740401","","A",/"B85010",\1,"19740401","20180331","C",/' \
    -e 's/"AVENUE SURGERY"/"THE AVENUE SURGERY"/' "$ODS/epraccur_2017_08_extract.csv" >"$W/epraccur_new.csv"
head -n 1 "$ODS/epraccur_sample_openprescribing.csv" >>"$W/epraccur_new.csv"
grep -q '"20180331","C"' "$W/epraccur_new.csv" || it_fail "test file not made"
out=$("$P" refdata load epraccur "$W/epraccur_new.csv")
echo "$out" | grep -q "5 rows read: 1 added, 2 changed, 2 unchanged, 0 rejected; 1 closed" ||
    it_fail "newer epraccur: $out"
it_eq "$(it_sql "SELECT status || ' ' || close_date FROM ref.practices WHERE code = 'B85010'")" \
    "C 2018-03-31" "closed practice"
it_eq "$(it_sql "SELECT name FROM ref.practices WHERE code = 'L84018'")" "THE AVENUE SURGERY" "renamed"
it_eq "$(it_sql "SELECT count(*) FROM ref.practices")" 5 "practices"
it_eq "$(it_sql "SELECT added || '|' || changed || '|' || unchanged || '|' || closed FROM ref.loads ORDER BY id DESC LIMIT 1")" \
    "1|2|2|1" "counts in ref.loads"
# Unchanged rows keep the load that brought them.
it_eq "$(it_sql "SELECT count(DISTINCT load_id) FROM ref.practices WHERE code IN ('L84073', 'B85054')")" 1 \
    "unchanged rows' load"

# --- a file that is not of the kind: refused, nothing recorded ---
n=$(it_sql "SELECT count(*) FROM ref.loads")
if "$P" refdata load tfc "$ODS/etr_2025.csv" >"$W/out" 2>&1; then it_fail "etr loaded as tfc"; fi
grep -q "cannot load as tfc" "$W/out" || it_fail "wrong kind message: $(cat "$W/out")"
if "$P" refdata load econcur "$ODS/etr_2025.csv" >"$W/out" 2>&1; then it_fail "etr loaded as econcur"; fi
grep -q "no row could be read; row 1: 27 fields, expected 13" "$W/out" || it_fail "$(cat "$W/out")"
if "$P" refdata load op-prices "$PARS_SRC/conf/refdata/op-prices-2024-25.csv" >"$W/out" 2>&1; then
    it_fail "prices without a year"
fi
grep -q "needs the tariff year" "$W/out" || it_fail "$(cat "$W/out")"
it_eq "$(it_sql "SELECT count(*) FROM ref.loads")" "$n" "refused loads recorded"

# --- the other real code lists ---
"$P" refdata load econcur "$ODS/econcur_2019_extract_first150.csv" >/dev/null
it_eq "$(it_sql "SELECT string_agg(trust || ':' || main_specialty, ' ' ORDER BY trust) FROM ref.consultants WHERE code = 'C1353792'")" \
    "RBL:300 RXA:901" "a consultant at two trusts"
"$P" refdata load egpam "$ODS/egpam_2015-12_GP_rows_first75.csv" >/dev/null
it_eq "$(it_sql "SELECT name || '|' || left_date FROM ref.gps WHERE code = 'G0324090' AND practice_code = 'E82018'")" \
    "CRANE WP|1993-03-31" "egpam GP"
"$P" refdata load main-specialties "$PARS_CORPUS/refdata/CodeSystem-UKCore-PracticeSettingCode.xml" >/dev/null
"$P" refdata load ers-clinic-types "$PARS_CORPUS/refdata/eRS-CodeSystem-CLINIC-TYPE-full.json" >/dev/null
it_eq "$(it_sql "SELECT count(*) FROM ref.main_specialties")" 87 "main specialties"
it_eq "$(it_sql "SELECT ers_specialty FROM ref.ers_clinic_types WHERE code = 'HAND_AND_WRIST'")" \
    ORTHOPAEDICS "clinic type parent"
"$P" refdata load --year 2024-25 op-prices "$PARS_SRC/conf/refdata/op-prices-2024-25.csv" >/dev/null
it_eq "$(it_sql "SELECT wf01b || '|' || wf01a || '|' || wf02b || '|' || wf02a FROM ref.op_prices WHERE tariff_year = '2024/25' AND tfc = '110'")" \
    "17600|8800|20200|9700" "T&O prices, pence"
it_eq "$(it_sql "SELECT coalesce(wf01b::text, 'none') || '|' || wf02b FROM ref.op_prices WHERE tfc = '191'")" \
    "none|24000" "multi-professional only"
it_eq "$(it_sql "SELECT options FROM ref.loads ORDER BY id DESC LIMIT 1")" "year=2024/25" "year option"

# --- a directory without a MANIFEST: kinds (and years) from the names ---
D=$IT_DIR/dir
mkdir -p "$D"
cp "$PARS_CORPUS/refdata/tfc_codes_derived.csv" "$PARS_SRC/conf/refdata/op-prices-2025-26.csv" \
    "$PARS_SRC/conf/refdata/synonyms.csv" "$D/"
echo "not reference data" >"$D/README.txt"
out=$("$P" refdata load "$D")
echo "$out" | grep -q "loaded tfc as load" || it_fail "dir tfc: $out"
echo "$out" | grep -q "loaded op-prices as load" || it_fail "dir prices: $out"
echo "$out" | grep -q "README.txt: skipped: its name says no kind" || it_fail "dir skip: $out"
it_eq "$(it_sql "SELECT wf01b FROM ref.op_prices WHERE tariff_year = '2025/26' AND tfc = '110'")" 18100 \
    "year from the file name"
it_eq "$(it_sql "SELECT tfc FROM ref.specialty_synonyms WHERE phrase = 't and o'")" 110 "synonym"

# --- the shipped starter set by its MANIFEST, twice ---
"$P" refdata load "$PARS_SRC/conf/refdata" >"$W/first" || it_fail "conf/refdata: $(cat "$W/first")"
grep -q " rejected row" "$W/first" && it_fail "conf/refdata has rejected rows: $(grep rejected "$W/first")"
it_eq "$(it_sql "SELECT count(*) FROM ref.gps WHERE practice_code LIKE 'P8100_'")" 48 "demo GPs"
it_eq "$(it_sql "SELECT count(*) FROM ref.op_prices")" 165 "prices for three years"
"$P" refdata load "$PARS_SRC/conf/refdata" >"$W/second"
if grep -E "rows read: [0-9]+ added, [0-9]+ changed" "$W/second" | grep -vq ": 0 added, 0 changed"; then
    it_fail "a reload of conf/refdata changed something: $(cat "$W/second")"
fi
status=$("$P" refdata status)
echo "$status" | grep -q "^op-prices  *year=2024/25" || it_fail "status: $status"
echo "$status" | grep -q "ref.alternative_services  *19$" || it_fail "status counts: $status"
echo "ok"
