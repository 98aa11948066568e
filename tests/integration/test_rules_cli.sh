#!/usr/bin/env bash
# The assessment commands against a real PostgreSQL: pars assess (storing
# nothing, priced from the reference tables), findings stored by pars
# process, pars rules explain, assessors' findings (add and CSV import,
# never replaced), pars reassess keeping history, and pars rules
# test/list reporting failures and reviews past due.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rules_lib.sh"

it_setup rules_cli
rules_config "$PARS_SRC/conf/rules"
# The referrals are dated 2025-01-15: tariff year 2024/25.
rules_price 2023/24 110 15000
rules_price 2024/25 110 16000
rules_price 2025/26 110 17000
rules_price 2024/25 330 12000
rules_price 2024/25 340 20000
rules_alternative MSK01 5000 110
rules_alternative DERM01 14000 330
rules_alternative CXR01 3000 340
rules_load

D=$IT_DIR/docs
mkdir -p "$D"
# A: knee OA to T&O, no medication, no question: community MSK (a PUN
#    saving 16000 - 5000), no medication and no question (DENs).
rules_hl7 "$D/a.hl7" REF-A R 110 19600101 F M17.1 \
    "Knee pain, worse on stairs"
# B: psoriasis to dermatology: community dermatology, dearer than the
#    first attendance (12000 < 14000): saving 0.
rules_hl7 "$D/b.hl7" REF-B R 330 19800101 M L40.0 \
    "Extensive psoriasis not controlled on topical treatment, please advise" \
    "emollients"
# C: two-week-wait lung referral stating no NG12 criterion (a normal
#    X-ray, no haemoptysis), and an NHS number failing its check digit.
rules_hl7 "$D/c.hl7" REF-C 2WW 340 19500101 M R05 \
    "Persistent cough for 3 months, no haemoptysis. Please see." "none" \
    "CXR^Chest X-ray||normal|" 20250115 9434765918

it_log "pars assess: findings as JSON, priced, storing nothing"
"$PARS/pars" assess "$D/a.hl7" "$D/b.hl7" "$D/c.hl7" >"$IT_DIR/assess.json"
j() { jq -r "$1" "$IT_DIR/assess.json"; }
it_eq "$(j '.[0].findings | map(.rule_id) | sort | join(" ")')" \
    "alt-msk-knee-osteoarthritis letter-no-medication letter-no-question" \
    "findings of A"
it_eq "$(j '.[0].first_price_pence')" 16000 "A's first attendance (2024/25)"
it_eq "$(j '.[0].findings[] | select(.kind == "PUN") | .saving_pence')" \
    11000 "A's saving"
it_eq "$(j '.[0].findings[] | select(.kind == "PUN") | .alternative')" \
    MSK01 "A's alternative"
it_eq "$(j '[.[0].findings[] | select(.kind == "DEN") | .saving_pence] | map(tostring) | join(" ")')" \
    "null null" "a DEN saves nothing"
it_eq "$(j '.[1].findings | map(.rule_id) | join(" ")')" \
    "alt-derm-community" "findings of B"
it_eq "$(j '.[1].findings[0].saving_pence')" 0 "B's saving, floored at 0"
it_eq "$(j '.[2].findings | map(.rule_id) | sort | join(" ")')" \
    "letter-nhs-number ng12-lung-2ww-criteria-not-stated" "findings of C"
it_eq "$(j '.[2].referral.source_id')" REF-C "the referral is printed"
grep -q 9434765918 "$IT_DIR/assess.json" && it_fail "NHS number printed"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents")" 0 "nothing stored"

it_log "pars assess without a database: no savings"
env -u PARS_CONFIG "$PARS/pars" assess --rules "$PARS_SRC/conf/rules" \
    "$D/a.hl7" >"$IT_DIR/assess-nodb.json" 2>"$IT_DIR/assess-nodb.err"
it_eq "$(jq -r '.[0].findings | map(.saving_pence | tostring) | join(" ")' \
    "$IT_DIR/assess-nodb.json")" "null null null" "no prices without a db"
grep -q "note: no database" "$IT_DIR/assess-nodb.err" ||
    it_fail "no note about the missing database"

it_log "pars process: findings stored with their referrals"
"$PARS/pars" ingest --practice P81000 "$D/a.hl7" "$D/b.hl7" "$D/c.hl7" \
    >/dev/null
"$PARS/pars" process >/dev/null
it_eq "$(rules_found REF-A)" \
    "alt-msk-knee-osteoarthritis letter-no-medication letter-no-question" \
    "stored findings of A"
it_eq "$(rules_found REF-B)" "alt-derm-community" "stored findings of B"
it_eq "$(rules_found REF-C)" \
    "letter-nhs-number ng12-lung-2ww-criteria-not-stated" \
    "stored findings of C"
it_eq "$(it_sql "SELECT string_agg(coalesce(saving_pence::text, '-') || '/'
    || rule_version || '/' || kind || '/' || theme, ' ' ORDER BY rule_id)
    FROM pars.findings f JOIN pars.referrals r ON r.id = f.referral_id
    WHERE r.source_id = 'REF-A'")" \
    "11000/1/PUN/Alternatives to outpatients -/1/DEN/Referral letter content -/1/DEN/Referral letter content" \
    "A's findings: saving, version, kind, theme"
A=$(it_sql "SELECT id FROM pars.referrals WHERE source_id = 'REF-A'")
B=$(it_sql "SELECT id FROM pars.referrals WHERE source_id = 'REF-B'")
C=$(it_sql "SELECT id FROM pars.referrals WHERE source_id = 'REF-C'")

it_log "pars rules explain"
"$PARS/pars" rules explain "$A" >"$IT_DIR/explain.txt"
grep -q "^referral $A: practice P81000, dated 2025-01-15, TFC 110 (coded), routine, age 65, female; codes: icd10 M17.1$" \
    "$IT_DIR/explain.txt" || it_fail "explain: the referral line"
grep -q "^  rule alt-msk-knee-osteoarthritis v1 (PUN, Alternatives to outpatients; .*alternatives-msk.yaml:[0-9]*): FIRES$" \
    "$IT_DIR/explain.txt" || it_fail "explain: the rule that fired"
grep -q "^ *a code in icd10 M17 \[line [0-9]*\]: yes (icd10 M171)$" \
    "$IT_DIR/explain.txt" || it_fail "explain: a condition"
grep -q "^  rule ebi-knee-arthroscopy-oa v1 .*: does not fire$" \
    "$IT_DIR/explain.txt" || it_fail "explain: a rule that did not fire"
grep -q "^  #[0-9]* current .* PUN by alt-msk-knee-osteoarthritis v1: .*(saving 11000 pence) \[rule\]$" \
    "$IT_DIR/explain.txt" || it_fail "explain: the stored finding"
grep -q "stairs" "$IT_DIR/explain.txt" && it_fail "explain quoted the text"
it_eq "$("$PARS/pars" rules explain --fired "$A" | grep -c ': FIRES$')" 3 \
    "explain --fired"

it_log "assessors' findings: pars finding add"
"$PARS/pars" finding add --referral "$A" --kind PUN --title "Physio first" \
    --message "Community physiotherapy would have met this need" \
    --alternative MSK01 --assessor "Dr Assessor" >/dev/null
"$PARS/pars" finding add --referral "$B" --kind DEN --title "Photo" \
    --message "Send a photograph" --saving 500 --assessor "Dr Assessor" \
    --theme "Dermatology" >/dev/null
it_eq "$(it_sql "SELECT string_agg(referral_id || '/' || kind || '/' ||
    coalesce(saving_pence::text, '-') || '/' || theme || '/' || assessor ||
    '/' || source || '/' || (rule_id IS NULL), ' ' ORDER BY id)
    FROM pars.findings WHERE source = 'assessor'")" \
    "$A/PUN/11000/Clinical assessment/Dr Assessor/assessor/true $B/DEN/500/Dermatology/Dr Assessor/assessor/true" \
    "assessors' findings"
if "$PARS/pars" finding add --referral "$A" --kind MAYBE --title t \
    --message m --assessor x 2>"$IT_DIR/add.err"; then
    it_fail "a bad kind was accepted"
fi
grep -q "kind must be PUN or DEN" "$IT_DIR/add.err" || it_fail "bad kind msg"
if "$PARS/pars" finding add --referral 999999 --kind DEN --title t \
    --message m --assessor x 2>"$IT_DIR/add.err"; then
    it_fail "a finding for no referral was accepted"
fi
grep -q "there is no referral with that id" "$IT_DIR/add.err" ||
    it_fail "no-referral message"

it_log "coding's columns, when present, give the TFC and price"
it_sql "ALTER TABLE pars.referrals ADD COLUMN IF NOT EXISTS tfc text,
        ADD COLUMN IF NOT EXISTS price_pence bigint;
        UPDATE pars.referrals SET tfc = '340', price_pence = 30000
         WHERE id = $C" >/dev/null
"$PARS/pars" rules explain "$C" | grep -q "TFC 340 (coded)" ||
    it_fail "explain: the coded TFC"

it_log "assessors' findings: pars finding import"
cat >"$IT_DIR/ok.csv" <<CSV
referral_id,kind,title,message,assessor,alternative,saving_pence
$C,PUN,"X-ray first","Refer after a ""direct-access"" chest X-ray, not before",Dr Lead,CXR01,
$A,DEN,Question,Ask a question,Dr Lead,,
CSV
"$PARS/pars" finding import "$IT_DIR/ok.csv" >"$IT_DIR/import.out"
grep -q "^2 finding(s) recorded" "$IT_DIR/import.out" || it_fail "import"
it_eq "$(it_sql "SELECT message || '|' || saving_pence FROM pars.findings
    WHERE assessor = 'Dr Lead' AND referral_id = $C")" \
    'Refer after a "direct-access" chest X-ray, not before|27000' \
    "an imported finding priced from the coded price (30000 - 3000)"
printf 'referral_id,kind,title,message,assessor\n%s,DEN,t,m,x\n%s,XYZ,t,m,x\n' \
    "$A" "$B" >"$IT_DIR/bad.csv"
if "$PARS/pars" finding import "$IT_DIR/bad.csv" 2>"$IT_DIR/import.err"; then
    it_fail "a bad CSV was imported"
fi
grep -q "bad.csv: line 3: kind must be PUN or DEN, not \"XYZ\"" \
    "$IT_DIR/import.err" || it_fail "bad CSV message"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings WHERE source =
    'assessor'")" 4 "a bad CSV records nothing"
printf 'referral_id,kind,title\n' >"$IT_DIR/short.csv"
"$PARS/pars" finding import "$IT_DIR/short.csv" 2>"$IT_DIR/import.err" &&
    it_fail "a CSV without the required columns was imported"
grep -q 'line 1: the header has no "message" column' "$IT_DIR/import.err" ||
    it_fail "missing column message"

it_log "pars reassess: new rule versions, history kept, assessors untouched"
R2=$IT_DIR/rules2
cp -r "$PARS_SRC/conf/rules" "$R2"
awk '/id: alt-msk-knee-osteoarthritis$/ { hit = 1 }
     hit && /version: 1$/ { sub(/version: 1$/, "version: 2"); hit = 0 }
     { print }' "$PARS_SRC/conf/rules/alternatives-msk.yaml" \
    >"$R2/alternatives-msk.yaml"
"$PARS/pars" reassess --since 2025-01-01 --rules "$R2" --batch 2 \
    >"$IT_DIR/reassess.out" 2>&1
grep -q "^reassessed 3 referral(s) dated from 2025-01-01 with [0-9]* rule(s) from $R2: 6 rule finding(s) replaced by 6" \
    "$IT_DIR/reassess.out" || it_fail "reassess: $(cat "$IT_DIR/reassess.out")"
it_eq "$(it_sql "SELECT string_agg(rule_version || '/' || is_current, ' '
    ORDER BY id) FROM pars.findings
    WHERE rule_id = 'alt-msk-knee-osteoarthritis'")" "1/false 2/true" \
    "the old version's finding kept, not current"
it_eq "$(it_sql "SELECT count(*) FILTER (WHERE is_current) || '/' ||
    count(*) FILTER (WHERE NOT is_current AND superseded_at IS NOT NULL)
    FROM pars.findings WHERE source = 'rule'")" "6/6" "rule findings"
it_eq "$(it_sql "SELECT count(*) FROM pars.findings WHERE source =
    'assessor' AND is_current")" 4 "assessors' findings still current"
it_eq "$(rules_found REF-C)" \
    "letter-nhs-number ng12-lung-2ww-criteria-not-stated" \
    "C reassessed with its coded TFC"
if it_sql "UPDATE pars.findings SET is_current = false
    WHERE source = 'assessor'" 2>/dev/null; then
    it_fail "an assessor's finding was changed"
fi
"$PARS/pars" reassess --since 2026-01-01 --rules "$R2" | grep -q \
    "^reassessed 0 referral(s)" || it_fail "reassess of an empty period"

it_log "pars rules test and list: failures, reviews past due"
BAD=$IT_DIR/rules-bad
mkdir -p "$BAD"
cat >"$BAD/wrong.yaml" <<'YAML'
author: test
checked_by: Dr Checker
reviewed: 2026-01-01
next_review: 2027-01-01
theme: Tests
rules:
  - id: wrong-example
    version: 1
    kind: DEN
    title: t
    source: s
    message: m
    when: {text: [haemoptysis]}
    examples:
      fire:
        - {reason: "no haemoptysis"}
      not_fire:
        - {reason: "cough"}
YAML
if "$PARS/pars" rules test --rules "$BAD" >"$IT_DIR/test.out"; then
    it_fail "a failing example passed"
fi
grep -q "^FAIL $BAD/wrong.yaml:16: rule wrong-example: this example must fire but it does not:$" \
    "$IT_DIR/test.out" || it_fail "rules test: the failure"
grep -q "haemoptysis.*no (\"haemoptysis\" negated in reason)" \
    "$IT_DIR/test.out" || it_fail "rules test: the explanation"
"$PARS/pars" rules list --rules "$BAD" --today 2027-06-01 \
    >"$IT_DIR/list.out" 2>"$IT_DIR/list.err"
grep -q "^warning: $BAD/wrong.yaml:7: rule wrong-example: its review was due on 2027-01-01 (last reviewed 2026-01-01, checked by Dr Checker)$" \
    "$IT_DIR/list.err" || it_fail "rules list: review past due"
grep -q "^wrong-example .* DUE " "$IT_DIR/list.out" || it_fail "list: DUE"
n=$(cat "$PARS_SRC"/conf/rules/*.yaml | grep -c '^  - id: ')
"$PARS/pars" rules test --rules "$PARS_SRC/conf/rules" --today 2031-01-01 \
    >"$IT_DIR/lib.out" 2>"$IT_DIR/lib.err"
it_eq "$(grep -c 'its review was due on' "$IT_DIR/lib.err")" "$n" \
    "every library rule warned about in 2031"
grep -q "^$n rule(s) past their review date$" "$IT_DIR/lib.out" ||
    it_fail "rules test: review summary"
printf 'rules:\n  - id: x1\n    versoin: 1\n' >"$BAD/broken.yaml"
if "$PARS/pars" rules test --rules "$BAD" 2>"$IT_DIR/broken.err"; then
    it_fail "a broken rule file was accepted"
fi
grep -q "^$BAD/broken.yaml:3: rule x1: unknown key 'versoin' in a rule" \
    "$IT_DIR/broken.err" || it_fail "broken file: $(cat "$IT_DIR/broken.err")"
echo "rules_cli: ok"
