import Credentials
import Domain
import Foundation
import Postgres

/// One mark as the public registry lists it: who holds it, for what, and its status now. Only
/// what a buyer may see (no evidence, contacts or users).
public struct RegistryEntry: Sendable, Equatable, Codable {
    public let mark: String
    /// The holder's legal name, its registry name and country.
    public let organisation: String
    public let displayName: String
    public let country: String
    public let program: String
    public let programName: String
    public let tier: Tier
    public let tierName: String
    public let status: CertificationStatus
    /// The status as buyers read it (`CertificationStatus.markWords`).
    public let statusText: String
    /// When the mark entered that state (the grant, or the latest transition).
    public let since: Date
    public let validUntil: Date

    enum CodingKeys: String, CodingKey {
        case mark, organisation, country, program, tier, status, since
        case displayName = "display_name"
        case programName = "program_name"
        case tierName = "tier_name"
        case statusText = "status_text"
        case validUntil = "valid_until"
    }
}

/// A program as the registry's filter offers it.
public struct RegistryProgram: Sendable, Equatable {
    public let code: String
    public let name: String
}

extension MarkStore {
    /// One page of the public registry: every mark (whatever its status: a lapsed holder stays
    /// listed) matching `query`, by holder name (any case) then mark id, each with its current
    /// certification (the latest granted under it). One statement; every value is bound.
    public func registry(_ query: RegistryQuery) async throws -> Page<RegistryEntry> {
        let pattern = query.search.map { "%" + Self.escapedLike($0) + "%" }
        let asn = query.searchASN.map { "AS\($0)" }
        let mark = query.search.flatMap { try? MarkID(parsing: $0).text }
        let rows = try await database.query(
            """
            WITH listed AS NOT MATERIALIZED (\(Self.currentMarks(nil)))
            SELECT l.* FROM listed l
            WHERE (\(query.program)::text IS NULL OR l.program_code = \(query.program)::text)
              AND (\(query.tier?.rawValue)::text IS NULL OR l.tier = \(query.tier?.rawValue)::text)
              AND (\(query.country)::text IS NULL OR l.country = \(query.country)::text)
              AND (\(query.status?.rawValue)::text IS NULL OR l.status = \(query.status?.rawValue)::text)
              AND (\(pattern)::text IS NULL OR l.legal_name ILIKE \(pattern)::text OR l.display_name ILIKE \(pattern)::text
                   OR l.mark_id = \(mark)::text
                   OR EXISTS (SELECT 1 FROM certification_scope s WHERE s.certification_id = l.id AND s.kind = 'asn' AND s.value = \(asn)::text))
              AND (\(query.after)::text IS NULL
                   OR (lower(l.legal_name), l.mark_id) > (SELECT lower(a.legal_name), a.mark_id FROM listed a WHERE a.mark_id = \(query.after)::text))
            ORDER BY lower(l.legal_name), l.mark_id
            LIMIT \(query.limit + 1)
            """)
        let entries = try rows.prefix(query.limit).map { row in
            let current = try CurrentMark(row)
            return RegistryEntry(
                mark: current.mark, organisation: current.organisation, displayName: current.displayName, country: current.country,
                program: current.program, programName: current.programName, tier: current.tier, tierName: current.tier.markName,
                status: current.status, statusText: current.status.markWords, since: current.since, validUntil: current.validUntil)
        }
        return Page(items: entries, nextCursor: rows.count > query.limit ? entries.last?.mark : nil)
    }

    /// The programs, by name, for the registry's filter (and to refuse an unknown one).
    public func registryPrograms() async throws -> [RegistryProgram] {
        try await database.query("SELECT code, name FROM programs ORDER BY name, code").map {
            RegistryProgram(code: try $0.decode("code"), name: try $0.decode("name"))
        }
    }

    /// `text` with LIKE's wildcards and escape character taken literally.
    static func escapedLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
