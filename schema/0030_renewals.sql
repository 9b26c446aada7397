-- Re-attestations and recertifications (issue 12 §3): one row per certification, kind and due
-- date, written on the transaction that opens its review item and tells the participant (the
-- row is the "once"). The participant's confirmation and a missed re-attestation are recorded
-- here; the rules are Domain/Renewal.swift (RenewalRules).
CREATE TABLE renewals (
    certification_id uuid NOT NULL REFERENCES certifications (id),
    kind             text NOT NULL CHECK (kind IN ('reattestation', 'recertification')),
    due_at           timestamptz NOT NULL,
    opened_at        timestamptz NOT NULL,
    -- NULL when an item of this kind was still open for the certification (it carries on).
    review_item_id   uuid REFERENCES review_items (id),
    confirmed_at     timestamptz,
    confirmed_by     uuid REFERENCES users (id),
    missed_at        timestamptz,
    PRIMARY KEY (certification_id, kind, due_at),
    CHECK ((confirmed_at IS NULL) = (confirmed_by IS NULL)),
    CHECK (missed_at IS NULL OR kind = 'reattestation')
);
CREATE INDEX renewals_waiting ON renewals (due_at) WHERE confirmed_at IS NULL AND missed_at IS NULL;
