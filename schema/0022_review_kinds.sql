-- Review items beyond applications (issue 12 §3, §4): a dispute of a failed check result, an
-- appeal against an enforcement transition, a reinstatement to decide, two checks in a row
-- without enough data, a changed scope, re-attestation and recertification. Each refers to a
-- certification, and to the check result or the transition it is about. The rules are
-- Domain/ReviewKinds.swift; this only keeps what they decided.

ALTER TABLE review_items DROP CONSTRAINT review_items_kind_check;
ALTER TABLE review_items
    ADD CONSTRAINT review_items_kind_check CHECK (kind IN (
        'application', 'dispute', 'appeal', 'reinstatement', 'insufficient_data', 'scope_changed', 'reattestation', 'recertification')),
    ALTER COLUMN application_id DROP NOT NULL,
    ADD COLUMN certification_id uuid REFERENCES certifications (id),
    ADD COLUMN check_result_id  uuid REFERENCES check_results (id),
    ADD COLUMN transition_id    uuid REFERENCES enforcement_transitions (id),
    -- What the participant wrote: why a result is a false positive, why an appeal should succeed.
    ADD COLUMN statement        text CHECK (length(statement) BETWEEN 1 AND 20000),
    -- The member who opened a dispute or an appeal; NULL when enforcement or the scheduler did.
    ADD COLUMN opened_by        uuid REFERENCES users (id),
    ADD CONSTRAINT review_items_subject CHECK ((kind = 'application') = (application_id IS NOT NULL)
                                               AND (kind = 'application') = (certification_id IS NULL)),
    ADD CONSTRAINT review_items_dispute CHECK ((kind = 'dispute') = (check_result_id IS NOT NULL)),
    ADD CONSTRAINT review_items_appeal CHECK ((kind = 'appeal') = (transition_id IS NOT NULL));

-- One open item per certification and kind (opening twice is a no-op), one open dispute per result.
CREATE UNIQUE INDEX review_items_one_open_task ON review_items (certification_id, kind)
    WHERE status <> 'closed' AND kind NOT IN ('application', 'dispute');
CREATE UNIQUE INDEX review_items_one_open_dispute ON review_items (check_result_id) WHERE status <> 'closed' AND kind = 'dispute';
CREATE INDEX review_items_certification ON review_items (certification_id) WHERE certification_id IS NOT NULL;

-- Decisions on items other than applications have no application and no round.
ALTER TABLE decisions ALTER COLUMN application_id DROP NOT NULL;
CREATE UNIQUE INDEX decisions_one_final_per_item ON decisions (review_item_id) WHERE final;

-- An accepted dispute voids its result: a new record, the result itself never changes.
CREATE TABLE check_result_voids (
    check_result_id uuid PRIMARY KEY REFERENCES check_results (id),
    review_item_id  uuid NOT NULL REFERENCES review_items (id),
    decision_id     uuid NOT NULL REFERENCES decisions (id),
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 20000),
    voided_by       uuid NOT NULL REFERENCES users (id),
    voided_at       timestamptz NOT NULL
);
CREATE TRIGGER check_result_voids_immutable BEFORE UPDATE OR DELETE ON check_result_voids
    FOR EACH ROW EXECUTE FUNCTION refuse_enforcement_record_change();

-- The outbox's event kinds are checked by shape since migration 0020, so the new events need no
-- change here.

-- Auditors are told once per item and threshold that it is near (one working day) or past its
-- due time: the row is the "once".
CREATE TABLE review_item_reminders (
    review_item_id uuid NOT NULL REFERENCES review_items (id),
    threshold      text NOT NULL CHECK (threshold IN ('near', 'past')),
    sent_at        timestamptz NOT NULL,
    PRIMARY KEY (review_item_id, threshold)
);
