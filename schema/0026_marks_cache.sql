-- Public mark reads (verify, marks, history, credentials, status lists, badges) are answered from
-- memory on every instance (`Caches.marks`); these triggers announce `marks:all` on the channel of
-- migration 0011 whenever something such a read shows changes, and each instance drops them all.
-- Statement-level: one notification per statement, and PostgreSQL folds repeats in a transaction.

CREATE FUNCTION marks_cache_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('manrs_cache', 'marks:all');
    RETURN NULL;
END
$$;

CREATE TRIGGER marks_cache AFTER INSERT OR UPDATE OR DELETE ON marks FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER mark_credentials_cache AFTER INSERT OR UPDATE OR DELETE ON mark_credentials FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER certifications_marks_cache AFTER INSERT OR UPDATE OR DELETE ON certifications FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER certification_scope_marks_cache AFTER INSERT OR UPDATE OR DELETE ON certification_scope FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER enforcement_transitions_marks_cache AFTER INSERT ON enforcement_transitions FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER check_results_marks_cache AFTER INSERT ON check_results FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER participants_marks_cache AFTER UPDATE ON participants FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER programs_marks_cache AFTER UPDATE ON programs FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
CREATE TRIGGER issuer_keys_marks_cache AFTER INSERT OR UPDATE OR DELETE ON issuer_keys FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
