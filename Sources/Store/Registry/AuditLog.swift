import Canonical
import Domain
import Foundation
import Postgres

/// Appends audit events in the caller's transaction, so a change and its record commit together.
enum AuditLog {
    /// Records `action` on an entity with its state before and after (nil for creation or deletion).
    static func append(
        _ action: String,
        entity: String,
        id: String,
        participant: UUID?,
        before: (any Encodable & Sendable)? = nil,
        after: (any Encodable & Sendable)? = nil,
        context: ChangeContext,
        on connection: PostgresConnection
    ) async throws {
        try await connection.execute("""
            INSERT INTO audit_events (actor_user_id, actor_role, action, entity_type, entity_id, participant_id, before, after, request_id)
            VALUES (\(context.actor?.userID), \(context.actor?.role.rawValue ?? "system"), \(action), \(entity), \(id), \(participant),
                    \(try json(before))::jsonb, \(try json(after))::jsonb, \(context.requestID))
            """)
    }

    private static func json(_ value: (any Encodable & Sendable)?) throws -> String? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// One recorded change, as shown in a participant's history.
public struct AuditEvent: Sendable, Encodable {
    public let id: Int
    public let at: Date
    public let actorUserID: UUID?
    public let actorRole: String
    public let action: String
    public let entityType: String
    public let entityID: String
    public let before: JSONValue?
    public let after: JSONValue?
    public let requestID: String?

    enum CodingKeys: String, CodingKey {
        case id, at, action, before, after
        case actorUserID = "actor_user_id"
        case actorRole = "actor_role"
        case entityType = "entity_type"
        case entityID = "entity_id"
        case requestID = "request_id"
    }
}
