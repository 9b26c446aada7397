import Domain
import Foundation
import Postgres

/// The auditors' notifications: a new item in the queue, an item near or past its due time. One
/// email row per active auditor, written into the outbox on the caller's transaction; they name
/// no participant, so they appear in no participant's delivery log.
enum AuditorNotices {
    static func itemOpened(_ item: UUID, kind: ReviewKind, participant: UUID, context: ChangeContext, on connection: PostgresConnection)
        async throws
    {
        let name = try await connection.query("SELECT display_name FROM participants WHERE id = \(participant)").single?.decode(0, as: String.self)
        try await enqueue(
            .reviewItemOpened, item: item,
            summary: "A new item is in the review queue: \(kind.label) for \(name ?? "a participant"). Open the queue to claim it.",
            context: context, on: connection)
    }

    /// Writes `event` for every active auditor.
    @discardableResult
    static func enqueue(_ event: NotificationEvent, item: UUID, summary: String, context: ChangeContext, on connection: PostgresConnection)
        async throws -> Int
    {
        let payload = NotificationPayload(
            type: event.rawValue, timestamp: ISO8601DateFormatter().string(from: context.at),
            data: ["review_item_id": item.uuidString.lowercased(), "summary": summary])
        return try await connection.execute(
            """
            INSERT INTO outbox (message_id, event_kind, channel, email, payload, next_attempt_at, created_at)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), 'email', u.email, \(JSONB(payload)), \(context.at), \(context.at)
            FROM users u WHERE u.role = 'auditor' AND NOT u.disabled
            """)
    }
}
