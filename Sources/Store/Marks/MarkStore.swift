import Canonical
import Credentials
import Domain
import Foundation
import Postgres
import Routing

/// What anyone may know about a mark, from its current certification (the latest granted under
/// it): status, since when and why, scope, validity, and the last conformance check in outline.
/// Never private evidence: no statements, files, explanations or measured values.
public struct MarkSummary: Sendable, Equatable, Codable {
    public let mark: String
    /// The holder's legal name, its registry name and country.
    public let organisation: String
    public let displayName: String
    public let country: String
    public let program: String
    public let programName: String
    public let tier: Tier
    public let tierName: String
    /// The current certification's enforcement state, and in words (`valid, with a warning`).
    public let status: CertificationStatus
    public let statusText: String
    /// When the mark entered that state (the grant, or the latest transition).
    public let since: Date
    /// Why, as a category (`check_failed`, `deadline_passed`, `revoked_for_cause`, …); nil for a grant.
    public let reason: String?
    public let grantedAt: Date
    public let validUntil: Date
    /// The scope recorded at grant.
    public let asns: [UInt32]
    public let prefixes: [String]
    public let actions: [String]
    /// The latest conformance check, per action; nil before the first.
    public let lastCheck: CheckOutline?

    enum CodingKeys: String, CodingKey {
        case mark, organisation, country, program, tier, status, since, reason, asns, prefixes, actions
        case displayName = "display_name"
        case statusText = "status_text"
        case programName = "program_name"
        case tierName = "tier_name"
        case grantedAt = "granted_at"
        case validUntil = "valid_until"
        case lastCheck = "last_check"
    }
}

/// The latest conformance check of a certification: when, and per action whether it passed.
public struct CheckOutline: Sendable, Equatable, Codable {
    public struct Action: Sendable, Equatable, Codable {
        public let action: String
        /// `pass` when every check of the action passed, `fail` when one failed, else `insufficient_data`.
        public let verdict: String
    }

    public let at: Date
    public let actions: [Action]
    /// When the routing table and the RPKI data of the latest check that used both were taken,
    /// and how far apart, in words; nil when no check has used both.
    public var inputs: CheckInputs? = nil
}

/// One public event in a mark's history: a grant, or an enforcement transition.
public struct MarkEvent: Sendable, Equatable, Codable {
    public let at: Date
    /// `granted`, or the state the certification moved to.
    public let status: String
    /// The state before (nil for a grant).
    public let from: String?
    /// The cause's category (nil for a grant).
    public let reason: String?
    public let tier: Tier
}

/// Public reads of marks: the lookups verification and the bulk check share (each one query
/// for any number of inputs), a mark's history, its current credential, and the status lists.
public struct MarkStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// The marks with these ids (unknown ids are left out).
    public func marks(ids: [MarkID]) async throws -> [MarkSummary] {
        try await summaries(markFilter: "SELECT id FROM marks WHERE id = ANY(\(ids.map(\.text)))")
    }

    /// For each ASN, the marks whose current certification covers it (ASNs without one are left out).
    public func marks(forASNs asns: [UInt32]) async throws -> [UInt32: [MarkSummary]] {
        let values = Array(Set(asns)).map { "AS\($0)" }
        let found = try await summaries(
            markFilter: """
                SELECT c.mark_id FROM certification_scope s JOIN certifications c ON c.id = s.certification_id
                WHERE s.kind = 'asn' AND s.value = ANY(\(values)) AND c.mark_id IS NOT NULL
                """)
        let wanted = Set(asns)
        var result: [UInt32: [MarkSummary]] = [:]
        for summary in found {
            for asn in summary.asns where wanted.contains(asn) { result[asn, default: []].append(summary) }
        }
        return result
    }

    /// The marks whose current certification covers `prefix` (the prefix itself or a shorter one).
    public func marks(covering prefix: IPPrefix) async throws -> [MarkSummary] {
        let found = try await summaries(
            markFilter: """
                SELECT c.mark_id FROM certification_scope s JOIN certifications c ON c.id = s.certification_id
                WHERE s.kind = 'prefix' AND s.value::cidr >>= \(prefix.description)::cidr AND c.mark_id IS NOT NULL
                """)
        return found.filter { summary in summary.prefixes.contains { (try? IPPrefix($0, strict: false))?.contains(prefix) == true } }
    }

    /// The marks whose holder's legal or registry name contains `name` (any case), at most `limit`.
    public func marks(named name: String, limit: Int = 50) async throws -> [MarkSummary] {
        let pattern = "%" + Self.escapedLike(name) + "%"
        return try await summaries(
            markFilter: """
                SELECT m.id FROM marks m JOIN participants p ON p.id = m.participant_id
                WHERE p.legal_name ILIKE \(pattern) OR p.display_name ILIKE \(pattern)
                """, limit: limit)
    }

    /// The public history of a mark, newest first: each grant and each enforcement transition of
    /// its certifications, with the cause's category. Empty for an unknown mark.
    public func history(of mark: MarkID) async throws -> [MarkEvent] {
        try await database.query(
            """
            SELECT at, status, from_status, reason, tier FROM (
                SELECT c.granted_at AS at, 'granted' AS status, NULL::text AS from_status, NULL::text AS reason, c.tier, 0 AS rank
                FROM certifications c WHERE c.mark_id = \(mark.text)
                UNION ALL
                SELECT t.at, t.to_status, t.from_status, t.cause, c.tier, 1
                FROM enforcement_transitions t JOIN certifications c ON c.id = t.certification_id WHERE c.mark_id = \(mark.text)
            ) events ORDER BY at DESC, rank DESC
            """
        ).map { row in
            MarkEvent(
                at: try row.decode("at"), status: try row.decode("status"), from: try row.decode("from_status", as: String?.self),
                reason: try row.decode("reason", as: String?.self), tier: try row.decode("tier", as: Tier.self))
        }
    }

    /// The mark's current signed credential (the latest issued), or nil.
    public func credential(of mark: MarkID) async throws -> JSONValue? {
        try await database.query(
            "SELECT document FROM mark_credentials WHERE mark_id = \(mark.text) ORDER BY issued_at DESC, status_index LIMIT 1"
        ).single?.decode("document", as: JSONB<JSONValue>.self).value
    }

    /// The bits of the `purpose` status list: one per credential ever issued, at its index.
    public func statusBits(_ purpose: StatusListPurpose) async throws -> Bitstring {
        let column: SQL = purpose == .suspension ? "suspended" : "revoked"
        let indices = try await database.query("SELECT status_index FROM mark_credentials WHERE \(column)").map { try $0.decode(0, as: Int.self) }
        var bits = Bitstring(count: max(Bitstring.minimumLength, ((indices.max() ?? 0) / 8 + 1) * 8))
        for index in indices { bits[index] = true }
        return bits
    }

    /// Each mark with its current certification (the latest granted under it), the holder, the
    /// program's name, and when and why it entered its status (the latest transition; none since
    /// the grant), as the columns of `CurrentMark` plus `participant_id` and `actions`: the marks
    /// `marks` selects (a query returning mark ids), or every mark. The registry and the
    /// summaries read it; every value is bound.
    static func currentMarks(_ marks: SQL?) -> SQL {
        let which: SQL = marks.map { "c.mark_id IN (\($0))" } ?? "c.mark_id IS NOT NULL"
        return """
            SELECT cur.*, p.legal_name, p.display_name, p.country, coalesce(pr.name, cur.program_code) AS program_name,
                   latest.at AS since, latest.cause AS reason
            FROM (
                SELECT DISTINCT ON (c.mark_id) c.id, c.mark_id, c.participant_id, c.program_code, c.tier, c.status, c.granted_at, c.valid_until,
                       c.actions
                FROM certifications c WHERE \(which)
                ORDER BY c.mark_id, c.granted_at DESC
            ) cur JOIN participants p ON p.id = cur.participant_id LEFT JOIN programs pr ON pr.code = cur.program_code
            LEFT JOIN LATERAL (
                SELECT t.at, t.cause FROM enforcement_transitions t WHERE t.certification_id = cur.id ORDER BY t.at DESC, t.id DESC LIMIT 1
            ) latest ON true
            """
    }

    /// The summaries of the marks `markFilter` selects (a query returning mark ids), by holder name.
    func summaries(markFilter: SQL, limit: Int = 10_000) async throws -> [MarkSummary] {
        let rows = try await database.query(
            """
            WITH current AS (\(Self.currentMarks(markFilter)))
            SELECT cur.*,
                   coalesce((SELECT array_agg(s.value ORDER BY s.value) FROM certification_scope s
                             WHERE s.certification_id = cur.id AND s.kind = 'asn'), '{}') AS asns,
                   coalesce((SELECT array_agg(s.value ORDER BY s.value) FROM certification_scope s
                             WHERE s.certification_id = cur.id AND s.kind = 'prefix'), '{}') AS prefixes,
                   (SELECT max(r.measured_at) FROM check_results r WHERE r.certification_id = cur.id) AS last_check
            FROM current cur
            ORDER BY cur.legal_name, cur.mark_id
            LIMIT \(limit)
            """)
        var checked: [UUID] = []
        for row in rows where try row.decode("last_check", as: Date?.self) != nil { checked.append(try row.decode("id", as: UUID.self)) }
        let outlines = try await Self.outlines(checked, on: database)
        return try rows.map { row in
            let current = try CurrentMark(row)
            return MarkSummary(
                mark: current.mark, organisation: current.organisation, displayName: current.displayName, country: current.country,
                program: current.program, programName: current.programName, tier: current.tier, tierName: current.tier.markName,
                status: current.status, statusText: current.status.markWords, since: current.since, reason: current.reason,
                grantedAt: current.grantedAt, validUntil: current.validUntil,
                asns: try row.decode("asns", as: [String].self).compactMap { UInt32($0.dropFirst(2)) }.sorted(),
                prefixes: try row.decode("prefixes", as: [String].self), actions: try row.decode("actions", as: [String].self),
                lastCheck: outlines[current.id])
        }
    }

    /// The latest check of each certification, per action.
    static func outlines(_ certifications: [UUID], on database: PostgresPool) async throws -> [UUID: CheckOutline] {
        guard !certifications.isEmpty else { return [:] }
        let rows = try await database.query(
            """
            SELECT r.certification_id, r.action_code, r.measured_at,
                   CASE WHEN bool_or(r.verdict = 'fail') THEN 'fail' WHEN bool_and(r.verdict = 'pass') THEN 'pass' ELSE 'insufficient_data' END AS verdict
            FROM check_results r
            WHERE r.certification_id = ANY(\(certifications))
              AND r.measured_at = (SELECT max(measured_at) FROM check_results WHERE certification_id = r.certification_id)
            GROUP BY r.certification_id, r.action_code, r.measured_at ORDER BY r.certification_id, r.action_code
            """)
        var result: [UUID: CheckOutline] = [:]
        for row in rows {
            let id = try row.decode("certification_id", as: UUID.self)
            let action = CheckOutline.Action(action: try row.decode("action_code"), verdict: try row.decode("verdict"))
            result[id] = CheckOutline(at: try row.decode("measured_at"), actions: (result[id]?.actions ?? []) + [action])
        }
        for (id, inputs) in try await CheckResultStore.latestInputs(of: Array(result.keys), in: database) {
            result[id]?.inputs = inputs
        }
        return result
    }
}

/// A row of `MarkStore.currentMarks`: a mark, its current certification and holder.
struct CurrentMark {
    let id: UUID
    let mark: String
    let organisation: String
    let displayName: String
    let country: String
    let program: String
    let programName: String
    let tier: Tier
    let status: CertificationStatus
    let grantedAt: Date
    /// When the mark entered its status: the latest transition, or the grant.
    let since: Date
    /// The latest transition's cause; nil for a grant.
    let reason: String?
    let validUntil: Date

    init(_ row: PostgresRow) throws {
        id = try row.decode("id")
        mark = try row.decode("mark_id")
        organisation = try row.decode("legal_name")
        displayName = try row.decode("display_name")
        country = try row.decode("country")
        program = try row.decode("program_code")
        programName = try row.decode("program_name")
        tier = try row.decode("tier", as: Tier.self)
        status = try row.decode("status", as: CertificationStatus.self)
        grantedAt = try row.decode("granted_at")
        since = try row.decode("since", as: Date?.self) ?? grantedAt
        reason = try row.decode("reason")
        validUntil = try row.decode("valid_until")
    }
}
