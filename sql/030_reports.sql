-- 030: report runs and their deliveries, the analytics schema and the
-- roles that read it (DESIGN.md, "Reports" and "Database").  The views
-- themselves are in 035 (they need the coding and rules columns).

-- One row per `pars report run`: what period, which kind, who ran it.
CREATE TABLE pars.report_runs (
    id          bigserial PRIMARY KEY,
    kind        text NOT NULL
                CHECK (kind IN ('nightly', 'monthly', 'quarterly', 'adhoc')),
    period      text NOT NULL,
    period_from date NOT NULL,
    period_to   date NOT NULL,
    host        text,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    reports     integer,
    delivered   integer,
    unchanged   integer,
    failed      integer
);
COMMENT ON TABLE pars.report_runs IS 'Each report run: period, kind, host, and how many reports were delivered, unchanged or failed';
COMMENT ON COLUMN pars.report_runs.period IS 'YYYY-MM (a month or the month to date), YYYY-Qn (a quarter), or FROM..TO';

-- One row per report per run: a practice's report (or a locality's
-- summary for the hub's staff), the files, and how it was delivered.
CREATE TABLE pars.report_deliveries (
    id             bigserial PRIMARY KEY,
    run_id         bigint NOT NULL REFERENCES pars.report_runs (id),
    period         text NOT NULL,
    audience       text NOT NULL CHECK (audience IN ('practice', 'locality')),
    practice_code  text NOT NULL,
    channel        text NOT NULL CHECK (channel IN ('outbox', 'email', 'sftp')),
    destination    text,
    files          jsonb NOT NULL,
    content_sha256 text NOT NULL,
    summary        jsonb NOT NULL,
    changes        text,
    status         text NOT NULL
                   CHECK (status IN ('delivered', 'failed', 'unchanged', 'held')),
    reason         text,
    attempts       integer NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    delivered_at   timestamptz
);
CREATE INDEX report_deliveries_practice_idx
    ON pars.report_deliveries (practice_code, period, id);
CREATE INDEX report_deliveries_failed_idx ON pars.report_deliveries (id)
    WHERE status = 'failed';
COMMENT ON TABLE pars.report_deliveries IS 'Each report of a run: files with their SHA-256, channel, delivered / unchanged / held / failed with the reason';
COMMENT ON COLUMN pars.report_deliveries.practice_code IS 'The practice (ODS), or the locality name for a locality summary';
COMMENT ON COLUMN pars.report_deliveries.files IS 'JSON array of {name, bytes, sha256} for the HTML, CSV and PDF';
COMMENT ON COLUMN pars.report_deliveries.content_sha256 IS 'SHA-256 of the CSV of figures: the same figures give the same hash (a re-run is idempotent)';
COMMENT ON COLUMN pars.report_deliveries.summary IS 'Headline figures and the keys of the flags, PUNs and quarantined documents, for saying what changed';
COMMENT ON COLUMN pars.report_deliveries.changes IS 'What changed since the last delivered report for the same practice and period';
COMMENT ON COLUMN pars.report_deliveries.status IS 'delivered; unchanged (same figures as already delivered); held (nothing new, e-mail not sent); failed (reason says why; retried)';

CREATE SCHEMA IF NOT EXISTS analytics;
COMMENT ON SCHEMA analytics IS 'Documented read-only views for analysts: coded referrals with pseudonymised patients and no free text, findings, rates, costs against contracts (docs/analytics.md)';

-- Roles: pars_analyst reads analytics only; pars_assessor also the
-- clinical text and findings.  NOLOGIN groups: grant them to login roles.
-- A migration run without CREATEROLE carries on and says so.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_analyst') THEN
        CREATE ROLE pars_analyst NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_assessor') THEN
        CREATE ROLE pars_assessor NOLOGIN;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'roles pars_analyst and pars_assessor not created (no CREATEROLE privilege): ask the database administrator to create them NOLOGIN and run pars db migrate again';
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_analyst') THEN
        GRANT USAGE ON SCHEMA analytics TO pars_analyst;
        ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO pars_analyst;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'pars_assessor') THEN
        GRANT USAGE ON SCHEMA analytics TO pars_assessor;
        ALTER DEFAULT PRIVILEGES IN SCHEMA analytics GRANT SELECT ON TABLES TO pars_assessor;
        GRANT USAGE ON SCHEMA pars TO pars_assessor;
        GRANT SELECT ON pars.referrals, pars.referral_codes TO pars_assessor;
    END IF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'grants to pars_analyst and pars_assessor not made (insufficient privilege)';
END
$$;
