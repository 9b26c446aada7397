-- The ASNs of each stored AS path, as an array kept by PostgreSQL from `as_path` (bgpdump's text
-- form: only digits name ASNs), so the measurements API can find the routes an AS carried as
-- transit through a GIN index instead of reading every path. Existing rows are filled too.
ALTER TABLE snapshot_routes
    ADD COLUMN path_asns bigint[] GENERATED ALWAYS AS (
        string_to_array(btrim(regexp_replace(as_path, '[^0-9]+', ' ', 'g')), ' ')::bigint[]
    ) STORED;
CREATE INDEX snapshot_routes_path_asns ON snapshot_routes USING gin (path_asns) WHERE path_asns IS NOT NULL;
