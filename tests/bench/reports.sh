#!/usr/bin/env bash
# reports.sh - how long the practices' reports take, beside baselines
# measured in the same run.
#
#   tests/bench/reports.sh [BUILD_DIR]     (default: build-bench, a
#                                           Release build made if missing)
#
# 1. England: 6,300 synthetic practices in 315 localities of 20, a month
#    of 1.7 million referrals (pars-gen, loaded with COPY), 5% with a PUN
#    and 5% with a DEN: `pars report run --period 2025-01` for every
#    practice (HTML, CSV, PDF each, and the locality summaries), wall time
#    and the pars process's peak memory.  Baselines: a plain
#    SELECT count(*) ... GROUP BY practice over the same rows, and writing
#    the same bytes to files (cp -r of the outbox).
# 2. A locality: 20 practices, a year of referrals (64,000), reported
#    for the whole year: the same.
#
# Runs its own PostgreSQL (tests/integration/pg.sh) under BUILD_DIR/bench.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build-bench}
if [ ! -x "$BUILD/daemon/pars" ] || [ ! -x "$BUILD/tests/pars-gen" ]; then
    cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" -j2 --target pars pars-gen >/dev/null
fi
mkdir -p "$BUILD/bench"
W=$(cd "$BUILD/bench" && pwd)
bash "$SRC/tests/integration/pg.sh" start "$W" >/dev/null
trap 'bash "$SRC/tests/integration/pg.sh" stop "$W" >/dev/null' EXIT
. "$W/pg.env"
export PGHOST PGUSER

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# load DB PRACTICES REFERRALS FROM DAYS LOCALITY_SIZE
load() {
    local db=$1 np=$2 nr=$3 from=$4 days=$5 per=$6
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    cat >"$W/$db.yaml" <<YAML
state_dir: $W/$db-state
log_level: warning
database:
  dsn: "host=$PGHOST dbname=$db user=pars"
YAML
    export PARS_CONFIG=$W/$db.yaml
    "$BUILD/daemon/pars" db migrate >/dev/null
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<SQL
-- Reference rows belong to a recorded load, as pars refdata load makes.
INSERT INTO ref.loads (id, kind, file_name, file_sha256, who)
VALUES (1, 'bench', 'reports.sh', sha256('reports.sh'::bytea), 'bench');
INSERT INTO pars.practices (code, name, locality)
SELECT 'P8' || lpad((1000 + i)::text, 4, '0'), 'Practice ' || i,
       'Locality ' || (i / $per)
  FROM generate_series(0, $np - 1) i;
INSERT INTO ref.list_sizes (practice_code, as_of, raw, weighted, load_id)
SELECT code, DATE '2024-10-01', 9000, 6000 + (hashtext(code) & 4095), 1
  FROM pars.practices;
INSERT INTO pars.documents (sha256, size_bytes, source, practice_ods, state,
       format, n_referrals)
SELECT sha256(code::bytea), 1, 'bench', code, 'stored', 'hl7v2', 1
  FROM pars.practices ORDER BY code;
INSERT INTO ref.tfc (code, title, in_use, load_id)
SELECT c, t, true, 1 FROM (VALUES ('110', 'Trauma and Orthopaedics'),
  ('120', 'ENT'), ('130', 'Ophthalmology'), ('330', 'Dermatology'),
  ('320', 'Cardiology'), ('301', 'Gastroenterology'), ('502', 'Gynaecology'),
  ('101', 'Urology'), ('100', 'General Surgery'),
  ('340', 'Respiratory Medicine'), ('410', 'Rheumatology'),
  ('400', 'Neurology'), ('103', 'Breast Surgery'),
  ('300', 'General Internal Medicine')) v(c, t);
INSERT INTO ref.alternative_services (code, name, tfc, replaces, price_pence,
       load_id)
VALUES ('MSK1', 'Community MSK service', '110', 'first_attendance', 7000, 1);
INSERT INTO ref.shadow_contracts (provider, tfc, pod, year, planned_activity,
       price_pence, load_id)
SELECT p, t, 'OPFA', '2024/25', 50000, 16000, 1
  FROM unnest('{RWG,RAL,RYJ,R1H}'::text[]) p, unnest('{110,120,330}'::text[]) t;
SQL
    # pars-gen's rows, with the practice's document, a position, and the
    # coding the coding step would add
    "$BUILD/tests/pars-gen" --practices "$np" --referrals "$nr" \
        --from "$from" --days "$days" --rows |
        awk -F'\t' -v OFS='\t' '{
            $1 = substr($6, 2) - 80999; $2 = NR
            p = ($14 == "110") ? 16000 : ($14 == "330") ? 11000 : 13000
            print $0, "t", $14, p, "2024/25" }' |
        psql -X -q -d "$db" -c "COPY pars.referrals (document_id, position,
            format, source_id, status, practice_ods, referrer_code,
            patient_pseudonym, nhs_number_valid, age_years, sex,
            referral_date, priority, tfc_sent, provider_ods, consultant_code,
            reason_text, content_sha256, is_current, tfc, price_pence,
            tariff_year) FROM STDIN"
    psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
INSERT INTO pars.findings (referral_id, source, rule_id, rule_version, kind,
       theme, title, message, alternative_service, saving_pence)
SELECT id, 'rule', 'msk-first', '1', 'PUN', 'alternatives', 'Community MSK first',
       'msg', 'MSK1', 9000
  FROM pars.referrals WHERE tfc = '110' AND id % 7 = 0;
INSERT INTO pars.findings (referral_id, source, rule_id, rule_version, kind,
       theme, title, message)
SELECT id, 'rule', 'no-meds', '1', 'DEN', 'missing information',
       'No medication listed', 'msg'
  FROM pars.referrals WHERE id % 20 = 1;
ANALYZE;
SQL
}

# bench NAME DB PERIOD-ARGS...
bench() {
    local name=$1 db=$2 t0 t1 tb0 tb1 tc0 tc1 tr0 tr1 rss n
    shift 2
    export PARS_CONFIG=$W/$db.yaml
    rm -rf "$W/$db-state/reports" "$W/$db-copy"
    n=$(psql -X -At -d "$db" -c "SELECT count(*) FROM pars.referrals")
    tb0=$(now)
    psql -X -At -d "$db" -c "SELECT practice_ods, count(*) FROM pars.referrals
        WHERE is_current AND status = 'active' GROUP BY 1" >/dev/null
    tb1=$(now)
    t0=$(now)
    /usr/bin/time -f '%M' -o "$W/$db.rss" \
        "$BUILD/daemon/pars" report run "$@" >"$W/$db.out"
    t1=$(now)
    rss=$(tail -1 "$W/$db.rss")
    tc0=$(now)
    cp -r "$W/$db-state/reports" "$W/$db-copy"
    sync "$W/$db-copy"
    tc1=$(now)
    tr0=$(now)
    "$BUILD/daemon/pars" report run "$@" >"$W/$db.rerun"
    tr1=$(now)
    echo "$name: $(tail -1 "$W/$db.out" | sed 's/; files under [^ ]* / /')"
    printf '  %-44s %8ss  (peak memory of pars %d MiB)\n' \
        "pars report run ($n referrals)" "$(secs "$t0" "$t1")" $((rss / 1024))
    printf '  %-44s %8ss  (%s)\n' "the same again (idempotent re-run)" \
        "$(secs "$tr0" "$tr1")" "$(tail -1 "$W/$db.rerun" | grep -o '[0-9]* unchanged')"
    printf '  %-44s %8ss\n' "baseline: SELECT count(*) GROUP BY practice" \
        "$(secs "$tb0" "$tb1")"
    printf '  %-44s %8ss  (%s)\n' "baseline: writing the same bytes (cp -r)" \
        "$(secs "$tc0" "$tc1")" "$(du -sh "$W/$db-copy" | cut -f1)"
    rm -rf "$W/$db-copy"
}

echo "loading England: 6,300 practices, a month of 1.7 million referrals..."
t0=$(now)
load bench_england 6300 1700000 2025-01-01 31 20
echo "  loaded in $(secs "$t0" "$(now)")s"
echo "loading a locality: 20 practices, a year of 64,000 referrals..."
load bench_locality 20 64000 2025-01-01 365 20
echo
echo "cores: $(nproc); target: England under 300 s, a locality under 10 s"
bench "England, 2025-01" bench_england --period 2025-01
bench "Locality, the year 2025" bench_locality --from 2025-01-01 --to 2025-12-31
