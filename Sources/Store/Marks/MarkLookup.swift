import Domain
import Foundation
import Postgres

/// A mark as a buyer checks it: who holds it, for what, and its state now (its latest
/// certification's enforcement state).
public struct MarkSummary: Sendable, Equatable {
    public let id: String
    public let participantID: UUID
    public let holder: String
    public let program: String
    public let tier: Tier
    public let status: CertificationStatus
    public let validUntil: Date
    /// The ASNs its latest certification covers, as recorded at grant.
    public let asns: [UInt32]

    public init(
        id: String, participantID: UUID, holder: String, program: String, tier: Tier, status: CertificationStatus,
        validUntil: Date, asns: [UInt32]
    ) {
        self.id = id
        self.participantID = participantID
        self.holder = holder
        self.program = program
        self.tier = tier
        self.status = status
        self.validUntil = validUntil
        self.asns = asns
    }
}

/// The batched mark lookups bulk verification needs, each one query however many keys it gets.
/// The marks helper's store offers the same three; this protocol lets that store replace
/// `PostgresMarkLookup` without touching the bulk code.
public protocol MarkLookup: Sendable {
    /// The marks whose latest certification covers each ASN.
    func marks(forASNs asns: [UInt32]) async throws -> [UInt32: [MarkSummary]]
    /// The marks with these ids (canonical `MP-XXXX-XXXX-C`); an unknown id is absent.
    func marks(ids: [String]) async throws -> [String: MarkSummary]
    /// The marks of participants with these names (display or legal name, any case), keyed by
    /// the name as given.
    func marks(named names: [String]) async throws -> [String: [MarkSummary]]
}

/// `MarkLookup` over the 0023 tables (marks, certifications.mark_id, certification_scope).
/// Kept in this one file so that the marks store can take its place.
public struct PostgresMarkLookup: MarkLookup {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Each mark with its latest certification that `join` (from `q.value`, one of `keys`, to
    /// the mark `m` and its latest certification `c`) pairs with a key, and the ASNs that
    /// certification covers.
    private func summaries(keys: [String], join: SQL) async throws -> [(key: String, mark: MarkSummary)] {
        guard !keys.isEmpty else { return [] }
        let sql: SQL = """
            WITH latest AS (
                SELECT DISTINCT ON (mark_id) id, mark_id, tier, status, valid_until
                FROM certifications WHERE mark_id IS NOT NULL ORDER BY mark_id, granted_at DESC, id
            ), q AS (SELECT DISTINCT value FROM unnest(\(keys)::text[]) AS value)
            SELECT q.value, m.id, m.participant_id, p.display_name, m.program_code, c.tier, c.status, c.valid_until,
                ARRAY(SELECT substr(s.value, 3)::bigint FROM certification_scope s
                      WHERE s.certification_id = c.id AND s.kind = 'asn' ORDER BY 1) AS asns
            FROM q \(join) JOIN participants p ON p.id = m.participant_id
            ORDER BY q.value, m.id
            """
        return try await database.query(sql).map { row in
            let mark = MarkSummary(
                id: try row.decode(1), participantID: try row.decode(2), holder: try row.decode(3), program: try row.decode(4),
                tier: try row.decode("tier", as: Tier.self), status: try row.decode("status", as: CertificationStatus.self),
                validUntil: try row.decode(7), asns: try row.decode(8, as: [Int64].self).map { UInt32($0) })
            return (try row.decode(0, as: String.self), mark)
        }
    }

    public func marks(forASNs asns: [UInt32]) async throws -> [UInt32: [MarkSummary]] {
        let rows = try await summaries(
            keys: asns.map { "AS\($0)" },
            join: """
                JOIN certification_scope s0 ON s0.kind = 'asn' AND s0.value = q.value JOIN latest c ON c.id = s0.certification_id
                JOIN marks m ON m.id = c.mark_id
                """)
        var result: [UInt32: [MarkSummary]] = [:]
        for (key, mark) in rows {
            if let asn = UInt32(key.dropFirst(2)) { result[asn, default: []].append(mark) }
        }
        return result
    }

    public func marks(ids: [String]) async throws -> [String: MarkSummary] {
        let rows = try await summaries(keys: ids, join: "JOIN marks m ON m.id = q.value JOIN latest c ON c.mark_id = m.id")
        return Dictionary(rows.map { ($0.key, $0.mark) }, uniquingKeysWith: { first, _ in first })
    }

    public func marks(named names: [String]) async throws -> [String: [MarkSummary]] {
        let rows = try await summaries(
            keys: names,
            join: """
                JOIN participants p0 ON lower(p0.display_name) = lower(q.value) OR lower(p0.legal_name) = lower(q.value)
                JOIN marks m ON m.participant_id = p0.id JOIN latest c ON c.mark_id = m.id
                """)
        return Dictionary(grouping: rows, by: \.key).mapValues { $0.map(\.mark) }
    }
}
