-- 011: what the coding step found for each referral (DESIGN.md, "Coding"),
-- and the tariff-year rule as SQL for analysts and reports.

ALTER TABLE pars.referrals
    ADD COLUMN tfc             text CHECK (tfc ~ '^[0-9]{3}$'),
    ADD COLUMN tfc_evidence    text CHECK (tfc_evidence IN ('explicit',
        'ers_clinic_type', 'ers_specialty', 'main_specialty', 'consultant',
        'synonym')),
    ADD COLUMN hrg             text,
    ADD COLUMN price_pence     bigint,
    ADD COLUMN tariff_year     text CHECK (tariff_year ~ '^[0-9]{4}/[0-9]{2}$'),
    ADD COLUMN coding_status   text CHECK (coding_status IN ('coded',
        'partial', 'uncoded')),
    ADD COLUMN coding_warnings text[] NOT NULL DEFAULT '{}',
    ADD COLUMN referrer_known  boolean,
    ADD COLUMN practice_known  boolean,
    ADD COLUMN provider_known  boolean;

CREATE INDEX referrals_tfc_idx ON pars.referrals (tfc, referral_date)
    WHERE is_current;

COMMENT ON COLUMN pars.referrals.tfc IS 'Treatment function code the coding step assigned (tfc_sent is what the practice sent)';
COMMENT ON COLUMN pars.referrals.tfc_evidence IS 'What the TFC came from: explicit TFC > e-RS clinic type > e-RS specialty > main specialty > consultant''s main specialty > free-text synonym';
COMMENT ON COLUMN pars.referrals.hrg IS 'WF01B/WF02B (first outpatient attendance) or the procedure HRG priced';
COMMENT ON COLUMN pars.referrals.price_pence IS 'Price at tariff in pence for the tariff year of the referral date';
COMMENT ON COLUMN pars.referrals.coding_status IS 'coded: TFC, price, practice, referrer and provider all known; partial: TFC but something missing (see coding_warnings); uncoded: no TFC; NULL: not coded (coding off)';
COMMENT ON COLUMN pars.referrals.coding_warnings IS 'What coding could not do, as "reason: detail"';

-- The tariff year a date falls in: April to March, e.g. 2025-03-31 is in
-- 2024/25 and 2025-04-01 in 2025/26.
CREATE FUNCTION ref.tariff_year(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT pg_catalog.to_char(y, 'FM0000') || '/' ||
           pg_catalog.to_char((y + 1) % 100, 'FM00')
      FROM (SELECT pg_catalog.date_part('year', d)::int -
                   CASE WHEN pg_catalog.date_part('month', d) < 4 THEN 1
                        ELSE 0 END AS y) AS t
$$;

-- The price of a first outpatient attendance at TFC t in the tariff year
-- of date d (WF01B, else WF02B where the TFC is priced only as
-- multi-professional), in pence; NULL when not priced.
CREATE FUNCTION ref.first_attendance_price(t text, d date) RETURNS bigint
LANGUAGE sql STABLE STRICT AS $$
    SELECT coalesce(p.wf01b, p.wf02b)
      FROM ref.op_prices p
     WHERE p.tfc = t AND p.tariff_year = ref.tariff_year(d)
$$;
