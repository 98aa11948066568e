#!/usr/bin/env bash
# A day's synthetic referrals (pars-gen) through the daemon produce the
# findings the rules predict.  The test works out what must fire on its
# own, with awk over the HL7 files pars-gen wrote, and checks the counts,
# the savings priced from the tariff and alternative services loaded, and
# that the starter library, run again over the day with pars reassess,
# finds what it must while the day's first findings are kept as history.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rules_lib.sh"

N=800
it_setup rules_day
rules_config "$PARS_SRC/tests/data/rules/day"
rules_price 2024/25 330 12000
rules_price 2024/25 110 16000
rules_alternative DERM-T 4000 330
rules_alternative DEAR 99999 110
rules_load

G=$IT_DIR/gen
"$GEN" --practices 8 --referrals $N --days 1 --from 2025-01-15 --out "$G"

# One line per referral: tfc, priority, date, dob, sex, icd10, has a
# medication note, reason.
awk 'BEGIN { RS = "\r"; FS = "|"; OFS = "\t" }
     function emit() { print tfc, prio, date, dob, sex, icd, meds, reason
                       tfc = prio = date = dob = sex = icd = reason = ""
                       meds = 0 }
     FNR == 1 && NR > 1 { emit() }
     $1 == "RF1" { split($3, p, "^"); split($4, t, "^"); prio = p[1]
                   tfc = t[1]; date = $8; reason = $15 }
     $1 == "PID" { dob = $8; sex = $9 }
     $1 == "DG1" { split($4, d, "^"); icd = d[1] }
     $1 == "NTE" && $4 ~ /^Medication:/ { meds = 1 }
     END { emit() }' "$G"/*/*.hl7 >"$IT_DIR/manifest.tsv"
it_eq "$(wc -l <"$IT_DIR/manifest.tsv")" $N "referrals generated"
count() { awk -F'\t' "$1 { n++ } END { print n + 0 }" "$IT_DIR/manifest.tsv"; }
E_PSO=$(count '$1 == "330" && $6 ~ /^L40/')
E_BACK=$(count '$1 == "110" && $6 == "M54.5"')
E_NOMEDS=$(count '$7 == 0')
E_REDFLAGS=$(count '$8 ~ /red flags/')
E_2WW60=$(count '$2 == "2WW" && $3 - $4 >= 600000')
E_FIT=$(count '$8 ~ /FIT [0-9]/')
E_KRANGE=$(count '$6 ~ /^K/ && substr($6, 1, 3) >= "K40" && substr($6, 1, 3) <= "K58"')
E_BREAST=$(count '$1 == "103" && $5 == "F" && $8 !~ /Breast lump/ && $6 != "N63"')
for v in E_PSO E_BACK E_NOMEDS E_REDFLAGS E_2WW60 E_FIT E_KRANGE E_BREAST; do
    [ "${!v}" -gt 0 ] || it_fail "$v: the day holds no case to test"
done

it_log "$N referrals through parsd"
it_start_parsd
for f in "$G"/*/*.hl7; do
    it_drop "$(basename "$(dirname "$f")")" "$f"
done
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" $N 600
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals")" $N "referrals stored"
it_stop_parsd

n() { it_sql "SELECT count(*) FROM pars.findings WHERE rule_id = '$1'
              AND is_current"; }
it_eq "$(n d-psoriasis-community)" "$E_PSO" "psoriasis PUNs"
it_eq "$(n d-back-pain-dearer)" "$E_BACK" "back pain PUNs"
it_eq "$(n d-no-medication)" "$E_NOMEDS" "no medication DENs"
it_eq "$(n d-red-flags)" 0 "negated red flags do not count"
it_eq "$(n d-red-flags-even-negated)" "$E_REDFLAGS" "red flags, negation off"
it_eq "$(n d-2ww-60-plus)" "$E_2WW60" "two-week waits at 60 or over"
it_eq "$(n d-fit-below-10)" "$E_FIT" "FIT below 10"
it_eq "$(n d-icd10-k40-k58)" "$E_KRANGE" "codes K40-K58"
it_eq "$(n d-breast-without-lump)" "$E_BREAST" "breast without a lump"

it_log "savings: first attendance at the 2024/25 tariff less the alternative"
it_eq "$(it_sql "SELECT sum(saving_pence) || '/' || count(saving_pence)
    FROM pars.findings WHERE rule_id = 'd-psoriasis-community'")" \
    "$((E_PSO * (12000 - 4000)))/$E_PSO" "psoriasis savings"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings
    WHERE rule_id = 'd-back-pain-dearer' AND saving_pence = 0")" "$E_BACK" \
    "a dearer alternative saves 0"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings
    WHERE kind = 'DEN' AND saving_pence IS NOT NULL")" 0 "DENs save nothing"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings f
    JOIN pars.referrals r ON r.id = f.referral_id
    JOIN pars.documents d ON d.id = r.document_id
    WHERE d.state <> 'stored' OR f.rule_version <> 1
       OR f.source <> 'rule'")" 0 "findings of stored documents, version 1"

it_log "the starter library over the same day, by pars reassess"
E_LIB_FIT=$(count '$2 == "2WW" && $1 == "301" && $8 ~ /FIT [0-9]/')
E_LIB_SKIN=$(count '$2 == "R" && $8 ~ /changing/')
before=$(it_sql "SELECT count(*) FROM pars.findings")
"$PARS/pars" reassess --since 2025-01-15 --until 2025-01-16 \
    --rules "$PARS_SRC/conf/rules" >"$IT_DIR/reassess.out" 2>&1
grep -q "^reassessed $N referral(s) dated from 2025-01-15 to before 2025-01-16 with " \
    "$IT_DIR/reassess.out" || it_fail "reassess: $(cat "$IT_DIR/reassess.out")"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings WHERE rule_id LIKE 'd-%'
    AND NOT is_current")" "$before" "the day's findings kept as history"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings WHERE rule_id LIKE 'd-%'
    AND is_current")" 0 "no day rule is current after the library ran"
it_eq "$(n letter-no-medication)" "$E_NOMEDS" "library: no medication"
it_eq "$(n letter-nhs-number)" 0 "library: NHS numbers all valid"
it_eq "$(n ng12-colorectal-2ww-fit-below-10)" "$E_LIB_FIT" \
    "library: 2WW with FIT below 10"
it_eq "$(n ng12-skin-changing-lesion-not-2ww)" "$E_LIB_SKIN" \
    "library: changing pigmented lesion referred routinely"
it_eq "$(it_sql "SELECT count(DISTINCT rule_id) > 20 FROM pars.findings
    WHERE is_current")" t "many library rules fire on a day"
echo "rules_day: ok ($N referrals; $E_PSO PUNs priced at 8000p each)"
