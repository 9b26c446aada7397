import Domain
import Foundation
import Postgres
import Routing

/// A participant's routing metrics over stored snapshots: what the periodic checks consume.
public struct ParticipantMeasurement: Sendable, Encodable {
    public struct Inputs: Sendable, Encodable {
        public let routes: SnapshotReference
        public let vrps: SnapshotReference?
        public let irr: SnapshotReference?
        public let peeringdb: SnapshotReference?
        public let spoofer: SnapshotReference?
    }

    public struct SnapshotReference: Sendable, Encodable {
        public let id: Int
        public let sourceName: String
        public let fileSHA256: String
        public let takenAt: Date

        enum CodingKeys: String, CodingKey {
            case id
            case sourceName = "source_name"
            case fileSHA256 = "file_sha256"
            case takenAt = "taken_at"
        }
    }

    /// One ASN's metrics, with the inputs behind them.
    public struct ASNResult: Sendable, Encodable {
        public let asn: Int64
        public let announcements: Int
        public let rpkiValid: Int
        public let rpkiInvalid: Int
        public let rpkiInvalidOrigin: Int
        public let rpkiInvalidLength: Int
        public let rpkiNotFound: Int
        public let rpkiValidShare: Double?
        public let rpkiScore: Double?
        public let irrExact: Int
        public let irrCovering: Int
        public let irrNone: Int
        public let irrCoverage: Double?
        public let irrRPKIConflicts: Int
        public let bogonPrefixesOriginated: Int
        public let tooSpecificOriginated: Int
        /// Transit metrics: nil unless the routes snapshot has AS paths (MRT).
        public let rovInvalidCarried: Int?
        public let bogonPrefixesPropagated: Int?
        public let bogonASNsOriginated: Int?
        public let bogonASNsPropagated: Int?
        public let nocContact: Bool
        public let abuseContact: Bool
        public let contactSources: [String]
        public let spooferPrefixesTested: Int?
        public let spoofablePrefixes: Int?
        public let spooferLastTest: Date?
        public let spooferTestAgeDays: Int?
        public let explanations: [Explanation]

        public struct Explanation: Sendable, Encodable {
            public let metric: String
            public let subject: String
            public let evidence: [String]
        }

        enum CodingKeys: String, CodingKey {
            case asn, announcements, explanations
            case rpkiValid = "rpki_valid"
            case rpkiInvalid = "rpki_invalid"
            case rpkiInvalidOrigin = "rpki_invalid_origin"
            case rpkiInvalidLength = "rpki_invalid_length"
            case rpkiNotFound = "rpki_not_found"
            case rpkiValidShare = "rpki_valid_share"
            case rpkiScore = "rpki_score"
            case irrExact = "irr_exact"
            case irrCovering = "irr_covering"
            case irrNone = "irr_none"
            case irrCoverage = "irr_coverage"
            case irrRPKIConflicts = "irr_rpki_conflicts"
            case bogonPrefixesOriginated = "bogon_prefixes_originated"
            case tooSpecificOriginated = "too_specific_originated"
            case rovInvalidCarried = "rov_invalid_carried"
            case bogonPrefixesPropagated = "bogon_prefixes_propagated"
            case bogonASNsOriginated = "bogon_asns_originated"
            case bogonASNsPropagated = "bogon_asns_propagated"
            case nocContact = "noc_contact"
            case abuseContact = "abuse_contact"
            case contactSources = "contact_sources"
            case spooferPrefixesTested = "spoofer_prefixes_tested"
            case spoofablePrefixes = "spoofable_prefixes"
            case spooferLastTest = "spoofer_last_test"
            case spooferTestAgeDays = "spoofer_test_age_days"
        }
    }

    public let participantID: UUID
    public let inputs: Inputs
    public let asns: [ASNResult]

    enum CodingKeys: String, CodingKey {
        case inputs, asns
        case participantID = "participant_id"
    }
}

/// A stored route as the measurement reads it back.
private struct SeenRoute {
    let prefix: IPPrefix
    let origin: ASN?
    let originText: String
    let path: ASPath?
}

/// Measures a participant's ASNs from the stored snapshots, with the same `Routing.Measurement`
/// the CLI runs. Only the rows that matter are read: the participant's routes, the VRPs and
/// route objects covering them, their PeeringDB records and their Spoofer sessions.
public struct MeasurementStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Metrics of `participant`'s verified ASNs (a claim proves nothing) over the routes snapshot `routesSnapshot` (the latest when nil),
    /// with the latest VRP, IRR, PeeringDB and Spoofer snapshots taken no later than it (or, when
    /// there is none that old, the latest there is). Spoofer ages count to the routes' time. The
    /// response names every snapshot used.
    public func measure(participant: UUID, routesSnapshot: Int?) async throws -> ParticipantMeasurement {
        try await database.withConnection { connection in
            let asns = try await connection.query(
                """
                SELECT asn FROM resources WHERE participant_id = \(participant) AND kind = 'asn' AND verification = 'verified' ORDER BY asn
                """
            ).map { try $0.decode(0, as: Int64.self) }
            guard let routes = try await Self.snapshot(.routes, id: routesSnapshot, on: connection) else {
                throw StoreError.notFound(
                    routesSnapshot.map { "There is no routes snapshot \($0)." } ?? "No routes snapshot has been imported yet.")
            }
            // The inputs of the routes' moment; failing that, the newest there is.
            func companion(_ kind: SnapshotKind) async throws -> ParticipantMeasurement.SnapshotReference? {
                try await Self.snapshot(kind, preferringNotAfter: routes.takenAt, on: connection)
            }
            let vrps = try await companion(.vrps)
            let irr = try await companion(.irr)
            let peeringdb = try await companion(.peeringdb)
            let spoofer = try await companion(.spoofer)

            let inputs = try await Self.load(
                asns: asns, routes: routes, vrps: vrps, irr: irr, peeringdb: peeringdb, spoofer: spoofer, on: connection)
            let peeringContacts = inputs.peeringContacts
            let pathsKnown = inputs.pathsKnown
            let registered = Set(
                try await connection.query(
                    """
                    SELECT DISTINCT role FROM contacts WHERE participant_id = \(participant)
                    """
                ).map { try $0.decode(0, as: String.self) })

            let results = inputs.measurement.metrics().map { metrics -> ParticipantMeasurement.ASNResult in
                let fromPeeringDB = peeringContacts[Int64(metrics.asn)]
                var sources: [String] = []
                if fromPeeringDB.map({ $0.noc || $0.abuse }) == true { sources.append("peeringdb") }
                if registered.contains("noc") || registered.contains("abuse") { sources.append("registry") }
                return ParticipantMeasurement.ASNResult(
                    asn: Int64(metrics.asn), announcements: metrics.announcements, rpkiValid: metrics.rpkiValid, rpkiInvalid: metrics.rpkiInvalid,
                    rpkiInvalidOrigin: metrics.rpkiInvalidOrigin, rpkiInvalidLength: metrics.rpkiInvalidLength, rpkiNotFound: metrics.rpkiNotFound,
                    rpkiValidShare: metrics.rpkiValidShare, rpkiScore: metrics.rpkiScore, irrExact: metrics.irrExact,
                    irrCovering: metrics.irrCovering, irrNone: metrics.irrNone, irrCoverage: irr == nil ? nil : metrics.irrCoverage,
                    irrRPKIConflicts: metrics.irrRPKIConflicts, bogonPrefixesOriginated: metrics.bogonPrefixesOriginated,
                    tooSpecificOriginated: metrics.tooSpecificOriginated,
                    rovInvalidCarried: pathsKnown ? metrics.rovInvalidCarried : nil,
                    bogonPrefixesPropagated: pathsKnown ? metrics.bogonPrefixesPropagated : nil,
                    bogonASNsOriginated: pathsKnown ? metrics.bogonASNsOriginated : nil,
                    bogonASNsPropagated: pathsKnown ? metrics.bogonASNsPropagated : nil,
                    nocContact: (fromPeeringDB?.noc ?? false) || registered.contains("noc"),
                    abuseContact: (fromPeeringDB?.abuse ?? false) || registered.contains("abuse"), contactSources: sources,
                    spooferPrefixesTested: metrics.spooferPrefixesTested, spoofablePrefixes: metrics.spoofablePrefixes,
                    spooferLastTest: metrics.spooferLatestTest, spooferTestAgeDays: metrics.spooferTestAgeDays,
                    explanations: metrics.explanations.map { .init(metric: $0.metric, subject: $0.subject, evidence: $0.evidence) }
                )
            }
            return ParticipantMeasurement(
                participantID: participant, inputs: .init(routes: routes, vrps: vrps, irr: irr, peeringdb: peeringdb, spoofer: spoofer), asns: results
            )
        }
    }

    /// What one snapshot set holds for `asns`, read once: a `Measurement` fed with the routes
    /// they originated or (with AS paths) carried, the VRPs and route objects covering those
    /// routes and `prefixes` (for `rpki_coverage`), and their PeeringDB records and Spoofer
    /// sessions. The per-participant measurement and the check runner (for every due
    /// certification at once) both read through it.
    struct Inputs {
        var measurement: Routing.Measurement
        let pathsKnown: Bool
        let peeringContacts: [Int64: (noc: Bool, abuse: Bool)]
    }

    static func load(
        asns: [Int64], prefixes: [IPPrefix] = [], routes: ParticipantMeasurement.SnapshotReference, vrps: ParticipantMeasurement.SnapshotReference?,
        irr: ParticipantMeasurement.SnapshotReference?, peeringdb: ParticipantMeasurement.SnapshotReference?,
        spoofer: ParticipantMeasurement.SnapshotReference?, on connection: PostgresConnection
    ) async throws -> Inputs {
        // The routes these ASNs originated, and, where the snapshot has AS paths, those they
        // carried (found through the GIN index on `path_asns`).
        let seen = try await connection.query(
            """
            SELECT DISTINCT prefix::text AS prefix, origin_asn, origin_text, as_path FROM snapshot_routes
            WHERE snapshot_id = \(routes.id) AND (origin_asn = ANY(\(asns)) OR path_asns && \(asns)::bigint[])
            """
        ).map { row in
            SeenRoute(
                prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                origin: try row.decode("origin_asn", as: Int64?.self).map { ASN($0) }, originText: try row.decode("origin_text"),
                path: try row.decode("as_path", as: String?.self).flatMap { ASPath(parsing: $0) })
        }
        let pathsKnown = seen.contains { $0.path != nil }
        let wanted = Set(asns.map { ASN($0) })
        // Whatever covers a route has one of its shorter prefixes: looked up by equality in
        // a btree, which stays fast for a transit AS's many thousand routes.
        let covering = Self.coveringCandidates(of: seen.map(\.prefix) + prefixes)
        let coveringOriginated = Self.coveringCandidates(of: seen.filter { $0.origin.map(wanted.contains) == true }.map(\.prefix))
        var index = VRPIndex([])
        if let vrps {
            let covering = try await connection.query(
                """
                SELECT prefix::text AS prefix, max_length, asn FROM snapshot_vrps
                WHERE snapshot_id = \(vrps.id) AND prefix = ANY(\(covering)::cidr[])
                """
            ).map { row in
                VRP(
                    prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                    maxLength: UInt8(try row.decode("max_length", as: Int.self)),
                    asn: ASN(try row.decode("asn", as: Int64.self)))
            }
            index = VRPIndex(covering)
        }
        var irrRoutes: [IRRRoute] = []
        if let irr {
            irrRoutes = try await connection.query(
                """
                SELECT prefix::text AS prefix, origin_asn, maintainers, source FROM snapshot_irr_routes
                WHERE snapshot_id = \(irr.id) AND (origin_asn = ANY(\(asns)) OR prefix = ANY(\(coveringOriginated)::cidr[]))
                """
            ).map { row in
                IRRRoute(
                    prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                    origin: ASN(try row.decode("origin_asn", as: Int64.self)),
                    maintainers: try row.decode("maintainers"), source: try row.decode("source"))
            }
        }
        var peeringContacts: [Int64: (noc: Bool, abuse: Bool)] = [:]
        if let peeringdb {
            for row in try await connection.query(
                """
                SELECT asn, has_noc, has_abuse FROM snapshot_peeringdb_networks WHERE snapshot_id = \(peeringdb.id) AND asn = ANY(\(asns))
                """)
            {
                peeringContacts[try row.decode("asn")] = (try row.decode("has_noc"), try row.decode("has_abuse"))
            }
        }
        var sessions: [SpooferResult]? = nil
        if let spoofer {
            sessions = try await connection.query(
                """
                SELECT session_id, tested_at, asn, prefix::text AS prefix, routed_spoof, private_spoof, nat
                FROM snapshot_spoofer_sessions WHERE snapshot_id = \(spoofer.id) AND asn = ANY(\(asns))
                """
            ).map { row in
                SpooferResult(
                    session: try row.decode("session_id"), testedAt: try row.decode("tested_at"), asn: ASN(try row.decode("asn", as: Int64.self)),
                    prefix: try IPPrefix(try row.decode("prefix", as: String.self), strict: false),
                    routed: try row.decode("routed_spoof", as: String?.self).flatMap(SpoofStatus.init(rawValue:)),
                    privateSource: try row.decode("private_spoof", as: String?.self).flatMap(SpoofStatus.init(rawValue:)),
                    nat: try row.decode("nat", as: Bool?.self))
            }
        }
        var measurement = Routing.Measurement(vrps: index, irr: irrRoutes, spoofer: sessions, only: Set(asns.map { ASN($0) }), asOf: routes.takenAt)
        for route in seen { measurement.add(prefix: route.prefix, origin: route.origin, originText: route.originText, path: route.path) }
        return Inputs(measurement: measurement, pathsKnown: pathsKnown, peeringContacts: peeringContacts)
    }

    /// Every prefix that could cover one of `prefixes` (each truncated to every shorter length,
    /// itself included), as text for a `cidr[]` parameter.
    static func coveringCandidates(of prefixes: [IPPrefix]) -> [String] {
        var candidates = Set<IPPrefix>()
        for prefix in prefixes {
            for length in 0...prefix.length { candidates.insert(prefix.truncated(to: length)) }
        }
        return candidates.map(\.description)
    }

    /// The snapshot `id` of `kind` (any when nil): the latest taken no later than
    /// `preferringNotAfter` when there is one, else the latest there is. One query for both.
    static func snapshot(
        _ kind: SnapshotKind, id: Int? = nil, preferringNotAfter moment: Date? = nil, on connection: PostgresConnection
    ) async throws -> ParticipantMeasurement.SnapshotReference? {
        let rows = try await connection.query(
            """
            SELECT id, source_name, file_sha256, taken_at FROM measurement_snapshots
            WHERE kind = \(kind.rawValue) AND (\(id)::bigint IS NULL OR id = \(id)::bigint)
            ORDER BY (\(moment)::timestamptz IS NULL OR taken_at <= \(moment)::timestamptz) DESC, taken_at DESC, id DESC LIMIT 1
            """)
        return try rows.single.map { row in
            .init(
                id: try row.decode("id"), sourceName: try row.decode("source_name"), fileSHA256: try row.decode("file_sha256"),
                takenAt: try row.decode("taken_at"))
        }
    }
}
