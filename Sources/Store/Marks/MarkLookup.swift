import Credentials
import Domain
import Foundation
import Postgres

/// The batched lookups bulk verification needs beside `marks(forASNs:)`: each one query however
/// many keys it gets, answering with the same summaries single verification gives.
extension MarkStore {
    /// The marks with these ids (any accepted spelling), keyed by canonical id; unknown ids are absent.
    public func marks(ids: [String]) async throws -> [String: MarkSummary] {
        let parsed = ids.compactMap { try? MarkID(parsing: $0) }
        guard !parsed.isEmpty else { return [:] }
        let found = try await marks(ids: parsed)
        return Dictionary(found.map { ($0.mark, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The marks of participants with exactly these names (display or legal name, any case),
    /// keyed by the name as given.
    public func marks(named names: [String]) async throws -> [String: [MarkSummary]] {
        let lowered = Array(Set(names.map { $0.lowercased() }))
        guard !lowered.isEmpty else { return [:] }
        let found = try await summaries(
            markFilter: """
                SELECT m.id FROM marks m JOIN participants p ON p.id = m.participant_id
                WHERE lower(p.legal_name) = ANY(\(lowered)) OR lower(p.display_name) = ANY(\(lowered))
                """)
        var result: [String: [MarkSummary]] = [:]
        for name in Set(names) {
            let key = name.lowercased()
            let matching = found.filter { $0.organisation.lowercased() == key || $0.displayName.lowercased() == key }
            if !matching.isEmpty { result[name] = matching }
        }
        return result
    }
}
