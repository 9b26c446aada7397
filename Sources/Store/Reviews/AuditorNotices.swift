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

    /// Tells the auditors of open items near (due within one working day of `now`) or past their
    /// due time, once per item and threshold (`review_item_reminders`), and only the overdue
    /// reminder for an item first seen past due; returns how many reminders it wrote.
    static func itemsDue(at now: Date, on connection: PostgresConnection) async throws -> Int {
        var sent = 0
        for (threshold, limit) in [("past", now), ("near", WorkingDays.add(1, to: now))] {
            let rows = try await connection.query(
                """
                INSERT INTO review_item_reminders (review_item_id, threshold, sent_at)
                SELECT i.id, \(threshold), \(now) FROM review_items i
                WHERE i.status <> 'closed' AND i.due_at <= \(limit)
                  -- An item found already overdue is not also told as "due within a working day".
                  AND NOT EXISTS (SELECT 1 FROM review_item_reminders r WHERE r.review_item_id = i.id AND r.threshold = 'past')
                ON CONFLICT DO NOTHING
                RETURNING review_item_id
                """)
            for row in rows {
                let item = try row.decode(0, as: UUID.self)
                let found = try await connection.query(
                    """
                    SELECT i.kind, p.display_name, i.due_at FROM review_items i JOIN participants p ON p.id = i.participant_id WHERE i.id = \(item)
                    """
                ).single
                guard let found, let kind = ReviewKind(rawValue: try found.decode(0, as: String.self)) else { continue }
                let name = try found.decode(1, as: String.self)
                let due = ISO8601DateFormatter().string(from: try found.decode(2, as: Date.self))
                let summary =
                    threshold == "past"
                    ? "A review item is overdue: \(kind.label) for \(name), due \(due). Open the queue to claim it."
                    : "A review item is due within a working day: \(kind.label) for \(name), due \(due). Open the queue to claim it."
                try await enqueue(.reviewItemDue, item: item, summary: summary, context: .system(at: now), on: connection)
                sent += 1
            }
        }
        return sent
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

extension ReviewStore {
    /// The `review_reminders` job's work: auditors told of items near or past their due time,
    /// once per item and threshold, on one transaction. Returns how many reminders it wrote.
    @discardableResult
    public func remindAuditors(at now: Date) async throws -> Int {
        try await database.transaction { connection in try await AuditorNotices.itemsDue(at: now, on: connection) }
    }
}
