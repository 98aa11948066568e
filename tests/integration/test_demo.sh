#!/usr/bin/env bash
# pars demo: the embedded default end to end.  As root it must run the
# embedded PostgreSQL as an unprivileged user, on a Unix socket only, and
# stop it afterwards; every bundled sample must be stored or quarantined.
set -euo pipefail
: "${PARS_BUILD:?}" "${PARS_SRC:?}"
dir=$PARS_BUILD/it/demo
rm -rf "$dir"
out=$("$PARS_BUILD/daemon/pars" demo --dir "$dir" 2>&1) || { echo "$out"; echo "FAIL: pars demo"; exit 1; }
echo "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }
n=$(find "$PARS_SRC/conf/samples" -type f | wc -l)
echo "$out" | grep -q "dropped $n sample referral file(s)" || fail "not every sample dropped"
echo "$out" | grep -q "^P81000 " || fail "no summary for P81000"
echo "$out" | grep -q "pseudonym" || fail "no stored referrals listed"
log=$dir/state/postgresql.log
grep -q 'listening on Unix socket' "$log" || fail "embedded server not on a Unix socket"
grep -q 'listening on IPv' "$log" && fail "embedded server listened on TCP"
[ ! -e "$dir/state/pgdata/postmaster.pid" ] || fail "embedded server still running"
if [ "$(id -u)" = 0 ]; then
    [ "$(stat -c %U "$dir/state/pgdata")" != root ] || fail "cluster owned by root"
fi
[ "$(stat -c %a "$dir/state/keys/pseudonym.key")" = 600 ] || fail "key file mode"
# Stored documents + quarantined ones account for every sample.
stored=$(echo "$out" | awk '$1 ~ /^P8/ && $2 ~ /^[0-9]+$/ {s += $3 + $4} END {print s}')
[ "$stored" = "$n" ] || fail "stored+quarantined $stored, want $n"
echo ok
