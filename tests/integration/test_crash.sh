#!/usr/bin/env bash
# kill -9 the daemon again and again while 2,400 files arrive; after the
# last restart every file is stored exactly once, nothing is left in the
# drop directories and nothing is lost.
. "$(dirname "$0")/lib.sh"
it_setup it_crash
N=2400
# A queue far smaller than the backlog: most files wait on disk and must
# be found by rescans, kill after kill.
sed -i 's/^spool:$/spool:\n  queue_files: 50/' "$PARS_CONFIG"
gen=$IT_DIR/gen
"$GEN" --practices 12 --referrals $N --out "$gen" --from 2025-03-01 --days 28 --seed 5
# Stage on the same filesystem so that arrival is an atomic rename.
mkdir -p "$IT_DIR/stage"
for d in "$gen"/*/; do
    p=$(basename "$d")
    mkdir -p "$IT_DIR/spool/$p" "$IT_DIR/stage/$p"
    mv "$d"*.hl7 "$IT_DIR/stage/$p/"
done
find "$IT_DIR/stage" -name '*.hl7' | sort >"$IT_DIR/all"
total=$(wc -l <"$IT_DIR/all")
[ "$total" = "$N" ] || it_fail "generated $total files, want $N"

# Files arrive in waves while the daemon is killed without warning.
split -n l/8 "$IT_DIR/all" "$IT_DIR/wave."
kills=0
for w in "$IT_DIR"/wave.*; do
    it_start_parsd
    while read -r f; do
        p=$(basename "$(dirname "$f")")
        mv "$f" "$IT_DIR/spool/$p/"
    done <"$w"
    sleep "0.$((RANDOM % 6 + 2))"
    kill -9 "$IT_LAST_PID"
    wait "$IT_LAST_PID" 2>/dev/null || true
    IT_DAEMONS=()
    kills=$((kills + 1))
done
[ $kills -ge 5 ] || it_fail "only $kills kills"

it_start_parsd
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state = 'stored'" "$N" 300
it_wait_sql "SELECT count(*) FROM pars.documents WHERE state <> 'stored'" 0 30
it_eq "$(find "$IT_DIR/spool" -type f | wc -l)" 0 "files left behind"
it_eq "$(it_sql "SELECT count(*) FROM pars.referrals")" "$N" "referrals"
it_eq "$(it_sql "SELECT count(DISTINCT source_id) FROM pars.referrals WHERE is_current")" "$N" "distinct current referrals"
# Every generated referral is there, by its own id.
sed 's#.*/##; s#\.hl7$##' "$IT_DIR/all" | sort >"$IT_DIR/want"
it_sql "SELECT source_id FROM pars.referrals ORDER BY 1" | sort >"$IT_DIR/got"
diff "$IT_DIR/want" "$IT_DIR/got" >/dev/null || it_fail "stored referrals differ from the files sent"
echo "ok: $N files, $kills kill -9s, each stored once"
