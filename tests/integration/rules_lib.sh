#!/usr/bin/env bash
# rules_lib.sh - helpers for the assessment tests (sourced after lib.sh).

# Prices go in the way an operator loads them: the test declares them
# with rules_price and rules_alternative, then rules_load writes them in
# the published layouts and runs `pars refdata load` (with the TFC list).

# rules_price YEAR TFC PENCE: a first attendance (WF01B) price.
rules_price() {
    local f=$IT_DIR/op-prices-${1/\//-}.csv
    [ -f "$f" ] || echo "TFC code,TFC name,WF01B First Attendance,WF01A Follow-up" >"$f"
    printf '%s,Specialty %s,%d.%02d,%d.%02d\n' "$2" "$2" $(($3 / 100)) \
        $(($3 % 100)) $(($3 / 200)) $(($3 / 2 % 100)) >>"$f"
}

# rules_alternative CODE PENCE [TFC]: an alternative service's price.
rules_alternative() {
    local f=$IT_DIR/alternative-services.csv
    [ -f "$f" ] || echo "code,name,tfc,replaces,price" >"$f"
    printf '%s,service %s,%s,first_attendance,%d.%02d\n' "$1" "$1" \
        "${3:-}" $(($2 / 100)) $(($2 % 100)) >>"$f"
}

# Loads what rules_price and rules_alternative declared.
rules_load() {
    local f y
    "$PARS/pars" refdata load tfc "$PARS_SRC/conf/refdata/tfc_codes_derived.csv" >/dev/null
    for f in "$IT_DIR"/op-prices-*.csv; do
        [ -f "$f" ] || continue
        y=${f##*/op-prices-}
        y=${y%.csv}
        "$PARS/pars" refdata load --year "${y/-//}" op-prices "$f" >/dev/null
    done
    if [ -f "$IT_DIR/alternative-services.csv" ]; then
        "$PARS/pars" refdata load alternative-services "$IT_DIR/alternative-services.csv" >/dev/null
    fi
}

# Points the test's configuration at a rules directory.
rules_config() {
    printf 'rules:\n  dir: %s\n' "$1" >>"$IT_DIR/parsd.yaml"
}

# rules_hl7 FILE ID PRIORITY TFC DOB SEX ICD10 REASON [MEDICATION]
#   [RESULT] [DATE] [NHS]: one HL7 v2 REF^I12 referral.  PRIORITY is R, U
#   or 2WW; DOB and DATE are YYYYMMDD; MEDICATION and RESULT are left out
#   when empty.
rules_hl7() {
    local f=$1 id=$2 prio=$3 tfc=$4 dob=$5 sex=$6 icd=$7 reason=$8
    local meds=${9:-} result=${10:-} date=${11:-20250115}
    local nhs=${12:-9434765919} p
    case $prio in
    R) p='R^Routine' ;;
    U) p='U^Urgent' ;;
    *) p='2WW^Two week wait' ;;
    esac
    {
        printf 'MSH|^~\\&|GPSYS|P81000|PARS|PARS|%s093000||REF^I12^REF_I12|M%s|P|2.4|||AL|NE|GBR\r' "$date" "$id"
        printf 'RF1|A|%s|%s^Specialty^TFC||O|%s|%s|||||||%s\r' "$p" "$tfc" "$id" "$date" "$reason"
        printf 'PRD|RP|Clarke^Chloe^^^DR|||||G8000002^GMP~P81000^ODS\r'
        printf 'PRD|RT|Khan^Grace^^^MR|||||C3299158^GMC~R1H^ODS\r'
        printf 'PID|1||%s^^^NHS^NH||Test^Patient||%s|%s\r' "$nhs" "$dob" "$sex"
        printf 'PD1|||SURGERY P81000^^P81000|G8000002^Clarke^Chloe^^^DR^^NATGP\r'
        [ -n "$icd" ] && printf 'DG1|1||%s^Diagnosis^I10\r' "$icd"
        [ -n "$meds" ] && printf 'NTE|||Medication: %s\r' "$meds"
        [ -n "$result" ] && printf 'OBX|1|ST|%s\r' "$result"
        true
    } >"$f"
}

# The findings of the referral with source id ID: "rule_id" lines, sorted.
rules_found() {
    it_sql "SELECT f.rule_id FROM pars.findings f
              JOIN pars.referrals r ON r.id = f.referral_id
             WHERE r.source_id = '$1' AND f.is_current AND f.source = 'rule'
             ORDER BY f.rule_id" | paste -sd' ' -
}
