-- A participant's record (names, country, website, status, programs) is read on most requests
-- that name it, and changes rarely: every instance keeps the encoded read in memory
-- (`Caches.participants`) and drops it when one of these triggers announces `participant:<id>`
-- on the channel of migration 0011. Resources, contacts and members are not part of that read.

CREATE FUNCTION participant_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    CASE TG_TABLE_NAME
        WHEN 'participants' THEN PERFORM pg_notify('manrs_cache', 'participant:' || changed.id);
        WHEN 'participant_programs' THEN PERFORM pg_notify('manrs_cache', 'participant:' || changed.participant_id);
    END CASE;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'participant_programs' THEN
        PERFORM pg_notify('manrs_cache', 'participant:' || OLD.participant_id);
    END IF;
    RETURN NULL;
END
$$;

-- A new participant is not cached anywhere yet: only changes and deletions are announced.
CREATE TRIGGER participants_cache AFTER UPDATE OR DELETE ON participants
    FOR EACH ROW EXECUTE FUNCTION participant_cache_notify();
CREATE TRIGGER participant_programs_cache AFTER INSERT OR UPDATE OR DELETE ON participant_programs
    FOR EACH ROW EXECUTE FUNCTION participant_cache_notify();
