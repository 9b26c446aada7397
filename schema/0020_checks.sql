-- Periodic checks and enforcement timers (issue 12 §3-§5): reminders sent once, scope changes
-- flagged once, and the outbox's event kinds opened to the enforcement notices. The rules are
-- Domain/Surveillance.swift; these tables only remember what was done.

-- The outbox's event kinds are NotificationEvent's (an unknown stored kind is unreadable): the
-- schema checks their shape, so each new event does not need a migration of its own.
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_event_kind_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_event_kind_shape CHECK (event_kind ~ '^[a-z][a-z_]*\.[a-z][a-z_]*$');

-- A reminder before a deadline or the end of validity, sent once per date it reminds of: a new
-- deadline (after an appeal or a new warning) gets its own reminders.
CREATE TABLE enforcement_reminders (
    certification_id uuid NOT NULL REFERENCES certifications (id),
    kind             text NOT NULL CHECK (kind IN ('deadline_7d', 'deadline_1d', 'expiry_30d')),
    about            timestamptz NOT NULL,
    sent_at          timestamptz NOT NULL,
    PRIMARY KEY (certification_id, kind, about)
);

-- A resource of a certification's recorded scope that lost its verification or its holder,
-- flagged for the auditors once.
CREATE TABLE certification_scope_flags (
    certification_id uuid NOT NULL REFERENCES certifications (id),
    kind             text NOT NULL,
    value            text NOT NULL,
    flagged_at       timestamptz NOT NULL,
    PRIMARY KEY (certification_id, kind, value)
);

-- The runner reads a check's latest verdicts and a certification's latest run.
CREATE INDEX check_results_by_check ON check_results (certification_id, action_code, measured_at DESC);
