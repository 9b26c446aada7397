-- Snapshot sources (issue 12 §1): every attempt to fetch a configured source (SNAPSHOT_SOURCES),
-- what came of it, and the provenance of what it imported. A failed, oversized or truncated
-- fetch imports nothing, so the previous snapshot stays in force; the row says why.
-- Every time is the application's clock, bound as a value.
CREATE TABLE snapshot_fetches (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The source's name in the configuration file, and what it holds.
    source_name   text NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('vrps', 'routes', 'irr', 'peeringdb', 'spoofer')),
    -- The URL or local path fetched.
    location      text NOT NULL,
    attempted_at  timestamptz NOT NULL,
    -- imported: a new snapshot; unchanged: 304, or the same bytes as an earlier snapshot; failed: nothing imported.
    outcome       text NOT NULL CHECK (outcome IN ('imported', 'unchanged', 'failed')),
    snapshot_id   bigint REFERENCES measurement_snapshots (id) ON DELETE SET NULL,
    http_status   integer,
    etag          text,
    last_modified text,
    sha256        text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes         bigint CHECK (bytes >= 0),
    duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
    error         text,
    CHECK ((outcome = 'failed') = (error IS NOT NULL)),
    CHECK (outcome <> 'imported' OR snapshot_id IS NOT NULL)
);
-- The latest attempts per source (the admin list, the conditional GET's validators, cadence).
CREATE INDEX snapshot_fetches_source ON snapshot_fetches (source_name, attempted_at DESC, id DESC);
