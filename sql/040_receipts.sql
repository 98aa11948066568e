-- 040: receipts mailed back to practices for what came by mail or SFTP
-- (issue 4): which top-level documents each receipt covered, so every
-- document gets one.  A receipt holds source ids and counts, never a
-- patient identifier.

CREATE TABLE pars.receipts (
    id            bigserial PRIMARY KEY,
    practice_ods  text,
    address       text,
    state         text NOT NULL
                  CHECK (state IN ('sent', 'no_address', 'no_practice')),
    n_documents   integer NOT NULL,
    n_referrals   integer NOT NULL,
    n_quarantined integer NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE pars.receipts IS 'Receipts sent to practices (or why none could be: no address, no practice known)';

CREATE TABLE pars.receipt_documents (
    document_id bigint PRIMARY KEY
                REFERENCES pars.documents (id) ON DELETE CASCADE,
    receipt_id  bigint NOT NULL REFERENCES pars.receipts (id) ON DELETE CASCADE
);
CREATE INDEX receipt_documents_receipt_idx ON pars.receipt_documents (receipt_id);
COMMENT ON TABLE pars.receipt_documents IS 'The top-level documents (a message, a file) each receipt covered';
