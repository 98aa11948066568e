#!/usr/bin/env bash
# Two parsd processes on one database and one spool never store a
# document twice.
. "$(dirname "$0")/lib.sh"
it_setup it_two
N=800
"$GEN" --practices 4 --referrals $N --out "$IT_DIR/gen" --from 2025-04-01 --seed 9
it_start_parsd
it_start_parsd
for d in "$IT_DIR"/gen/*/; do
    p=$(basename "$d")
    mkdir -p "$IT_DIR/spool/$p"
    mv "$d"*.hl7 "$IT_DIR/spool/$p/"
done
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" $N 180
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals")" $N "referrals"
it_eq "$(it_sql "SELECT count(*) FROM (SELECT document_id FROM pars.referrals GROUP BY 1 HAVING count(*) > 1) x")" 0 "documents stored twice"
it_eq "$(it_sql "SELECT count(*) FROM pars.documents")" $N "documents"
for pid in "${IT_DAEMONS[@]}"; do kill -0 "$pid" || it_fail "a daemon died"; done
echo "ok"
