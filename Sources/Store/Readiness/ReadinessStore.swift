import Domain
import Foundation
import Postgres
import Routing

/// The snapshots one readiness run measured, and when.
public struct ReadinessRun: Sendable, Equatable {
    public let id: Int
    public let routes: ParticipantMeasurement.SnapshotReference
    public let vrps: ParticipantMeasurement.SnapshotReference
    public let irr: ParticipantMeasurement.SnapshotReference?
    /// Whether the routes snapshot had AS paths (so `rov_invalid_carried` is known).
    public let pathsKnown: Bool
    public let measuredAt: Date
    public let asns: Int
}

extension ParticipantMeasurement.SnapshotReference: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.id == rhs.id && lhs.takenAt == rhs.takenAt }
}

/// One ASN's measured readiness: the routing metrics the checks use, from the latest run.
public struct Readiness: Sendable {
    /// The counts, as `Routing.Measurement` computed them; their shares and score come from it.
    public let metrics: ASNMetrics
    public let run: ReadinessRun

    public var asn: ASN { metrics.asn }
    public var rpkiInvalidShare: Double? {
        metrics.announcements > 0 ? Double(metrics.rpkiInvalid) / Double(metrics.announcements) : nil
    }
    /// nil without an IRR snapshot.
    public var irrCoverage: Double? { run.irr == nil ? nil : metrics.irrCoverage }
    /// nil without AS paths.
    public var rovInvalidCarried: Int? { run.pathsKnown ? metrics.rovInvalidCarried : nil }
}

/// Measured readiness for any origin ASN (issue 13): precomputed by the `measure_readiness` job
/// from the newest snapshot pair, read in one query however many ASNs are asked for.
public struct ReadinessStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Measures every origin ASN of the newest routes snapshot with the VRPs (and IRR objects)
    /// of its moment, when that pair has not been measured yet, and makes it the run readers
    /// see. Returns the new run, or nil when there was nothing new (no snapshots, or this pair is
    /// the latest run already): running it twice measures once.
    public func refresh(at now: Date) async throws -> ReadinessRun? {
        try await database.withConnection { connection in
            guard let routes = try await MeasurementStore.snapshot(.routes, on: connection),
                let vrps = try await MeasurementStore.snapshot(.vrps, preferringNotAfter: routes.takenAt, on: connection)
            else { return nil }
            let irr = try await MeasurementStore.snapshot(.irr, preferringNotAfter: routes.takenAt, on: connection)
            let done = try await connection.query(
                """
                SELECT 1 FROM readiness_runs WHERE routes_snapshot_id = \(routes.id) AND vrps_snapshot_id = \(vrps.id)
                AND irr_snapshot_id IS NOT DISTINCT FROM \(irr?.id)::bigint
                """)
            if done.single != nil { return nil }

            let vrpList = try await connection.query(
                "SELECT prefix::text, max_length, asn FROM snapshot_vrps WHERE snapshot_id = \(vrps.id)"
            ).map { row in
                VRP(
                    prefix: try IPPrefix(try row.decode(0, as: String.self), strict: false), maxLength: UInt8(try row.decode(1, as: Int.self)),
                    asn: ASN(try row.decode(2, as: Int64.self)))
            }
            var irrRoutes: [IRRRoute] = []
            if let irr {
                irrRoutes = try await connection.query(
                    "SELECT prefix::text, origin_asn FROM snapshot_irr_routes WHERE snapshot_id = \(irr.id)"
                ).map { row in
                    IRRRoute(
                        prefix: try IPPrefix(try row.decode(0, as: String.self), strict: false), origin: ASN(try row.decode(1, as: Int64.self)),
                        maintainers: [], source: nil)
                }
            }
            var measurement = Measurement(vrps: VRPIndex(vrpList), irr: irrRoutes, asOf: routes.takenAt)
            var pathsKnown = false
            for row in try await connection.query(
                "SELECT prefix::text, origin_asn, origin_text, as_path FROM snapshot_routes WHERE snapshot_id = \(routes.id)")
            {
                let path = try row.decode(3, as: String?.self).flatMap { ASPath(parsing: $0) }
                if path != nil { pathsKnown = true }
                measurement.add(
                    prefix: try IPPrefix(try row.decode(0, as: String.self), strict: false),
                    origin: try row.decode(1, as: Int64?.self).map { ASN($0) }, originText: try row.decode(2), path: path)
            }
            // Every origin ASN; transit-only ASNs too when the paths tell something about them.
            let rows = measurement.metrics().filter { $0.announcements > 0 || (pathsKnown && $0.rovInvalidCarried > 0) }

            return try await connection.transaction { connection in
                guard
                    let id = try await connection.query(
                        """
                        INSERT INTO readiness_runs (routes_snapshot_id, vrps_snapshot_id, irr_snapshot_id, routes_taken_at, vrps_taken_at,
                            irr_taken_at, paths_known, measured_at, asns)
                        VALUES (\(routes.id), \(vrps.id), \(irr?.id), \(routes.takenAt), \(vrps.takenAt), \(irr?.takenAt), \(pathsKnown),
                            \(now), \(rows.count))
                        ON CONFLICT DO NOTHING RETURNING id
                        """
                    ).single.map({ try $0.decode(0, as: Int.self) })
                else { return nil }
                try await connection.copyFromStdin(
                    """
                    COPY readiness (run_id, asn, announcements, rpki_valid, rpki_invalid, rpki_not_found, irr_exact, irr_covering,
                        bogon_prefixes_originated, too_specific_originated, rov_invalid_carried) FROM STDIN
                    """
                ) { writer in
                    for row in rows {
                        try writer.appendRow([
                            String(id), String(row.asn), String(row.announcements), String(row.rpkiValid), String(row.rpkiInvalid),
                            String(row.rpkiNotFound), irr == nil ? nil : String(row.irrExact), irr == nil ? nil : String(row.irrCovering),
                            String(row.bogonPrefixesOriginated), String(row.tooSpecificOriginated), pathsKnown ? String(row.rovInvalidCarried) : nil,
                        ])
                    }
                }
                try await connection.execute("DELETE FROM readiness_runs WHERE id <> \(id)")
                return ReadinessRun(
                    id: id, routes: routes, vrps: vrps, irr: irr, pathsKnown: pathsKnown, measuredAt: now, asns: rows.count)
            }
        }
    }

    /// The run readers see now, or nil before the first.
    public func latestRun() async throws -> ReadinessRun? {
        try await database.withConnection { connection in try await Self.latestRun(on: connection) }
    }

    static func latestRun(on connection: PostgresConnection) async throws -> ReadinessRun? {
        try await connection.query(
            """
            SELECT r.id, r.routes_snapshot_id, rs.source_name, rs.file_sha256, r.routes_taken_at,
                r.vrps_snapshot_id, vs.source_name, vs.file_sha256, r.vrps_taken_at,
                r.irr_snapshot_id, irs.source_name, irs.file_sha256, r.irr_taken_at, r.paths_known, r.measured_at, r.asns
            FROM readiness_runs r
            JOIN measurement_snapshots rs ON rs.id = r.routes_snapshot_id
            JOIN measurement_snapshots vs ON vs.id = r.vrps_snapshot_id
            LEFT JOIN measurement_snapshots irs ON irs.id = r.irr_snapshot_id
            ORDER BY r.id DESC LIMIT 1
            """
        ).single.map { row in
            var irr: ParticipantMeasurement.SnapshotReference? = nil
            if let irrID = try row.decode(9, as: Int?.self) {
                irr = .init(id: irrID, sourceName: try row.decode(10), fileSHA256: try row.decode(11), takenAt: try row.decode(12))
            }
            return ReadinessRun(
                id: try row.decode(0),
                routes: .init(id: try row.decode(1), sourceName: try row.decode(2), fileSHA256: try row.decode(3), takenAt: try row.decode(4)),
                vrps: .init(id: try row.decode(5), sourceName: try row.decode(6), fileSHA256: try row.decode(7), takenAt: try row.decode(8)),
                irr: irr, pathsKnown: try row.decode(13), measuredAt: try row.decode(14), asns: try row.decode(15))
        }
    }

    /// The measured readiness of each of `asns` that the latest run saw, in one query; an ASN the
    /// routes did not show is absent.
    public func readiness(asns: [UInt32]) async throws -> [UInt32: Readiness] {
        try await database.withConnection { connection in
            guard let run = try await Self.latestRun(on: connection), !asns.isEmpty else { return [:] }
            var result: [UInt32: Readiness] = [:]
            let rows = try await connection.query(
                """
                SELECT asn, announcements, rpki_valid, rpki_invalid, rpki_not_found, irr_exact, irr_covering, bogon_prefixes_originated,
                    too_specific_originated, rov_invalid_carried
                FROM readiness WHERE run_id = \(run.id) AND asn = ANY(\(asns.map { Int64($0) }))
                """)
            for row in rows {
                var metrics = ASNMetrics(asn: ASN(try row.decode(0, as: Int64.self)))
                metrics.announcements = try row.decode(1)
                metrics.rpkiValid = try row.decode(2)
                // The stored total is kept as invalid-origin: the split is not part of readiness.
                metrics.rpkiInvalidOrigin = try row.decode(3)
                metrics.rpkiNotFound = try row.decode(4)
                metrics.irrExact = try row.decode(5, as: Int?.self) ?? 0
                metrics.irrCovering = try row.decode(6, as: Int?.self) ?? 0
                metrics.irrNone = metrics.announcements - metrics.irrExact - metrics.irrCovering
                metrics.bogonPrefixesOriginated = try row.decode(7)
                metrics.tooSpecificOriginated = try row.decode(8)
                metrics.rovInvalidCarried = try row.decode(9, as: Int?.self) ?? 0
                metrics.irrKnown = run.irr != nil
                metrics.pathsKnown = run.pathsKnown
                result[metrics.asn] = Readiness(metrics: metrics, run: run)
            }
            return result
        }
    }
}
