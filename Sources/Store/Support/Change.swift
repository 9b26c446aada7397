import Foundation
import Postgres

/// A change and its audit event, written together on the caller's transaction. The one place
/// where what a change writes besides its rows (its audit event, and later its outbox rows) is
/// added.
enum Change {
    /// Runs `write`, then appends the audit event `action` on `entity` `id`, in that order, on
    /// `connection` (inside the caller's transaction, so both land or neither does).
    static func record(
        _ action: String, entity: String, id: UUID, participant: UUID?, before: (any Encodable & Sendable)? = nil,
        after: (any Encodable & Sendable)? = nil, context: ChangeContext, on connection: PostgresConnection, _ write: () async throws -> Void
    ) async throws {
        try await write()
        try await AuditLog.append(
            action, entity: entity, id: id.uuidString.lowercased(), participant: participant, before: before, after: after, context: context,
            on: connection)
    }
}
