import Domain
import Foundation
import Postgres

/// An application as a dashboard lists it: what the list holds, and for an editable one what it
/// still lacks before it can be submitted.
public struct ApplicationOverview: Sendable {
    public let application: Application
    public let missing: [MissingItem]
}

extension ApplicationStore {
    /// The applications of `participants`, oldest first, with what each editable one lacks: one
    /// query for the applications and their commitments' summaries, one per catalog version they use.
    public func overview(participants: Set<UUID>, limit: Int) async throws -> [ApplicationOverview] {
        try await database.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT \(unsafeRaw: Application.columns),
                  ARRAY(SELECT c.action_code FROM commitments c WHERE c.application_id = a.id ORDER BY 1) AS committed,
                  ARRAY(SELECT c.action_code FROM commitments c WHERE c.application_id = a.id AND btrim(c.statement, E' \\t\\r\\n') <> '') AS stated,
                  ARRAY(SELECT DISTINCT e.action_code || ' ' || e.kind FROM evidence e WHERE e.application_id = a.id
                        AND NOT EXISTS (SELECT 1 FROM evidence n WHERE n.supersedes = e.id)) AS kinds
                FROM \(unsafeRaw: Application.from) WHERE a.participant_id = ANY(\(Array(participants))::uuid[])
                ORDER BY a.created_at, a.id LIMIT \(limit)
                """)
            var catalogs: [String: CatalogDocument] = [:]
            var result: [ApplicationOverview] = []
            for row in rows {
                let application = try Application(row: row)
                guard application.state.isEditable else {
                    result.append(ApplicationOverview(application: application, missing: []))
                    continue
                }
                let key = "\(application.program)@\(application.catalogVersion)"
                let catalog: CatalogDocument
                if let known = catalogs[key] {
                    catalog = known
                } else {
                    catalog = try await Self.catalog(of: application, on: connection)
                    catalogs[key] = catalog
                }
                let stated = Set(try row.decode("stated", as: [String].self))
                let kinds = try row.decode("kinds", as: [String].self).map { $0.split(separator: " ", maxSplits: 1) }
                let summaries = try row.decode("committed", as: [String].self).map { code in
                    CommitmentSummary(
                        actionCode: code, hasStatement: stated.contains(code),
                        evidenceKinds: Set(
                            kinds.filter { $0.first.map(String.init) == code }.compactMap { $0.last.flatMap { EvidenceKind(rawValue: String($0)) } }))
                }
                result.append(ApplicationOverview(application: application, missing: catalog.missing(at: application.tier, commitments: summaries)))
            }
            return result
        }
    }
}
