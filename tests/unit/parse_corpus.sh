#!/usr/bin/env bash
# parse_corpus.sh PARS CORPUS COUNTS - runs `pars parse` on every file of
# the public corpus.  A file listed with N > 0 referrals must print N and
# exit 0; a file with 0 must exit 1 with a message that says there is no
# referral in it or that its format is unknown; nothing may crash (exit
# 128 and up, or a sanitizer report).  Every corpus file must be listed.
set -uo pipefail
pars=$1 corpus=$2 counts=$3
fail=0 n=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
while read -r want file; do
    case $want in '#'*|'') continue ;; esac
    n=$((n + 1))
    out=$("$pars" parse "$corpus/$file" 2>"$err")
    rc=$?
    got=$(printf '%s' "$out" | grep -c '"format"')
    if [ "$rc" -ge 2 ] || grep -q "Sanitizer\|runtime error" "$err"; then
        echo "FAIL: $file: exit $rc"; cat "$err"; fail=1
    elif [ "$want" -gt 0 ] && { [ "$rc" != 0 ] || [ "$got" != "$want" ]; }; then
        echo "FAIL: $file: exit $rc with $got referral(s), want $want"; fail=1
    elif [ "$want" = 0 ] && { [ "$rc" != 1 ] || ! grep -Eq "no referral in this document|unknown format" "$err"; }; then
        echo "FAIL: $file: exit $rc, want 1 with a clear reason: $(cat "$err")"; fail=1
    fi
done <"$counts"
listed=$(grep -v '^#' "$counts" | awk '{print $2}' | sort)
present=$(cd "$corpus" && find . -type f ! -name SOURCES.md | sed 's#^\./##' | sort)
if [ "$listed" != "$present" ]; then
    echo "FAIL: the corpus and $counts list different files"; fail=1
fi
[ $fail = 0 ] && echo "ok: $n corpus files, each parsed or refused with a reason"
exit $fail
