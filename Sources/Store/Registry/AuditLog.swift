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

/// Arbitrary JSON read back from jsonb, re-encoded as it was.
public indirect enum JSONValue: Sendable, Codable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
