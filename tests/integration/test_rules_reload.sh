#!/usr/bin/env bash
# Rules are loaded at start (a bad file stops parsd starting, with file,
# line and reason) and again on SIGHUP: a bad file is refused with file,
# line and reason and the rules already loaded stay in force; a good set
# is used from the next referral on.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rules_lib.sh"

it_setup rules_reload
R=$IT_DIR/rules
mkdir -p "$R"
rules_config "$R"

# one_rule FILE ID WORD: a rule file whose one DEN fires on WORD.
one_rule() {
    cat >"$1" <<YAML
author: test
checked_by: test
reviewed: 2026-01-01
next_review: 2027-01-01
theme: Tests
rules:
  - id: $2
    version: 1
    kind: DEN
    title: $3 found
    source: test
    message: say $3
    when: {text: [$3]}
    examples: {fire: [{reason: $3}], not_fire: [{reason: other}]}
YAML
}

# wait_log PATTERN: waits for parsd to log a line matching PATTERN.
wait_log() {
    local end=$((SECONDS + 30))
    while [ $SECONDS -lt $end ]; do
        grep -qE "$1" "$IT_DIR/parsd-0.log" 2>/dev/null && return 0
        sleep 0.2
    done
    it_fail "parsd did not log [$1]: $(tail -5 "$IT_DIR/parsd-0.log")"
}

# send N: drops referral REF-N (text "alpha beta") and waits until stored.
send() {
    rules_hl7 "$IT_DIR/r$1.hl7" "REF-$1" R 110 19600101 F M17.1 \
        "alpha beta" "none"
    it_drop P81000 "$IT_DIR/r$1.hl7"
    it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" \
        "$1"
}

one_rule "$R/a.yaml" t-alpha alpha

it_log "a bad rule file stops parsd starting"
printf 'rules:\n  - id: bad1\n    colour: red\n' >"$R/z.yaml"
if "$PARS/parsd" -n -c "$PARS_CONFIG" 2>"$IT_DIR/n.err"; then
    it_fail "parsd -n accepted a bad rule file"
fi
grep -q "$R/z.yaml:3: rule bad1: unknown key 'colour' in a rule" \
    "$IT_DIR/n.err" || it_fail "parsd -n: $(cat "$IT_DIR/n.err")"
rm "$R/z.yaml"
"$PARS/parsd" -n -c "$PARS_CONFIG" 2>/dev/null | grep -q "configuration OK" ||
    it_fail "parsd -n with good rules"

it_start_parsd
wait_log "rules: 1 rule\(s\) from 1 file\(s\) in $R"
send 1
it_eq "$(rules_found REF-1)" "t-alpha" "findings with the first rules"

it_log "SIGHUP with a bad file: the rules in force stay"
one_rule "$R/b.yaml" t-beta beta
cat >"$R/c.yaml" <<'YAML'
author: test
checked_by: test
reviewed: 2026-01-01
next_review: 2027-01-01
rules:
  - id: t-gamma
    version: 1
    kind: DEN
    titel: typo
YAML
kill -HUP "$IT_LAST_PID"
wait_log "reload: $R/c.yaml:9: rule t-gamma: unknown key 'titel' in a rule .*: the rules already loaded stay in force"
send 2
it_eq "$(rules_found REF-2)" "t-alpha" "findings after a refused reload"

it_log "SIGHUP with good files: the new rules are used"
rm "$R/c.yaml"
kill -HUP "$IT_LAST_PID"
wait_log "rules: 2 rule\(s\) from 2 file\(s\) in $R"
send 3
it_eq "$(rules_found REF-3)" "t-alpha t-beta" "findings after a reload"
it_eq "$(rules_found REF-1)" "t-alpha" "earlier findings are not touched"

it_log "the rules directory removed: no rules, referrals still stored"
mv "$R" "$R.gone"
kill -HUP "$IT_LAST_PID"
wait_log "rules: no rule files in $R"
send 4
it_eq "$(rules_found REF-4)" "" "no findings without rules"
it_stop_parsd
echo "rules_reload: ok"
