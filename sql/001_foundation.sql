-- 001: documents as they arrive, their encrypted raw bytes, and the
-- canonical referrals parsed from them (DESIGN.md, "Database").

CREATE SCHEMA IF NOT EXISTS pars;
CREATE SCHEMA IF NOT EXISTS ref;

COMMENT ON SCHEMA pars IS 'The hub''s own data: documents, referrals, codes, findings, report runs';
COMMENT ON SCHEMA ref IS 'Reference data loaded from the files publishers issue (ODS, TFC, prices)';

-- One row per file received, keyed by the SHA-256 of its bytes: the same
-- bytes sent twice are one document.
CREATE TABLE pars.documents (
    id            bigserial PRIMARY KEY,
    sha256        bytea NOT NULL UNIQUE CHECK (octet_length(sha256) = 32),
    size_bytes    bigint NOT NULL,
    source        text NOT NULL,
    practice_ods  text,
    parent_id     bigint REFERENCES pars.documents (id),
    state         text NOT NULL DEFAULT 'received'
                  CHECK (state IN ('received', 'stored', 'quarantined')),
    reason        text,
    format        text,
    attempts      integer NOT NULL DEFAULT 0,
    n_referrals   integer,
    received_at   timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    stored_at     timestamptz,
    raw_purged_at timestamptz
);
CREATE INDEX documents_received_idx ON pars.documents (id)
    WHERE state = 'received';
CREATE INDEX documents_quarantined_idx ON pars.documents (id)
    WHERE state = 'quarantined';
CREATE INDEX documents_practice_idx ON pars.documents (practice_ods, received_at);
CREATE INDEX documents_parent_idx ON pars.documents (parent_id)
    WHERE parent_id IS NOT NULL;

COMMENT ON TABLE pars.documents IS 'Every file received, once (SHA-256 unique); state received -> stored or quarantined';
COMMENT ON COLUMN pars.documents.source IS 'Channel it came by: spool, cli, imap:NAME, sftp:NAME';
COMMENT ON COLUMN pars.documents.practice_ods IS 'Practice the channel vouches for (drop directory, S/MIME signer)';
COMMENT ON COLUMN pars.documents.reason IS 'Why it was quarantined, in words an operator can act on';

-- The raw bytes, AES-256-GCM under the archive key; purged after the
-- retention period once the document is stored.
CREATE TABLE pars.document_blobs (
    document_id bigint PRIMARY KEY
                REFERENCES pars.documents (id) ON DELETE CASCADE,
    key_id      text NOT NULL,
    raw         bytea NOT NULL,
    meta        bytea
);
COMMENT ON TABLE pars.document_blobs IS 'Raw documents, encrypted (AES-256-GCM); meta holds the encrypted file name';

-- Rows of a batch document (CSV) that were rejected while the rest were
-- stored, and other per-document notes.
CREATE TABLE pars.document_issues (
    document_id bigint NOT NULL REFERENCES pars.documents (id) ON DELETE CASCADE,
    row_no      integer,
    message     text NOT NULL
);
CREATE INDEX document_issues_doc_idx ON pars.document_issues (document_id);

CREATE TABLE pars.referrals (
    id                bigserial PRIMARY KEY,
    document_id       bigint NOT NULL REFERENCES pars.documents (id),
    position          integer NOT NULL,
    format            text NOT NULL,
    source_id         text,
    status            text NOT NULL CHECK (status IN ('active', 'cancelled')),
    practice_ods      text,
    referrer_code     text,
    referrer_name     text,
    patient_pseudonym text CHECK (patient_pseudonym ~ '^[0-9a-f]{64}$'),
    nhs_number_valid  boolean NOT NULL,
    age_years         integer CHECK (age_years BETWEEN 0 AND 150),
    sex               text NOT NULL
                      CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    referral_date     date,
    priority          text CHECK (priority IN ('routine', 'urgent', 'two_week_wait')),
    tfc_sent          text,
    ers_specialty     text,
    ers_clinic_type   text,
    specialty_text    text,
    provider_ods      text,
    consultant_code   text,
    reason_text       text,
    medication_text   text,
    results_text      text,
    warnings          text[] NOT NULL DEFAULT '{}',
    content_sha256    bytea NOT NULL,
    is_current        boolean NOT NULL DEFAULT false,
    duplicate_of      bigint REFERENCES pars.referrals (id),
    supersedes        bigint REFERENCES pars.referrals (id),
    superseded_by     bigint,
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (document_id, position)
);
-- One current version of a referral per practice and source id: a re-sent
-- copy is a duplicate, a changed one supersedes it (history kept).
CREATE UNIQUE INDEX referrals_current_idx
    ON pars.referrals (practice_ods, source_id)
    WHERE is_current AND source_id IS NOT NULL AND practice_ods IS NOT NULL;
CREATE INDEX referrals_source_idx ON pars.referrals (practice_ods, source_id);
CREATE INDEX referrals_practice_date_idx ON pars.referrals (practice_ods, referral_date);
CREATE INDEX referrals_date_idx ON pars.referrals (referral_date);

COMMENT ON TABLE pars.referrals IS 'Canonical referrals, pseudonymised: no NHS number, name, address or date of birth';
COMMENT ON COLUMN pars.referrals.patient_pseudonym IS 'HMAC-SHA256 of the NHS number under the hub''s pseudonym key (hex)';
COMMENT ON COLUMN pars.referrals.is_current IS 'The version counted: false for duplicates and superseded versions';
COMMENT ON COLUMN pars.referrals.content_sha256 IS 'Hash of the referral''s content, to tell a duplicate from a correction';

CREATE TABLE pars.referral_codes (
    referral_id bigint NOT NULL REFERENCES pars.referrals (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('diagnosis', 'procedure')),
    system      text NOT NULL CHECK (system IN ('icd10', 'snomed', 'opcs4', 'other')),
    code        text NOT NULL,
    text        text
);
CREATE INDEX referral_codes_ref_idx ON pars.referral_codes (referral_id);
CREATE INDEX referral_codes_code_idx ON pars.referral_codes (system, code);

-- Decides, for newly inserted referrals, which version of each referral
-- is current: the first copy is; a later identical copy is a duplicate of
-- it; a later changed copy supersedes it.
CREATE FUNCTION pars.resolve_versions(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    r    record;
    prev record;
BEGIN
    -- The common case in one statement: nothing earlier with this key.
    UPDATE pars.referrals n SET is_current = true
     WHERE n.id = ANY (ids)
       AND (n.source_id IS NULL OR n.practice_ods IS NULL
            OR NOT EXISTS (
                SELECT 1 FROM pars.referrals o
                 WHERE o.practice_ods = n.practice_ods
                   AND o.source_id = n.source_id
                   AND (o.is_current OR (o.id = ANY (ids) AND o.id < n.id))));
    -- The rest one at a time, oldest first.
    FOR r IN SELECT id, practice_ods, source_id, content_sha256
               FROM pars.referrals
              WHERE id = ANY (ids) AND NOT is_current
                AND source_id IS NOT NULL AND practice_ods IS NOT NULL
              ORDER BY id
    LOOP
        SELECT id, content_sha256 INTO prev
          FROM pars.referrals
         WHERE practice_ods = r.practice_ods AND source_id = r.source_id
           AND is_current
           FOR UPDATE;
        IF NOT FOUND THEN
            UPDATE pars.referrals SET is_current = true WHERE id = r.id;
        ELSIF prev.content_sha256 = r.content_sha256 THEN
            UPDATE pars.referrals SET duplicate_of = prev.id WHERE id = r.id;
        ELSE
            UPDATE pars.referrals SET is_current = false, superseded_by = r.id
             WHERE id = prev.id;
            UPDATE pars.referrals SET is_current = true, supersedes = prev.id
             WHERE id = r.id;
        END IF;
    END LOOP;
END;
$$;
