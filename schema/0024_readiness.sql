-- Measured readiness for anyone (issue 13): the routing metrics the checks use, precomputed per
-- origin ASN from one pair of public snapshots (VRPs and routes, IRR when there is one) by the
-- `measure_readiness` job. These are measurements, never a certification. Only the newest run is
-- kept: a run replaces the one before it in one transaction.
CREATE TABLE readiness_runs (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    routes_snapshot_id bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    vrps_snapshot_id   bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    irr_snapshot_id    bigint REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    routes_taken_at    timestamptz NOT NULL,
    vrps_taken_at      timestamptz NOT NULL,
    irr_taken_at       timestamptz,
    -- Whether the routes snapshot had AS paths; without them rov_invalid_carried is unknown.
    paths_known        boolean NOT NULL,
    measured_at        timestamptz NOT NULL,
    asns               integer NOT NULL CHECK (asns >= 0),
    UNIQUE NULLS NOT DISTINCT (routes_snapshot_id, vrps_snapshot_id, irr_snapshot_id)
);

CREATE TABLE readiness (
    run_id                    bigint NOT NULL REFERENCES readiness_runs (id) ON DELETE CASCADE,
    asn                       bigint NOT NULL CHECK (asn BETWEEN 0 AND 4294967295),
    announcements             integer NOT NULL CHECK (announcements >= 0),
    rpki_valid                integer NOT NULL CHECK (rpki_valid >= 0),
    rpki_invalid              integer NOT NULL CHECK (rpki_invalid >= 0),
    rpki_not_found            integer NOT NULL CHECK (rpki_not_found >= 0),
    -- NULL without an IRR snapshot.
    irr_exact                 integer CHECK (irr_exact >= 0),
    irr_covering              integer CHECK (irr_covering >= 0),
    bogon_prefixes_originated integer NOT NULL CHECK (bogon_prefixes_originated >= 0),
    too_specific_originated   integer NOT NULL CHECK (too_specific_originated >= 0),
    -- NULL without AS paths.
    rov_invalid_carried       integer CHECK (rov_invalid_carried >= 0),
    PRIMARY KEY (run_id, asn)
);

-- Bulk checks find marks by a scope's ASN ('AS64500') without reading every certification.
CREATE INDEX certification_scope_by_value ON certification_scope (kind, value);
