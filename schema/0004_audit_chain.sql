-- The audit trail becomes tamper-evident: events form one hash chain,
--   hash = SHA-256(previous hash || canonical JSON of the event)   (RFC 8785 JCS)
-- `canonical` is the JCS text the application computed when it appended the event. The chain is
-- sealed at commit by a deferred trigger that takes the chain head's row lock, so the lock is the
-- last one any transaction takes (no lock-order deadlocks) and the order of the chain is the
-- order of commits. `manrs-plus audit verify` recomputes every canonical form from the stored
-- columns, so a tampered column or a tampered `canonical` both break the chain.

ALTER TABLE audit_events
    ADD COLUMN seq       bigint UNIQUE,
    ADD COLUMN canonical bytea,
    ADD COLUMN prev_hash bytea CHECK (length(prev_hash) = 32),
    ADD COLUMN hash      bytea CHECK (length(hash) = 32);

CREATE TABLE audit_chain_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint NOT NULL,
    hash     bytea NOT NULL CHECK (length(hash) = 32),
    at       timestamptz NOT NULL
);
INSERT INTO audit_chain_head (seq, hash, at) VALUES (0, decode(repeat('00', 32), 'hex'), now());

-- Events are append-only. The one update allowed is sealing: an unsealed event gets its place in
-- the chain (and, for events from before this migration, its canonical form), nothing else.
CREATE FUNCTION refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL
       AND (OLD.id, OLD.at, OLD.actor_user_id, OLD.actor_role, OLD.action, OLD.entity_type, OLD.entity_id,
            OLD.participant_id, OLD.before, OLD.after, OLD.request_id)
           IS NOT DISTINCT FROM
           (NEW.id, NEW.at, NEW.actor_user_id, NEW.actor_role, NEW.action, NEW.entity_type, NEW.entity_id,
            NEW.participant_id, NEW.before, NEW.after, NEW.request_id)
       AND (OLD.canonical IS NULL OR OLD.canonical = NEW.canonical) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_audit_change();

CREATE FUNCTION refuse_audit_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_audit_truncate();

-- Seals an event into the chain when its transaction commits.
CREATE FUNCTION seal_audit_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head audit_chain_head%ROWTYPE;
    sealed bytea;
BEGIN
    IF NEW.canonical IS NULL THEN
        RETURN NULL;  -- an event without its canonical form waits for `manrs-plus audit seal`
    END IF;
    SELECT * INTO head FROM audit_chain_head FOR UPDATE;
    sealed := sha256(head.hash || NEW.canonical);
    UPDATE audit_events SET seq = head.seq + 1, prev_hash = head.hash, hash = sealed WHERE id = NEW.id;
    UPDATE audit_chain_head SET seq = head.seq + 1, hash = sealed, at = NEW.at;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER audit_events_seal AFTER INSERT ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION seal_audit_event();
