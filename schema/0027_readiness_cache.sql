-- Verification by ASN shows measured readiness for a network without a mark (issue 13), and is
-- answered from memory (`Caches.marks`): a new readiness run drops those answers everywhere, as a
-- change to marks does (migration 0026).
CREATE TRIGGER readiness_runs_marks_cache AFTER INSERT OR UPDATE OR DELETE ON readiness_runs FOR EACH STATEMENT EXECUTE FUNCTION marks_cache_notify();
