-- 002: the practices that belong to the hub (its locality or region):
-- who sends referrals, who gets receipts and reports, and who their
-- anonymous peers are.  Reference data about every practice in England
-- (ODS epraccur) lives in ref.*; this is membership.

CREATE TABLE pars.practices (
    code       text PRIMARY KEY CHECK (code ~ '^[A-Z][0-9]{5}$'),
    name       text,
    locality   text NOT NULL DEFAULT 'default',
    email      text,
    active     boolean NOT NULL DEFAULT true,
    joined     date NOT NULL DEFAULT current_date,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pars.practices IS 'Member practices of the hub: who sends, who gets receipts and reports, who their peers are';
COMMENT ON COLUMN pars.practices.locality IS 'Practices are compared with the other practices of their locality';
COMMENT ON COLUMN pars.practices.email IS 'Where receipts and reports are sent (NHSmail address)';
