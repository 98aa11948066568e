#!/usr/bin/env bash
# The coding step inside processing, against a real PostgreSQL and parsd:
# referrals dropped as HL7 files are stored with their TFC (and which
# evidence gave it), HRG, price and tariff year in the same transaction;
# the tariff year turns on 1 April; a referral that cannot be coded is
# stored with its warnings; reference data loaded while parsd runs is used
# from the next batch; pars recode codes stored referrals again; pars
# coding report counts it all; coding.enabled: false stores them uncoded.
# Prices are the shipped illustrative ones (conf/refdata): T&O WF01B
# £176 in 2024/25 and round(176 x 1.027) = £181 in 2025/26, cystoscopy
# (LB72A) £230 in 2024/25, dermatology £134 in 2024/25.
. "$(dirname "$0")/lib.sh"
it_setup it_coding
P=$PARS/pars
M=$IT_DIR/msgs
mkdir -p "$M"
"$P" refdata load "$PARS_SRC/conf/refdata" >/dev/null

# msg NAME PRACTICE DATE RF1-3 [PR1-3]: an HL7 v2 REF^I12 from Dr Clarke
# (G8000002 of P81000) to RWG.
msg() {
    local name=$1 prac=$2 date=$3 spec=$4 proc=${5:-}
    {
        printf 'MSH|^~\\&|GPSYS|%s|PARS|PARS|%s093000||REF^I12^REF_I12|M%s|P|2.4|||AL|NE|GBR\r' "$prac" "$date" "$name"
        printf 'RF1|A|R^Routine|%s||O|%s|%s\r' "$spec" "$name" "$date"
        printf 'PRD|RP|Clarke^Chloe^^^DR|||||G8000002^GMP~%s^ODS\r' "$prac"
        printf 'PRD|RT|Khan^Grace^^^MR|||||C3299158^GMC~RWG^ODS\r'
        printf 'PID|1||9434765919^^^NHS^NH||Patel^Laura||19440420|M\r'
        printf 'PD1|||SURGERY^^%s|G8000002^Clarke^Chloe^^^DR^^NATGP\r' "$prac"
        printf 'DG1|1||M17.1^Osteoarthritis of knee^I10\r'
        [ -n "$proc" ] && printf 'PR1|1||%s^Procedure^OPCS4\r' "$proc"
    } >"$M/$name.hl7"
    it_drop "$prac" "$M/$name.hl7"
}
row() {
    it_sql "SELECT format('%s|%s|%s|%s|%s|%s|%s|%s|%s', coding_status, tfc, tfc_evidence, hrg, price_pence, tariff_year, referrer_known, practice_known, provider_known) FROM pars.referrals WHERE source_id = '$1'"
}
warnings() {
    it_sql "SELECT array_to_string(coding_warnings, ';') FROM pars.referrals WHERE source_id = '$1'"
}

it_start_parsd
msg A31 P81000 20250331 '110^Trauma and Orthopaedics^TFC'
msg A01 P81000 20250401 '110^Trauma and Orthopaedics^TFC'
msg TXT P81000 20250310 '^Ortho'
msg ERS P81000 20250310 'ORTHOPAEDICS^Orthopaedics^ERS'
msg CYS P81000 20250310 '101^Urology^TFC' 'M45.9'
msg UNK P89999 20250310 '110^Trauma and Orthopaedics^TFC'
msg ZEB P81000 20250310 '^Zebra clinic'
it_wait_sql "SELECT count(*) FROM pars.referrals" 7

# The tariff year: 31 March 2025 is 2024/25, 1 April 2025 is 2025/26.
it_eq "$(row A31)" "coded|110|explicit|WF01B|17600|2024/25|t|t|t" "31 March"
it_eq "$(row A01)" "coded|110|explicit|WF01B|18100|2025/26|t|t|t" "1 April"
# The consultant code of the generator's referrals is not in econcur.
it_eq "$(warnings A31)" "unknown consultant: C3299158 is not in ref.consultants" "warnings"
it_eq "$(row TXT)" "coded|110|synonym|WF01B|17600|2024/25|t|t|t" "free text"
it_eq "$(row ERS)" "coded|110|ers_specialty|WF01B|17600|2024/25|t|t|t" "e-RS specialty"
it_eq "$(row CYS)" "coded|101|explicit|LB72A|23000|2024/25|t|t|t" "procedure HRG"
it_eq "$(row UNK)" "partial|110|explicit|WF01B|17600|2024/25|f|f|t" "unknown practice"
it_eq "$(warnings UNK)" "unknown practice: P89999 is not in ref.practices;unknown referrer: G8000002 is a GP of P81000, not of P89999;unknown consultant: C3299158 is not in ref.consultants" \
    "unknown practice warnings"
it_eq "$(row ZEB)" "uncoded|||||2024/25|t|t|t" "unrecognised text"
it_eq "$(warnings ZEB)" "unknown consultant: C3299158 is not in ref.consultants;specialty not recognised: the text matches no synonym or TFC title" \
    "uncoded warnings"

# New reference data while parsd runs: used from the next batch.
printf 'phrase,tfc\nZebra clinic,330\n' >"$IT_DIR/synonyms-local.csv"
"$P" refdata load synonyms "$IT_DIR/synonyms-local.csv" >/dev/null
msg ZE2 P81000 20250311 '^Zebra clinic'
it_wait_sql "SELECT count(*) FROM pars.referrals" 8
it_eq "$(row ZE2)" "coded|330|synonym|WF01B|13400|2024/25|t|t|t" "after a load"
it_eq "$(row ZEB)" "uncoded|||||2024/25|t|t|t" "stored referral before recode"

report=$("$P" coding report --period 2025-03)
echo "$report" | grep -q "referrals dated 2025-03-01 to 2025-03-31 (current versions): 7" ||
    it_fail "report period: $report"
echo "$report" | grep -qE "coded to a TFC and priced +6 +85\.7%" || it_fail "report share: $report"
echo "$report" | grep -qE "with a known referrer +6 +85\.7%" || it_fail "report referrer: $report"
echo "$report" | grep -qE "^ +7  unknown consultant$" || it_fail "report reasons: $report"
echo "$report" | grep -qE "^ +1  specialty not recognised$" || it_fail "report reasons: $report"

# pars recode: only the referral whose coding changes is written.
out=$("$P" recode --since 2025-03-01)
echo "$out" | grep -q "^8 referral(s) recoded: 1 changed$" || it_fail "recode: $out"
it_eq "$(row ZEB)" "coded|330|synonym|WF01B|13400|2024/25|t|t|t" "recoded"
out=$("$P" recode --since 2025-03-11)
echo "$out" | grep -q "^3 referral(s) recoded: 0 changed$" || it_fail "recode since: $out"
"$P" coding report --from 2025-03-01 --to 2025-04-30 | grep -qE "coded to a TFC and priced +8 +100\.0%" ||
    it_fail "report after recode: $("$P" coding report --from 2025-03-01 --to 2025-04-30)"

# Coding off: stored, not coded; pars recode codes it later.
it_stop_parsd
printf 'coding:\n  enabled: false\n' >>"$PARS_CONFIG"
it_start_parsd
msg OFF P81000 20250312 '330^Dermatology^TFC'
it_wait_sql "SELECT count(*) FROM pars.referrals" 9
it_eq "$(it_sql "SELECT coalesce(coding_status, 'null') || '|' || coalesce(tfc, 'null') || '|' || cardinality(coding_warnings) FROM pars.referrals WHERE source_id = 'OFF'")" \
    "null|null|0" "coding off"
"$P" coding report | grep -q "7 coded, 1 partial, 0 uncoded, 1 not coded" ||
    it_fail "report with coding off: $("$P" coding report)"
"$P" recode >/dev/null
it_eq "$(row OFF)" "coded|330|explicit|WF01B|13400|2024/25|t|t|t" "recoded after coding off"
echo "ok"
