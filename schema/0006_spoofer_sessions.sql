-- CAIDA Spoofer session results, one row per session and address family tested, imported as
-- a snapshot like the other measurement inputs (kind 'spoofer' is allowed since 0002).
CREATE TABLE snapshot_spoofer_sessions (
    snapshot_id   bigint NOT NULL REFERENCES measurement_snapshots (id) ON DELETE CASCADE,
    session_id    bigint NOT NULL CHECK (session_id >= 0),
    tested_at     timestamptz NOT NULL,
    asn           bigint NOT NULL CHECK (asn BETWEEN 0 AND 4294967295),
    -- The client network as CAIDA publishes it (a /24 or /64).
    prefix        cidr NOT NULL,
    routed_spoof  text CHECK (routed_spoof IN ('received', 'blocked', 'rewritten', 'unknown')),
    private_spoof text CHECK (private_spoof IN ('received', 'blocked', 'rewritten', 'unknown')),
    nat           boolean
);
CREATE INDEX snapshot_spoofer_sessions_snapshot_asn ON snapshot_spoofer_sessions (snapshot_id, asn);
