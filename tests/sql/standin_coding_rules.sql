-- Stand-ins, for the report tests only, for what the coding (migrations
-- 010-019) and rules (020-029) work adds, with the names of the schema
-- contract in BRIEF.md.  Idempotent.  Remove once both are merged: the
-- real migrations then come before 035 and this is never applied.
ALTER TABLE pars.referrals
    ADD COLUMN IF NOT EXISTS tfc text,
    ADD COLUMN IF NOT EXISTS tfc_evidence text,
    ADD COLUMN IF NOT EXISTS hrg text,
    ADD COLUMN IF NOT EXISTS price_pence bigint,
    ADD COLUMN IF NOT EXISTS tariff_year text,
    ADD COLUMN IF NOT EXISTS coding_status text,
    ADD COLUMN IF NOT EXISTS coding_warnings text[] NOT NULL DEFAULT '{}',
    ADD COLUMN IF NOT EXISTS referrer_known boolean,
    ADD COLUMN IF NOT EXISTS practice_known boolean;
CREATE TABLE IF NOT EXISTS ref.practices (
    code text PRIMARY KEY, name text, open_date date, close_date date,
    status text, commissioner text);
CREATE TABLE IF NOT EXISTS ref.gps (
    code text PRIMARY KEY, practice_code text, name text);
CREATE TABLE IF NOT EXISTS ref.tfc (code text PRIMARY KEY, title text NOT NULL);
CREATE TABLE IF NOT EXISTS ref.alternative_services (
    id bigserial PRIMARY KEY, code text UNIQUE, name text, tfc text,
    replaces text, price_pence bigint);
CREATE TABLE IF NOT EXISTS ref.shadow_contracts (
    provider text, tfc text, pod text, year text, planned_activity numeric,
    price_pence bigint);
CREATE TABLE IF NOT EXISTS ref.list_sizes (
    practice_code text, as_of date, raw integer, weighted numeric,
    PRIMARY KEY (practice_code, as_of));
CREATE TABLE IF NOT EXISTS pars.findings (
    id bigserial PRIMARY KEY,
    referral_id bigint NOT NULL REFERENCES pars.referrals (id),
    rule_id text NOT NULL, rule_version text,
    kind text NOT NULL CHECK (kind IN ('PUN', 'DEN')),
    theme text, title text, message text, alternative_service text,
    saving_pence bigint, source text NOT NULL DEFAULT 'rule', assessor text,
    created_at timestamptz NOT NULL DEFAULT now(),
    is_current boolean NOT NULL DEFAULT true);
CREATE INDEX IF NOT EXISTS findings_referral_idx ON pars.findings (referral_id);
