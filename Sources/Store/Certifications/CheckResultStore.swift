import Domain
import Foundation
import Postgres

/// One recorded check result as the participant sees it.
public struct CheckResultRecord: Sendable, Encodable {
    public struct SnapshotUsed: Sendable, Encodable {
        public let id: Int
        public let kind: String
        public let takenAt: Date

        enum CodingKeys: String, CodingKey {
            case id, kind
            case takenAt = "taken_at"
        }
    }

    public let id: UUID
    public let certificationID: UUID
    public let program: String
    public let tier: Tier
    public let action: String
    public let check: Check
    public let verdict: CheckVerdict
    public let value: Double?
    public let explanation: String
    public let evidence: [String]
    public let measuredAt: Date
    public let snapshots: [SnapshotUsed]
    /// Where the participant disputes a failed result (a page); nil for other verdicts.
    public let dispute: String?

    enum CodingKeys: String, CodingKey {
        case id, program, tier, action, check, verdict, value, explanation, evidence, snapshots, dispute
        case certificationID = "certification_id"
        case measuredAt = "measured_at"
    }
}

/// A certification's enforcement as the participant sees it: its state, its deadline and its
/// history, latest first.
public struct CertificationEnforcement: Sendable, Encodable {
    public struct Step: Sendable, Encodable {
        public let from: CertificationStatus
        public let to: CertificationStatus
        public let at: Date
        public let deadline: Date?
        public let cause: String
        public let actorRole: String

        enum CodingKeys: String, CodingKey {
            case from, to, at, deadline, cause
            case actorRole = "actor_role"
        }
    }

    public let certificationID: UUID
    public let program: String
    public let tier: Tier
    public let status: CertificationStatus
    public let grantedAt: Date
    public let validUntil: Date
    public let deadline: Date?
    public let appealOpen: Bool
    public let lastChecked: Date?
    public let history: [Step]

    enum CodingKeys: String, CodingKey {
        case program, tier, status, deadline, history
        case certificationID = "certification_id"
        case grantedAt = "granted_at"
        case validUntil = "valid_until"
        case appealOpen = "appeal_open"
        case lastChecked = "last_checked"
    }
}

/// What a certification's latest check measured with: when its routing table and its RPKI data
/// were taken, and the sentence that says so and how far apart they were
/// (`SurveillanceRules.inputsNote`), shown beside every verdict.
public struct CheckInputs: Sendable, Codable, Equatable {
    public let routesTakenAt: Date
    public let vrpsTakenAt: Date
    public let note: String

    public init(routesTakenAt: Date, vrpsTakenAt: Date) {
        self.routesTakenAt = routesTakenAt
        self.vrpsTakenAt = vrpsTakenAt
        note = SurveillanceRules.inputsNote(routesTakenAt: routesTakenAt, vrpsTakenAt: vrpsTakenAt)
    }

    enum CodingKeys: String, CodingKey {
        case note
        case routesTakenAt = "routes_taken_at"
        case vrpsTakenAt = "vrps_taken_at"
    }
}

/// Reads of check results and enforcement for a participant (API and page).
public struct CheckResultStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// The dispute page of a result.
    public static func disputePath(participant: UUID, result: UUID) -> String {
        "/participants/\(participant.uuidString.lowercased())/results/\(result.uuidString.lowercased())/dispute"
    }

    /// The participant's results, latest first, `limit` at a time after `cursor`.
    public func results(of participant: UUID, limit: Int, cursor: String?) async throws -> Page<CheckResultRecord> {
        let after = try cursor.map { text throws(StoreError) in try ListCursor(text) }
        let rows = try await database.query(
            """
            SELECT r.id, r.certification_id, c.program_code, c.tier, r.action_code, r.check_definition, r.verdict, r.metric_value,
                   r.explanation, r.evidence, r.measured_at,
                   COALESCE((SELECT jsonb_agg(jsonb_build_object('id', s.id, 'kind', s.kind, 'taken_at', s.taken_at) ORDER BY s.id)
                             FROM measurement_snapshots s WHERE s.id = ANY(r.snapshot_ids)), '[]'::jsonb)::text AS snapshots
            FROM check_results r JOIN certifications c ON c.id = r.certification_id
            WHERE c.participant_id = \(participant)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (r.measured_at, r.id) < (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY r.measured_at DESC, r.id DESC
            LIMIT \(limit + 1)
            """)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: text) ?? ISO8601DateFormatter().date(from: text) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a time: \(text)"))
        }
        let items = try rows.prefix(limit).map { row -> CheckResultRecord in
            let id = try row.decode("id", as: UUID.self)
            let verdict = try row.decode("verdict", as: CheckVerdict.self)
            let snapshots = try decoder.decode(
                [SnapshotRow].self, from: Data(try row.decode("snapshots", as: String.self).utf8))
            return CheckResultRecord(
                id: id, certificationID: try row.decode("certification_id"), program: try row.decode("program_code"),
                tier: try row.decode("tier", as: Tier.self), action: try row.decode("action_code"),
                check: try row.decode("check_definition", as: JSONB<Check>.self).value, verdict: verdict, value: try row.decode("metric_value"),
                explanation: try row.decode("explanation"), evidence: try row.decode("evidence"), measuredAt: try row.decode("measured_at"),
                snapshots: snapshots.map { .init(id: $0.id, kind: $0.kind, takenAt: $0.taken_at) },
                dispute: verdict == .fail ? Self.disputePath(participant: participant, result: id) : nil)
        }
        let next = rows.count > limit ? items.last.map { ListCursor(createdAt: $0.measuredAt, id: $0.id).encoded } : nil
        return Page(items: items, nextCursor: next)
    }

    /// The inputs of each certification's latest check that used both a routing table and RPKI
    /// data; certifications without one are left out.
    public func latestInputs(of certifications: [UUID]) async throws -> [UUID: CheckInputs] {
        try await Self.latestInputs(of: certifications, in: database)
    }

    public static func latestInputs(of certifications: [UUID], in database: PostgresPool) async throws -> [UUID: CheckInputs] {
        guard !certifications.isEmpty else { return [:] }
        var inputs: [UUID: CheckInputs] = [:]
        for row in try await database.query(
            """
            SELECT DISTINCT ON (r.certification_id) r.certification_id, routes.taken_at AS routes, vrps.taken_at AS vrps
            FROM check_results r
            CROSS JOIN LATERAL (SELECT max(s.taken_at) AS taken_at FROM measurement_snapshots s
                                WHERE s.id = ANY(r.snapshot_ids) AND s.kind = 'routes') routes
            CROSS JOIN LATERAL (SELECT max(s.taken_at) AS taken_at FROM measurement_snapshots s
                                WHERE s.id = ANY(r.snapshot_ids) AND s.kind = 'vrps') vrps
            WHERE r.certification_id = ANY(\(certifications)) AND routes.taken_at IS NOT NULL AND vrps.taken_at IS NOT NULL
            ORDER BY r.certification_id, r.measured_at DESC
            """)
        {
            inputs[try row.decode("certification_id", as: UUID.self)] = CheckInputs(
                routesTakenAt: try row.decode("routes", as: Date.self), vrpsTakenAt: try row.decode("vrps", as: Date.self))
        }
        return inputs
    }

    private struct SnapshotRow: Decodable {
        let id: Int
        let kind: String
        let taken_at: Date
    }

    /// Every certification of the participant with its enforcement state and history, latest
    /// granted first.
    public func enforcement(of participant: UUID) async throws -> [CertificationEnforcement] {
        let certifications = try await database.query(
            """
            SELECT c.id, c.program_code, c.tier, c.status, c.granted_at, c.valid_until, c.enforcement_deadline, c.appeal_opened_at,
                   (SELECT max(r.measured_at) FROM check_results r WHERE r.certification_id = c.id) AS last_checked
            FROM certifications c WHERE c.participant_id = \(participant) ORDER BY c.granted_at DESC, c.id
            """)
        let ids = try certifications.map { try $0.decode("id", as: UUID.self) }
        var history: [UUID: [CertificationEnforcement.Step]] = [:]
        for row in try await database.query(
            """
            SELECT certification_id, from_status, to_status, at, deadline, cause, actor_role FROM enforcement_transitions
            WHERE certification_id = ANY(\(ids)) ORDER BY at DESC, id
            """)
        {
            history[try row.decode("certification_id"), default: []].append(
                .init(
                    from: try row.decode("from_status", as: CertificationStatus.self), to: try row.decode("to_status", as: CertificationStatus.self),
                    at: try row.decode("at"), deadline: try row.decode("deadline", as: Date?.self), cause: try row.decode("cause"),
                    actorRole: try row.decode("actor_role")))
        }
        return try certifications.map { row in
            let id = try row.decode("id", as: UUID.self)
            return CertificationEnforcement(
                certificationID: id, program: try row.decode("program_code"), tier: try row.decode("tier", as: Tier.self),
                status: try row.decode("status", as: CertificationStatus.self), grantedAt: try row.decode("granted_at"),
                validUntil: try row.decode("valid_until"), deadline: try row.decode("enforcement_deadline", as: Date?.self),
                appealOpen: try row.decode("appeal_opened_at", as: Date?.self) != nil, lastChecked: try row.decode("last_checked", as: Date?.self),
                history: history[id] ?? [])
        }
    }
}
