-- Foundation: helpers later migrations build on.
-- Migrations run inside a transaction each: no BEGIN/COMMIT here, and nothing that refuses
-- to run in one (CREATE INDEX CONCURRENTLY, ALTER TYPE ... ADD VALUE before PostgreSQL 12).

-- Keeps an updated_at column current on every UPDATE; tables opt in with a trigger:
--   CREATE TRIGGER participants_touch BEFORE UPDATE ON participants
--     FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
CREATE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- Optimistic concurrency: a row's version goes up by one on every UPDATE, so an ETag can
-- be the version and a stale If-Match is detected in the UPDATE's WHERE clause.
CREATE FUNCTION bump_row_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.row_version := OLD.row_version + 1;
    RETURN NEW;
END;
$$;
