import Domain
import Foundation
import Postgres

extension Notifications {
    /// The payload field that carries an emailed link's secret, sealed with the webhook secrets'
    /// key: the outbox never holds it in clear, and it is opened only to render the email.
    static let sealedLinkField = "link_token_sealed"
    /// The field the email renderer reads the opened secret from.
    public static let linkTokenField = "link_token"

    /// One row for a user (not a participant): an email to `email`, and with `webhooks` one row
    /// per live webhook endpoint of theirs. Returns how many rows were written.
    @discardableResult
    public static func enqueue(
        _ event: NotificationEvent, user: UUID, email: String?, data: [String: String], webhooks: Bool, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> Int {
        let payload = NotificationPayload(type: event.rawValue, timestamp: ISO8601DateFormatter().string(from: context.at), data: data)
        var written = 0
        if let email {
            written += try await connection.execute(
                """
                INSERT INTO outbox (message_id, event_kind, user_id, channel, email, payload, next_attempt_at, created_at)
                VALUES ('msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), \(user), 'email', \(email),
                        \(JSONB(payload)), \(context.at), \(context.at))
                """)
        }
        if webhooks {
            // The webhook body never carries a link's secret.
            let hooked = NotificationPayload(type: payload.type, timestamp: payload.timestamp, data: data.filter { $0.key != sealedLinkField })
            written += try await connection.execute(
                """
                INSERT INTO outbox (message_id, event_kind, user_id, channel, endpoint_id, payload, next_attempt_at, created_at)
                SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), \(user), 'webhook', e.id,
                       \(JSONB(hooked)), \(context.at), \(context.at)
                FROM webhook_endpoints e WHERE e.user_id = \(user) AND e.deleted_at IS NULL
                """)
        }
        return written
    }

    /// The payload with a sealed link secret opened (`linkTokenField`), for rendering an email.
    static func opened(_ payload: NotificationPayload, with sealer: SecretSealer) throws -> NotificationPayload {
        guard let sealed = payload.data[sealedLinkField] else { return payload }
        var data = payload.data
        data[sealedLinkField] = nil
        if let bytes = Data(base64Encoded: sealed) {
            data[linkTokenField] = String(decoding: try sealer.open(bytes), as: UTF8.self)
        }
        return NotificationPayload(type: payload.type, timestamp: payload.timestamp, data: data)
    }
}
