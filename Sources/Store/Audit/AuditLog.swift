import Canonical
import Domain
import Foundation
import Postgres

#if canImport(Glibc)
    import Glibc
#endif

/// Appends audit events in the caller's transaction, so a change and its record commit together.
/// Each event carries its RFC 8785 canonical form; the database chains it at commit
/// (`seal_audit_event`, migration 0004).
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
        let event = AuditEventContent(
            at: AuditEventContent.timestamp(context.at),
            actorUserID: context.actor?.userID.uuidString.lowercased(),
            actorRole: context.actorRole,
            action: action,
            entityType: entity,
            entityID: id,
            participantID: participant?.uuidString.lowercased(),
            before: try json(before),
            after: try json(after),
            requestID: context.requestID
        )
        try await connection.execute(
            """
            INSERT INTO audit_events (at, actor_user_id, actor_role, action, entity_type, entity_id, participant_id, before, after, request_id, canonical)
            VALUES (\(event.at)::timestamptz, \(context.actor?.userID), \(event.actorRole), \(action), \(entity), \(id), \(participant),
                    \(event.before.map(Self.text))::jsonb, \(event.after.map(Self.text))::jsonb, \(context.requestID), \(Data(event.canonical)))
            """)
    }

    private static func json(_ value: (any Encodable & Sendable)?) throws -> JSONValue? {
        guard let value else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.dateEncodingStrategy = .iso8601
        return try JSONDecoder().decode(JSONValue.self, from: encoder.encode(value))
    }

    static func text(_ value: JSONValue) -> String {
        String(decoding: JCS.canonicalize(value), as: UTF8.self)
    }
}

/// What the chain hashes for one event: every column but its place in the chain.
struct AuditEventContent: Equatable {
    let at: String
    let actorUserID: String?
    let actorRole: String
    let action: String
    let entityType: String
    let entityID: String
    let participantID: String?
    let before: JSONValue?
    let after: JSONValue?
    let requestID: String?

    /// The RFC 8785 bytes hashed into the chain.
    var canonical: [UInt8] {
        func string(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return JCS.canonicalize(
            .object([
                "at": .string(at), "actor_user_id": string(actorUserID), "actor_role": .string(actorRole), "action": .string(action),
                "entity_type": .string(entityType), "entity_id": .string(entityID), "participant_id": string(participantID),
                "before": before ?? .null, "after": after ?? .null, "request_id": string(requestID),
            ]))
    }

    /// A UTC timestamp with microseconds, exactly as PostgreSQL keeps it:
    /// `2026-11-26T17:40:00.123456Z`. The same text is read back with `to_char` when verifying.
    static func timestamp(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded(.down))
        var seconds = time_t(micros / 1_000_000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let fraction = micros % 1_000_000
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(fraction)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - micro.count) + micro + "Z"
    }

    /// The SQL that reads an event's content back in the same form.
    static let columns = """
        to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at_text, actor_user_id, actor_role, action, entity_type, entity_id,
        participant_id, before::text AS before_text, after::text AS after_text, request_id
        """

    init(
        at: String, actorUserID: String?, actorRole: String, action: String, entityType: String, entityID: String, participantID: String?,
        before: JSONValue?, after: JSONValue?, requestID: String?
    ) {
        self.at = at
        self.actorUserID = actorUserID
        self.actorRole = actorRole
        self.action = action
        self.entityType = entityType
        self.entityID = entityID
        self.participantID = participantID
        self.before = before
        self.after = after
        self.requestID = requestID
    }

    init(row: PostgresRow) throws {
        func json(_ text: String?) throws -> JSONValue? {
            try text.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) }
        }
        self.init(
            at: try row.decode("at_text"), actorUserID: try row.decode("actor_user_id", as: UUID?.self)?.uuidString.lowercased(),
            actorRole: try row.decode("actor_role"), action: try row.decode("action"), entityType: try row.decode("entity_type"),
            entityID: try row.decode("entity_id"), participantID: try row.decode("participant_id", as: UUID?.self)?.uuidString.lowercased(),
            before: try json(try row.decode("before_text")), after: try json(try row.decode("after_text")), requestID: try row.decode("request_id")
        )
    }
}

/// One recorded change, as shown in a participant's timeline.
public struct AuditEvent: Sendable, Encodable {
    public let seq: Int?
    public let at: Date
    public let actorUserID: UUID?
    public let actorRole: String
    public let action: String
    public let entityType: String
    public let entityID: String
    public let before: JSONValue?
    public let after: JSONValue?
    public let requestID: String?
    /// The event's link in the chain, hex; nil until its transaction committed.
    public let hash: String?

    enum CodingKeys: String, CodingKey {
        case seq, at, action, before, after, hash
        case actorUserID = "actor_user_id"
        case actorRole = "actor_role"
        case entityType = "entity_type"
        case entityID = "entity_id"
        case requestID = "request_id"
    }
}
