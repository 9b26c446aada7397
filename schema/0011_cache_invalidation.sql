-- Cache invalidation. Every instance keeps catalogs and the actors behind API tokens and browser
-- sessions in memory (Store/Cache), and listens on the channel `manrs_cache`. These triggers
-- name what changed, whoever changes it (an instance, another instance, psql), so each instance
-- drops it within a second of the commit; NOTIFY is delivered only when the transaction commits,
-- and one transaction sends each payload once.
--
-- Payloads: `catalog:<program code>`, `user:<user id>` (role, disabled flag, memberships,
-- sessions), `token:<token id>`. Values are passed to pg_notify as arguments, never spliced
-- into a NOTIFY statement.

CREATE FUNCTION cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed record;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    CASE TG_TABLE_NAME
        WHEN 'programs' THEN PERFORM pg_notify('manrs_cache', 'catalog:' || changed.code);
        WHEN 'catalog_versions' THEN PERFORM pg_notify('manrs_cache', 'catalog:' || changed.program_code);
        WHEN 'users' THEN PERFORM pg_notify('manrs_cache', 'user:' || changed.id);
        WHEN 'memberships', 'sessions' THEN PERFORM pg_notify('manrs_cache', 'user:' || changed.user_id);
        WHEN 'api_tokens' THEN PERFORM pg_notify('manrs_cache', 'token:' || changed.id);
    END CASE;
    -- A row that moved to another program or user: the old one changed too.
    IF TG_OP = 'UPDATE' THEN
        CASE TG_TABLE_NAME
            WHEN 'catalog_versions' THEN PERFORM pg_notify('manrs_cache', 'catalog:' || OLD.program_code);
            WHEN 'memberships', 'sessions' THEN PERFORM pg_notify('manrs_cache', 'user:' || OLD.user_id);
            ELSE NULL;
        END CASE;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER programs_cache AFTER INSERT OR UPDATE OR DELETE ON programs
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
CREATE TRIGGER catalog_versions_cache AFTER INSERT OR UPDATE OR DELETE ON catalog_versions
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
-- A new user or token is not cached anywhere yet: only changes and deletions are announced.
CREATE TRIGGER users_cache AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
CREATE TRIGGER memberships_cache AFTER INSERT OR UPDATE OR DELETE ON memberships
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
CREATE TRIGGER sessions_cache AFTER UPDATE OR DELETE ON sessions
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
-- Marking a token used (`last_used_at`, at most once a minute) changes nothing a cache holds.
CREATE TRIGGER api_tokens_cache_update AFTER UPDATE ON api_tokens
    FOR EACH ROW WHEN (to_jsonb(OLD) - 'last_used_at' IS DISTINCT FROM to_jsonb(NEW) - 'last_used_at')
    EXECUTE FUNCTION cache_notify();
CREATE TRIGGER api_tokens_cache_delete AFTER DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION cache_notify();
