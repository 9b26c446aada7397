-- Enforcement (issue 12 §3, §4): what a certification covers at its grant, immutable check
-- results, and the enforcement transitions with their causes. The rules are
-- Domain/Enforcement.swift and Domain/CheckEvaluation.swift; these tables only keep what they decided.

-- The escalation timer of a warned or suspended certification, and the open appeal that holds it.
ALTER TABLE certifications
    ADD COLUMN enforcement_deadline timestamptz,
    ADD COLUMN appeal_opened_at      timestamptz,
    ADD CONSTRAINT certifications_deadline CHECK (enforcement_deadline IS NULL OR status IN ('warned', 'suspended'));

-- The verified resources a certification covers, recorded when it is granted: checks measure
-- exactly these, not what the participant holds later.
CREATE TABLE certification_scope (
    certification_id uuid NOT NULL REFERENCES certifications (id),
    kind             text NOT NULL CHECK (kind IN ('asn', 'prefix', 'route_server_asn', 'peering_lan')),
    value            text NOT NULL,
    -- The claim it came from; NULL once the claim is gone (the value stays, for the auditors).
    resource_id      uuid REFERENCES resources (id) ON DELETE SET NULL,
    PRIMARY KEY (certification_id, kind, value)
);

-- Rows that never change once written: a correction is a new row.
CREATE FUNCTION refuse_enforcement_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END $$;

CREATE TABLE check_results (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    certification_id uuid NOT NULL REFERENCES certifications (id),
    action_code      text NOT NULL,
    -- The check as the catalog version states it (kind, thresholds, basis, window).
    check_definition jsonb NOT NULL,
    metric_value     double precision,
    verdict          text NOT NULL CHECK (verdict IN ('pass', 'fail', 'insufficient_data')),
    explanation      text NOT NULL,
    evidence         text[] NOT NULL DEFAULT '{}',
    snapshot_ids     bigint[] NOT NULL,
    measured_at      timestamptz NOT NULL,
    -- The result this one corrects, if any.
    corrects         uuid REFERENCES check_results (id)
);
CREATE INDEX check_results_by_certification ON check_results (certification_id, measured_at DESC);
CREATE TRIGGER check_results_immutable BEFORE UPDATE OR DELETE ON check_results FOR EACH ROW EXECUTE FUNCTION refuse_enforcement_record_change();

CREATE TABLE enforcement_transitions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    certification_id uuid NOT NULL REFERENCES certifications (id),
    from_status      text NOT NULL CHECK (from_status IN ('active', 'warned', 'suspended', 'revoked', 'expired', 'withdrawn')),
    to_status        text NOT NULL CHECK (to_status IN ('active', 'warned', 'suspended', 'revoked', 'expired', 'withdrawn')),
    at               timestamptz NOT NULL,
    -- The new state's escalation deadline, and the one it had before (to restore it).
    deadline         timestamptz,
    from_deadline    timestamptz,
    cause            text NOT NULL CHECK (cause IN (
                         'check_failed', 'reattestation_missed', 'auditor_finding', 'checks_passed', 'deadline_passed',
                         'max_suspension_passed', 'validity_ended', 'reinstatement', 'revoked_for_cause', 'withdrawal',
                         'dispute_accepted', 'appeal_granted', 'override')),
    cause_results    uuid[] NOT NULL DEFAULT '{}',
    cause_decision   uuid,
    reason           text,
    -- Who made it happen: a user, or NULL for the scheduler.
    actor_id         uuid REFERENCES users (id),
    actor_role       text NOT NULL CHECK (actor_role IN ('scheduler', 'participant', 'auditor', 'admin')),
    CHECK (from_status <> to_status),
    CHECK ((actor_role = 'scheduler') = (actor_id IS NULL)),
    CHECK (cause <> 'override' OR reason IS NOT NULL)
);
CREATE INDEX enforcement_transitions_by_certification ON enforcement_transitions (certification_id, at DESC);
CREATE TRIGGER enforcement_transitions_immutable BEFORE UPDATE OR DELETE ON enforcement_transitions
    FOR EACH ROW EXECUTE FUNCTION refuse_enforcement_record_change();
