import Domain
import Foundation
import Postgres

/// What an outbox row carries: the Standard Webhooks payload shape (`type`, `timestamp`,
/// `data`), sent as the webhook body and rendered into the email.
public struct NotificationPayload: Codable, Sendable, Equatable {
    public let type: String
    public let timestamp: String
    public let data: [String: String]

    public init(type: String, timestamp: String, data: [String: String]) {
        self.type = type
        self.timestamp = timestamp
        self.data = data
    }
}

/// Writes notifications into the outbox on the caller's transaction, so an event and its
/// notifications commit together. Delivery is `NotificationDelivery`'s (module Outbox).
public enum Notifications {
    /// One row per recipient of `event` about `participant`: each of its owners by email (when
    /// the event is emailed) and each of its live webhook endpoints (only `endpoint` when given).
    /// Returns how many rows were written.
    @discardableResult
    public static func enqueue(
        _ event: NotificationEvent, participant: UUID, data: [String: String], endpoint: UUID? = nil, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> Int {
        let payload = NotificationPayload(type: event.rawValue, timestamp: ISO8601DateFormatter().string(from: context.at), data: data)
        var written = 0
        if event.emailsOwners && endpoint == nil {
            written += try await connection.execute(
                """
                INSERT INTO outbox (message_id, event_kind, participant_id, channel, email, payload, next_attempt_at, created_at)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), \(participant), 'email', u.email,
                       \(JSONB(payload)), \(context.at), \(context.at)
                FROM memberships m JOIN users u ON u.id = m.user_id
                WHERE m.participant_id = \(participant) AND m.role = 'owner' AND NOT u.disabled
                """)
        }
        written += try await connection.execute(
            """
            INSERT INTO outbox (message_id, event_kind, participant_id, channel, endpoint_id, payload, next_attempt_at, created_at)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), \(participant), 'webhook', e.id,
                   \(JSONB(payload)), \(context.at), \(context.at)
            FROM webhook_endpoints e
            WHERE e.participant_id = \(participant) AND e.deleted_at IS NULL AND (\(endpoint)::uuid IS NULL OR e.id = \(endpoint)::uuid)
            """)
        return written
    }
}
