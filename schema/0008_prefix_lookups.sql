-- The measurements API finds the VRPs and route objects that cover a participant's routes by
-- exact prefix: every shorter prefix of each route is a candidate, looked up in a btree. A
-- `prefix >>= ANY(routes)` scan instead compared every stored VRP with every route (two minutes
-- for a transit AS's 21,000 routes against 723,000 VRPs). The VRP index replaces the one on
-- snapshot_id alone, so an import maintains one index, as before.
DROP INDEX snapshot_vrps_snapshot;
CREATE INDEX snapshot_vrps_snapshot_prefix ON snapshot_vrps (snapshot_id, prefix);
CREATE INDEX snapshot_irr_routes_snapshot_prefix ON snapshot_irr_routes (snapshot_id, prefix);
