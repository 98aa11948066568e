-- 035: the analytics views (docs/analytics.md).  They read the coding
-- columns of pars.referrals and the ref.* tables (migrations 010-019) and
-- pars.findings (020-029), so they come after both.  Patients appear only
-- as pseudonyms; no view carries free text (reason, medication, results,
-- clinicians' or patients' names).

CREATE VIEW analytics.practices AS
SELECT p.code AS practice_code,
       p.name AS practice_name,
       p.locality,
       p.active,
       p.joined,
       ls.as_of AS list_size_as_of,
       ls.raw AS list_size,
       ls.weighted::float8 AS weighted_list_size
  FROM pars.practices p
  LEFT JOIN LATERAL (SELECT l.as_of, l.raw, l.weighted
                       FROM ref.list_sizes l
                      WHERE l.practice_code = p.code
                      ORDER BY l.as_of DESC LIMIT 1) ls ON true;
COMMENT ON VIEW analytics.practices IS 'The hub''s member practices with their latest list sizes';
COMMENT ON COLUMN analytics.practices.practice_code IS 'ODS code of the practice (a letter and five digits)';
COMMENT ON COLUMN analytics.practices.practice_name IS 'Practice name as registered with the hub';
COMMENT ON COLUMN analytics.practices.locality IS 'Locality: practices are compared with the others of their locality';
COMMENT ON COLUMN analytics.practices.active IS 'False once the practice has left the hub (its data is kept)';
COMMENT ON COLUMN analytics.practices.joined IS 'Date the practice joined the hub';
COMMENT ON COLUMN analytics.practices.list_size_as_of IS 'Date of the latest published list size';
COMMENT ON COLUMN analytics.practices.list_size IS 'Registered patients (raw list size)';
COMMENT ON COLUMN analytics.practices.weighted_list_size IS 'Weighted list size (adjusted for need): the denominator of referral rates';

CREATE VIEW analytics.referrals AS
SELECT r.id AS referral_id,
       r.practice_ods AS practice_code,
       p.locality,
       r.referrer_code,
       r.referral_date,
       date_trunc('month', r.referral_date)::date AS month,
       r.priority,
       r.age_years,
       CASE WHEN r.age_years IS NULL THEN NULL
            WHEN r.age_years < 18 THEN '0-17'
            WHEN r.age_years < 40 THEN '18-39'
            WHEN r.age_years < 65 THEN '40-64'
            WHEN r.age_years < 80 THEN '65-79'
            ELSE '80+' END AS age_band,
       r.sex,
       r.patient_pseudonym,
       r.nhs_number_valid,
       r.tfc,
       t.title AS tfc_title,
       r.tfc_evidence,
       r.hrg,
       r.price_pence,
       r.tariff_year,
       r.coding_status,
       r.provider_ods,
       r.consultant_code,
       r.format,
       r.created_at AS stored_at
  FROM pars.referrals r
  LEFT JOIN pars.practices p ON p.code = r.practice_ods
  LEFT JOIN ref.tfc t ON t.code = r.tfc
 WHERE r.is_current AND r.status = 'active';
COMMENT ON VIEW analytics.referrals IS 'Current, active referrals with their coding: one row per referral, patients pseudonymised, no free text';
COMMENT ON COLUMN analytics.referrals.referral_id IS 'The hub''s id of the referral (stable; joins analytics.findings and analytics.referral_codes)';
COMMENT ON COLUMN analytics.referrals.practice_code IS 'Referring practice (ODS)';
COMMENT ON COLUMN analytics.referrals.locality IS 'Locality of the practice, when it is a member';
COMMENT ON COLUMN analytics.referrals.referrer_code IS 'Referring GP''s code (G and seven digits), as sent';
COMMENT ON COLUMN analytics.referrals.referral_date IS 'Date of the referral';
COMMENT ON COLUMN analytics.referrals.month IS 'First day of the referral''s month';
COMMENT ON COLUMN analytics.referrals.priority IS 'routine, urgent or two_week_wait';
COMMENT ON COLUMN analytics.referrals.age_years IS 'Patient''s age in whole years at the referral date';
COMMENT ON COLUMN analytics.referrals.age_band IS 'Age band: 0-17, 18-39, 40-64, 65-79, 80+';
COMMENT ON COLUMN analytics.referrals.sex IS 'female, male, other or unknown';
COMMENT ON COLUMN analytics.referrals.patient_pseudonym IS 'HMAC-SHA256 of the NHS number under the hub''s key: the same patient has the same pseudonym; the number cannot be recovered';
COMMENT ON COLUMN analytics.referrals.nhs_number_valid IS 'Whether the NHS number sent passed its check digit';
COMMENT ON COLUMN analytics.referrals.tfc IS 'Coded treatment function code (3 digits)';
COMMENT ON COLUMN analytics.referrals.tfc_title IS 'Title of the treatment function';
COMMENT ON COLUMN analytics.referrals.tfc_evidence IS 'How the TFC was decided: explicit, ers_clinic_type, ers_specialty, main_specialty, consultant or synonym';
COMMENT ON COLUMN analytics.referrals.hrg IS 'Procedure HRG where one applies';
COMMENT ON COLUMN analytics.referrals.price_pence IS 'Expected cost of the first outpatient attendance at tariff, in pence';
COMMENT ON COLUMN analytics.referrals.tariff_year IS 'NHS Payment Scheme year of the price (e.g. 2024/25)';
COMMENT ON COLUMN analytics.referrals.coding_status IS 'coded, partial or uncoded';
COMMENT ON COLUMN analytics.referrals.provider_ods IS 'Provider referred to (ODS trust or site code)';
COMMENT ON COLUMN analytics.referrals.consultant_code IS 'Consultant referred to (C and the GMC number), when named';
COMMENT ON COLUMN analytics.referrals.format IS 'Format the referral arrived in (hl7v2, fhir-r4-json, csv, ...)';
COMMENT ON COLUMN analytics.referrals.stored_at IS 'When the hub stored this version';

CREATE VIEW analytics.referral_codes AS
SELECT c.referral_id, c.kind, c.system, c.code
  FROM pars.referral_codes c
  JOIN pars.referrals r ON r.id = c.referral_id
 WHERE r.is_current AND r.status = 'active';
COMMENT ON VIEW analytics.referral_codes IS 'Diagnosis and procedure codes of current referrals (codes only, no text)';
COMMENT ON COLUMN analytics.referral_codes.referral_id IS 'The referral (analytics.referrals.referral_id)';
COMMENT ON COLUMN analytics.referral_codes.kind IS 'diagnosis or procedure';
COMMENT ON COLUMN analytics.referral_codes.system IS 'icd10, snomed, opcs4 or other';
COMMENT ON COLUMN analytics.referral_codes.code IS 'The code as sent';

CREATE VIEW analytics.findings AS
SELECT f.id AS finding_id,
       f.referral_id,
       r.practice_ods AS practice_code,
       r.referral_date,
       date_trunc('month', r.referral_date)::date AS month,
       r.tfc,
       f.kind,
       f.theme,
       f.title,
       f.rule_id,
       f.rule_version,
       f.alternative_service,
       a.name AS alternative_name,
       f.saving_pence,
       f.source,
       f.created_at
  FROM pars.findings f
  JOIN pars.referrals r ON r.id = f.referral_id
  LEFT JOIN ref.alternative_services a ON a.code = f.alternative_service
 WHERE f.is_current AND r.is_current AND r.status = 'active';
COMMENT ON VIEW analytics.findings IS 'Current PUN and DEN findings on current referrals (no free text: the title, not the message)';
COMMENT ON COLUMN analytics.findings.finding_id IS 'The hub''s id of the finding';
COMMENT ON COLUMN analytics.findings.referral_id IS 'The referral (analytics.referrals.referral_id)';
COMMENT ON COLUMN analytics.findings.practice_code IS 'Referring practice (ODS)';
COMMENT ON COLUMN analytics.findings.referral_date IS 'Date of the referral';
COMMENT ON COLUMN analytics.findings.month IS 'First day of the referral''s month';
COMMENT ON COLUMN analytics.findings.tfc IS 'Coded treatment function code of the referral';
COMMENT ON COLUMN analytics.findings.kind IS 'PUN (patient''s unmet need: a better or cheaper alternative) or DEN (doctor''s educational need)';
COMMENT ON COLUMN analytics.findings.theme IS 'Theme the finding belongs to (e.g. missing information, EBI criteria)';
COMMENT ON COLUMN analytics.findings.title IS 'Short title of the rule';
COMMENT ON COLUMN analytics.findings.rule_id IS 'The rule that made the finding (conf/rules), or the assessor''s finding id';
COMMENT ON COLUMN analytics.findings.rule_version IS 'Version of the rule';
COMMENT ON COLUMN analytics.findings.alternative_service IS 'For a PUN: code of the alternative service';
COMMENT ON COLUMN analytics.findings.alternative_name IS 'For a PUN: name of the alternative service';
COMMENT ON COLUMN analytics.findings.saving_pence IS 'For a PUN: potential saving at tariff, in pence';
COMMENT ON COLUMN analytics.findings.source IS 'rule or assessor';
COMMENT ON COLUMN analytics.findings.created_at IS 'When the finding was made';

-- Rates: referrals by practice, TFC and month, with the list size in
-- force at the end of the month.
CREATE VIEW analytics.practice_tfc_month AS
SELECT c.practice_code,
       p.locality,
       c.month,
       c.tfc,
       t.title AS tfc_title,
       c.referrals,
       c.cost_pence,
       ls.weighted::float8 AS weighted_list_size,
       CASE WHEN ls.weighted > 0
            THEN 1000.0 * c.referrals / ls.weighted::float8 END AS rate_per_1000
  FROM (SELECT r.practice_ods AS practice_code,
               date_trunc('month', r.referral_date)::date AS month,
               r.tfc,
               count(*) AS referrals,
               sum(r.price_pence) AS cost_pence
          FROM pars.referrals r
         WHERE r.is_current AND r.status = 'active'
           AND r.referral_date IS NOT NULL
         GROUP BY 1, 2, 3) c
  LEFT JOIN pars.practices p ON p.code = c.practice_code
  LEFT JOIN ref.tfc t ON t.code = c.tfc
  LEFT JOIN LATERAL (SELECT l.weighted FROM ref.list_sizes l
                      WHERE l.practice_code = c.practice_code
                        AND l.as_of <= (c.month + interval '1 month' - interval '1 day')::date
                      ORDER BY l.as_of DESC LIMIT 1) ls ON true;
COMMENT ON VIEW analytics.practice_tfc_month IS 'Referrals and cost by practice, treatment function and month, with the weighted list size and the rate per 1,000 weighted patients';
COMMENT ON COLUMN analytics.practice_tfc_month.practice_code IS 'Referring practice (ODS)';
COMMENT ON COLUMN analytics.practice_tfc_month.locality IS 'Locality of the practice';
COMMENT ON COLUMN analytics.practice_tfc_month.month IS 'First day of the month';
COMMENT ON COLUMN analytics.practice_tfc_month.tfc IS 'Coded treatment function code (NULL: not coded)';
COMMENT ON COLUMN analytics.practice_tfc_month.tfc_title IS 'Title of the treatment function';
COMMENT ON COLUMN analytics.practice_tfc_month.referrals IS 'Current, active referrals';
COMMENT ON COLUMN analytics.practice_tfc_month.cost_pence IS 'Their cost at tariff in pence (priced referrals only)';
COMMENT ON COLUMN analytics.practice_tfc_month.weighted_list_size IS 'Weighted list size in force at the end of the month (latest published on or before it)';
COMMENT ON COLUMN analytics.practice_tfc_month.rate_per_1000 IS 'Referrals per 1,000 weighted patients in the month';

-- Costs against the shadow contracts: activity and cost at tariff of the
-- hub's referrals by provider, TFC and tariff year, beside the plan.
CREATE VIEW analytics.contract_costs AS
SELECT coalesce(a.provider, c.provider) AS provider,
       coalesce(a.tfc, c.tfc) AS tfc,
       coalesce(a.year, c.year) AS year,
       c.planned_activity,
       c.planned_value_pence,
       coalesce(a.referrals, 0) AS referrals,
       coalesce(a.cost_pence, 0) AS cost_pence,
       coalesce(a.cost_pence, 0) - c.planned_value_pence AS variance_pence
  FROM (SELECT r.provider_ods AS provider, r.tfc, r.tariff_year AS year,
               count(*) AS referrals, sum(r.price_pence) AS cost_pence
          FROM pars.referrals r
         WHERE r.is_current AND r.status = 'active'
           AND r.provider_ods IS NOT NULL AND r.tfc IS NOT NULL
           AND r.tariff_year IS NOT NULL
         GROUP BY 1, 2, 3) a
  FULL JOIN (SELECT s.provider, s.tfc, s.year,
                    sum(s.planned_activity)::float8 AS planned_activity,
                    sum(s.planned_activity * s.price_pence)::float8 AS planned_value_pence
               FROM ref.shadow_contracts s
              GROUP BY 1, 2, 3) c
         ON c.provider = a.provider AND c.tfc = a.tfc AND c.year = a.year;
COMMENT ON VIEW analytics.contract_costs IS 'Referrals and their cost at tariff by provider, TFC and tariff year, against the shadow contract''s planned activity and value (all points of delivery summed)';
COMMENT ON COLUMN analytics.contract_costs.provider IS 'Provider (ODS trust code)';
COMMENT ON COLUMN analytics.contract_costs.tfc IS 'Treatment function code';
COMMENT ON COLUMN analytics.contract_costs.year IS 'Tariff / contract year (e.g. 2024/25)';
COMMENT ON COLUMN analytics.contract_costs.planned_activity IS 'Activity planned in the shadow contract (NULL: no contract line)';
COMMENT ON COLUMN analytics.contract_costs.planned_value_pence IS 'Planned activity times its price, in pence';
COMMENT ON COLUMN analytics.contract_costs.referrals IS 'Current, active referrals to the provider for the TFC in the year';
COMMENT ON COLUMN analytics.contract_costs.cost_pence IS 'Their cost at tariff, in pence';
COMMENT ON COLUMN analytics.contract_costs.variance_pence IS 'Cost minus planned value, in pence (positive: over plan)';

CREATE VIEW analytics.documents AS
SELECT d.id AS document_id, d.practice_ods AS practice_code, d.source,
       d.state, d.format, d.n_referrals, d.reason, d.received_at, d.stored_at
  FROM pars.documents d;
COMMENT ON VIEW analytics.documents IS 'Documents received: what arrived, by which channel, and what became of it (data quality)';
COMMENT ON COLUMN analytics.documents.document_id IS 'The hub''s id of the document';
COMMENT ON COLUMN analytics.documents.practice_code IS 'Practice the channel vouches for';
COMMENT ON COLUMN analytics.documents.source IS 'Channel: spool, cli, imap:NAME, sftp:NAME';
COMMENT ON COLUMN analytics.documents.state IS 'received, stored or quarantined';
COMMENT ON COLUMN analytics.documents.format IS 'Format detected';
COMMENT ON COLUMN analytics.documents.n_referrals IS 'Referrals read from it';
COMMENT ON COLUMN analytics.documents.reason IS 'Why it was quarantined (an operator''s message; never document content)';
COMMENT ON COLUMN analytics.documents.received_at IS 'When it arrived';
COMMENT ON COLUMN analytics.documents.stored_at IS 'When its referrals were stored';

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_analyst') THEN
        GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO pars_analyst;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_assessor') THEN
        GRANT SELECT ON ALL TABLES IN SCHEMA analytics TO pars_assessor;
        GRANT SELECT ON pars.findings TO pars_assessor;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'grants on analytics not made (insufficient privilege)';
END
$$;
