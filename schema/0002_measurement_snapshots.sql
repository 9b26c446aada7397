-- Measurement inputs, imported as immutable snapshots with their provenance.
-- One row per imported file; the same file (by SHA-256) is imported once per kind.
CREATE TABLE measurement_snapshots (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('vrps', 'routes', 'irr', 'peeringdb', 'spoofer')),
    source_name text NOT NULL CHECK (length(source_name) BETWEEN 1 AND 200),
    file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    taken_at    timestamptz NOT NULL,
    imported_at timestamptz NOT NULL DEFAULT now(),
    records     bigint NOT NULL DEFAULT 0 CHECK (records >= 0),
    rejected    bigint NOT NULL DEFAULT 0 CHECK (rejected >= 0),
    truncated   boolean NOT NULL DEFAULT false,
    -- The first rejects, each {"line"|"offset", "reason"}, so an operator can see what was skipped.
    rejects     jsonb NOT NULL DEFAULT '[]',
    UNIQUE (kind, file_sha256)
);

CREATE TABLE snapshot_vrps (
    snapshot_id bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    prefix      cidr NOT NULL,
    max_length  smallint NOT NULL CHECK (max_length BETWEEN 0 AND 128),
    asn         bigint NOT NULL CHECK (asn BETWEEN 0 AND 4294967295)
);
CREATE INDEX snapshot_vrps_snapshot ON snapshot_vrps (snapshot_id);

CREATE TABLE snapshot_routes (
    snapshot_id bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    prefix      cidr NOT NULL,
    -- NULL when the path ends in an AS_SET (origin_text then holds it, e.g. {64512,64513}).
    origin_asn  bigint CHECK (origin_asn BETWEEN 0 AND 4294967295),
    origin_text text NOT NULL,
    as_path     text
);
CREATE INDEX snapshot_routes_snapshot_origin ON snapshot_routes (snapshot_id, origin_asn);

CREATE TABLE snapshot_irr_routes (
    snapshot_id bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    prefix      cidr NOT NULL,
    origin_asn  bigint NOT NULL CHECK (origin_asn BETWEEN 0 AND 4294967295),
    maintainers text[] NOT NULL DEFAULT '{}',
    source      text
);
CREATE INDEX snapshot_irr_routes_snapshot_origin ON snapshot_irr_routes (snapshot_id, origin_asn);

CREATE TABLE snapshot_peeringdb_networks (
    snapshot_id bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    asn         bigint NOT NULL CHECK (asn BETWEEN 0 AND 4294967295),
    name        text NOT NULL,
    has_noc     boolean NOT NULL,
    has_abuse   boolean NOT NULL,
    PRIMARY KEY (snapshot_id, asn)
);
