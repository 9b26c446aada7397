-- Renewal decisions and catch-up (issue 12 §3, issue 13; rules in Domain/Renewal.swift).
-- A renewal's deadline is stored: its due date, or for a re-attestation the server opened late
-- (after downtime) or sent back for changes, a later date, so the participant never loses time
-- to the server's absence or the auditors' request. The auditors' final decision is recorded.
ALTER TABLE renewals ADD COLUMN deadline_at timestamptz;
UPDATE renewals SET deadline_at = due_at;
ALTER TABLE renewals ALTER COLUMN deadline_at SET NOT NULL;
ALTER TABLE renewals ADD CONSTRAINT renewals_deadline_after_due CHECK (deadline_at >= due_at);
ALTER TABLE renewals ADD COLUMN decided_at timestamptz;
ALTER TABLE renewals ADD COLUMN decision_id uuid REFERENCES decisions (id);
ALTER TABLE renewals ADD COLUMN outcome text CHECK (outcome IN ('accepted', 'rejected'));
ALTER TABLE renewals ADD CONSTRAINT renewals_decided_shape CHECK ((decided_at IS NULL) = (outcome IS NULL) AND (decided_at IS NULL) = (decision_id IS NULL));
DROP INDEX renewals_waiting;
CREATE INDEX renewals_waiting ON renewals (deadline_at) WHERE confirmed_at IS NULL AND missed_at IS NULL AND decided_at IS NULL;
CREATE INDEX renewals_by_item ON renewals (review_item_id);

-- A recertification gives the mark a new credential under the same id and the same status-list
-- entry (issue 13): the entry belongs to the first credential (`renews` NULL); a renewed
-- credential names the one it renews and shares its index. The bits are read from every row.
ALTER TABLE mark_credentials ADD COLUMN renews uuid REFERENCES mark_credentials (id);
ALTER TABLE mark_credentials DROP CONSTRAINT mark_credentials_status_index_key;
CREATE UNIQUE INDEX mark_credentials_status_index_key ON mark_credentials (status_index) WHERE renews IS NULL;
CREATE INDEX mark_credentials_by_index ON mark_credentials (status_index);
