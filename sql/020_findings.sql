-- 020: findings, the hub's feedback on each referral (DESIGN.md,
-- "Assessment"): PUNs (patients' unmet needs, with the saving an
-- alternative to outpatients would make) and DENs (doctors' educational
-- needs), from the rules in conf/rules/ or from the hub's clinical
-- assessors.

CREATE TABLE pars.findings (
    id                  bigserial PRIMARY KEY,
    referral_id         bigint NOT NULL
                        REFERENCES pars.referrals (id) ON DELETE CASCADE,
    rule_id             text,
    rule_version        integer CHECK (rule_version >= 1),
    kind                text NOT NULL CHECK (kind IN ('PUN', 'DEN')),
    theme               text,
    title               text NOT NULL,
    message             text NOT NULL,
    alternative_service text,
    saving_pence        bigint CHECK (saving_pence >= 0),
    source              text NOT NULL CHECK (source IN ('rule', 'assessor')),
    assessor            text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    is_current          boolean NOT NULL DEFAULT true,
    superseded_at       timestamptz,
    -- A rule's finding names its rule and version; an assessor's, who.
    CHECK ((source = 'rule') = (rule_id IS NOT NULL)),
    CHECK ((rule_id IS NULL) = (rule_version IS NULL)),
    CHECK ((source = 'assessor') = (assessor IS NOT NULL)),
    CHECK (is_current = (superseded_at IS NULL))
);
CREATE INDEX findings_referral_idx ON pars.findings (referral_id)
    WHERE is_current;
CREATE INDEX findings_rule_idx ON pars.findings (rule_id, rule_version);

-- An assessor's finding is a clinician's judgement: no re-run of the
-- rules may hide or change it.
CREATE FUNCTION pars.findings_keep_assessors() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.source = 'assessor' THEN
        RAISE EXCEPTION 'finding % was recorded by an assessor and cannot be changed', OLD.id;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER findings_keep_assessors BEFORE UPDATE ON pars.findings
    FOR EACH ROW EXECUTE FUNCTION pars.findings_keep_assessors();

COMMENT ON TABLE pars.findings IS 'PUNs and DENs found in referrals, by the rules (conf/rules/) or by clinical assessors';
COMMENT ON COLUMN pars.findings.rule_id IS 'The rule that made it (NULL for an assessor''s finding)';
COMMENT ON COLUMN pars.findings.rule_version IS 'The version of the rule that made it: kept when the rule changes';
COMMENT ON COLUMN pars.findings.kind IS 'PUN: patient''s unmet need; DEN: doctor''s educational need';
COMMENT ON COLUMN pars.findings.theme IS 'Group for reports (e.g. Referral letter content, NICE NG12 suspected cancer)';
COMMENT ON COLUMN pars.findings.alternative_service IS 'A PUN''s alternative to outpatients: code in ref.alternative_services';
COMMENT ON COLUMN pars.findings.saving_pence IS 'First outpatient attendance at tariff minus the alternative''s price, floored at 0; NULL when either is not known';
COMMENT ON COLUMN pars.findings.source IS 'rule (made by the rules, replaced on a re-run) or assessor (by hand, never replaced)';
COMMENT ON COLUMN pars.findings.is_current IS 'false once a re-run of the rules (pars reassess) replaced it; history is kept';
