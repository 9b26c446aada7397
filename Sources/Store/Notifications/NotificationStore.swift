import Domain
import Foundation
import Postgres

/// A participant's webhook endpoint as its owners see it (never its secret).
public struct WebhookEndpoint: Sendable, Equatable, Codable {
    public let id: UUID
    public let participantID: UUID
    public let url: String
    public let description: String
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, description
        case participantID = "participant_id"
        case createdAt = "created_at"
    }
}

/// One delivery attempt, as the participant's delivery log shows it.
public struct DeliveryAttempt: Sendable, Equatable, Codable {
    public let outboxID: UUID
    public let messageID: String
    public let event: NotificationEvent
    public let attemptedAt: Date
    public let statusCode: Int?
    public let durationMilliseconds: Int
    public let succeeded: Bool
    public let error: String?

    enum CodingKeys: String, CodingKey {
        case event, succeeded, error
        case outboxID = "outbox_id"
        case messageID = "message_id"
        case attemptedAt = "attempted_at"
        case statusCode = "status_code"
        case durationMilliseconds = "duration_ms"
    }
}

/// An outbox row taken for delivery, with what the delivery needs.
public struct DueNotification: Sendable {
    public let id: UUID
    public let messageID: String
    public let event: NotificationEvent
    public let channel: NotificationChannel
    public let email: String?
    public let endpointID: UUID?
    public let endpointURL: String?
    /// The endpoint's signing key (decoded secret bytes), opened for this delivery only.
    public let signingKey: [UInt8]?
    public let payload: NotificationPayload
    /// Attempts made before this one.
    public let attempts: Int
}

/// How one attempt went.
public struct AttemptOutcome: Sendable {
    public let statusCode: Int?
    public let duration: TimeInterval
    public let succeeded: Bool
    /// A failure that retrying cannot fix (an SMTP 5xx, an endpoint that was deleted).
    public let permanent: Bool
    public let error: String?

    public init(statusCode: Int?, duration: TimeInterval, succeeded: Bool, permanent: Bool = false, error: String?) {
        self.statusCode = statusCode
        self.duration = duration
        self.succeeded = succeeded
        self.permanent = permanent
        self.error = error
    }
}

/// Webhook endpoints and the outbox: registration, the delivery log, taking due rows and
/// recording attempts.
public struct NotificationStore: Sendable {
    let database: PostgresPool
    let sealer: SecretSealer

    /// How long a taken row is left to its deliverer before another may take it again.
    public static let lease: TimeInterval = 120

    public init(database: PostgresPool, sealer: SecretSealer) {
        self.database = database
        self.sealer = sealer
    }

    // MARK: Endpoints

    /// Registers an endpoint with a new secret; returns it with the secret (`whsec_` + base64),
    /// which is shown this once. The URL must already satisfy `WebhookEndpointRules`.
    public func createEndpoint(
        participant: UUID, url: String, description: String, by user: UUID?, context: ChangeContext
    ) async throws -> (endpoint: WebhookEndpoint, secret: String) {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let sealed = try sealer.seal(key)
        let endpoint = try await database.transaction { connection in
            try await ParticipantStore.lockParticipant(participant, on: connection)
            let row = try await connection.query(
                """
                INSERT INTO webhook_endpoints (participant_id, url, description, secret_sealed, created_by, created_at)
                VALUES (\(participant), \(url), \(description), \(sealed), \(user), \(context.at))
                RETURNING id, participant_id, url, description, created_at
                """)[0]
            let endpoint = try Self.endpoint(row)
            try await AuditLog.append(
                "webhook_endpoint.created", entity: "webhook_endpoint", id: endpoint.id.uuidString.lowercased(), participant: participant,
                after: ["url": url, "description": description], context: context, on: connection)
            return endpoint
        }
        return (endpoint, "whsec_" + Data(key).base64EncodedString())
    }

    public func endpoints(of participant: UUID) async throws -> [WebhookEndpoint] {
        try await database.query(
            """
            SELECT id, participant_id, url, description, created_at FROM webhook_endpoints
            WHERE participant_id = \(participant) AND deleted_at IS NULL ORDER BY created_at, id
            """
        ).map(Self.endpoint)
    }

    public func endpoint(_ id: UUID, of participant: UUID) async throws -> WebhookEndpoint {
        guard
            let row = try await database.query(
                """
                SELECT id, participant_id, url, description, created_at FROM webhook_endpoints
                WHERE id = \(id) AND participant_id = \(participant) AND deleted_at IS NULL
                """
            ).single
        else { throw StoreError.notFound("This participant has no webhook endpoint \(id.uuidString.lowercased()).") }
        return try Self.endpoint(row)
    }

    /// Deletes an endpoint: nothing more is sent to it; its delivery log stays readable to the audit trail.
    public func deleteEndpoint(_ id: UUID, of participant: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            let changed = try await connection.execute(
                """
                UPDATE webhook_endpoints SET deleted_at = \(context.at)
                WHERE id = \(id) AND participant_id = \(participant) AND deleted_at IS NULL
                """)
            guard changed == 1 else { throw StoreError.notFound("This participant has no webhook endpoint \(id.uuidString.lowercased()).") }
            try await connection.execute(
                """
                UPDATE outbox SET state = \(DeliveryState.failed.rawValue), next_attempt_at = NULL, last_error = 'The endpoint was deleted.'
                WHERE endpoint_id = \(id) AND state = \(DeliveryState.pending.rawValue)
                """)
            try await AuditLog.append(
                "webhook_endpoint.deleted", entity: "webhook_endpoint", id: id.uuidString.lowercased(), participant: participant,
                context: context, on: connection)
        }
    }

    /// Queues a `webhook.test` event to one endpoint.
    public func sendTest(to id: UUID, of participant: UUID, context: ChangeContext) async throws {
        _ = try await endpoint(id, of: participant)
        try await database.transaction { connection in
            try await Notifications.enqueue(
                .webhookTest, participant: participant, data: ["participant_id": participant.uuidString.lowercased()], endpoint: id,
                context: context, on: connection)
        }
    }

    /// The endpoint's delivery log, latest first.
    public func deliveries(of id: UUID, participant: UUID, limit: Int) async throws -> [DeliveryAttempt] {
        _ = try await endpoint(id, of: participant)
        return try await database.query(
            """
            SELECT a.outbox_id, o.message_id, o.event_kind, a.attempted_at, a.status_code, a.duration_ms, a.succeeded, a.error
            FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id
            WHERE a.endpoint_id = \(id) ORDER BY a.attempted_at DESC, a.id DESC LIMIT \(limit)
            """
        ).map(Self.deliveryAttempt)
    }

    static func deliveryAttempt(_ row: PostgresRow) throws -> DeliveryAttempt {
        DeliveryAttempt(
            outboxID: try row.decode("outbox_id"), messageID: try row.decode("message_id"),
            event: try row.decode("event_kind", as: NotificationEvent.self), attemptedAt: try row.decode("attempted_at"),
            statusCode: try row.decode("status_code", as: Int32?.self).map(Int.init),
            durationMilliseconds: Int(try row.decode("duration_ms", as: Int32.self)), succeeded: try row.decode("succeeded"),
            error: try row.decode("error"))
    }

    // MARK: The outbox

    /// Takes up to `limit` rows due at `now` (`FOR UPDATE SKIP LOCKED`, so several deliverers
    /// never take the same row) and leases them for `lease` seconds: a deliverer that dies
    /// leaves them to be taken again once the lease ends.
    public func takeDue(at now: Date, limit: Int) async throws -> [DueNotification] {
        let rows = try await database.transaction { connection in
            try await connection.query(
                """
                WITH due AS (
                    SELECT id FROM outbox WHERE state = \(DeliveryState.pending.rawValue) AND next_attempt_at <= \(now)
                    ORDER BY next_attempt_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                )
                UPDATE outbox o SET next_attempt_at = \(now.addingTimeInterval(Self.lease)) FROM due WHERE o.id = due.id
                RETURNING o.id, o.message_id, o.event_kind, o.channel, o.email, o.endpoint_id, o.payload, o.attempts,
                          (SELECT e.url FROM webhook_endpoints e WHERE e.id = o.endpoint_id AND e.deleted_at IS NULL) AS url,
                          (SELECT e.secret_sealed FROM webhook_endpoints e WHERE e.id = o.endpoint_id AND e.deleted_at IS NULL) AS sealed
                """)
        }
        return try rows.map { row in
            let sealed = try row.decode("sealed", as: Data?.self)
            return DueNotification(
                id: try row.decode("id"), messageID: try row.decode("message_id"), event: try row.decode("event_kind", as: NotificationEvent.self),
                channel: try row.decode("channel", as: NotificationChannel.self), email: try row.decode("email"),
                endpointID: try row.decode("endpoint_id"), endpointURL: try row.decode("url"), signingKey: try sealed.map(sealer.open),
                payload: try Notifications.opened(try row.decode("payload", as: JSONB<NotificationPayload>.self).value, with: sealer),
                attempts: Int(try row.decode("attempts", as: Int32.self)))
        }
    }

    /// Records one attempt at `at` and what follows: delivered, another attempt on the
    /// schedule (`DeliverySchedule`), or failed for good.
    public func record(_ notification: DueNotification, _ outcome: AttemptOutcome, at: Date) async throws {
        let attempts = notification.attempts + 1
        let next = outcome.succeeded ? nil : DeliverySchedule.nextAttempt(afterAttempts: attempts, at: at, permanent: outcome.permanent)
        let state: DeliveryState = outcome.succeeded ? .delivered : (next == nil ? .failed : .pending)
        let error = outcome.error.map { String($0.prefix(Limits.deliveryError.max)) }
        try await database.transaction { connection in
            try await connection.execute(
                """
                INSERT INTO delivery_attempts (outbox_id, endpoint_id, attempted_at, status_code, duration_ms, succeeded, error)
                VALUES (\(notification.id), \(notification.endpointID), \(at), \(outcome.statusCode), \(Int(max(0, outcome.duration) * 1000)),
                        \(outcome.succeeded), \(error))
                """)
            try await connection.execute(
                """
                UPDATE outbox SET attempts = \(attempts), state = \(state.rawValue), next_attempt_at = \(next), last_error = \(error),
                       delivered_at = \(outcome.succeeded ? at : nil)
                WHERE id = \(notification.id)
                """)
        }
    }

    static func endpoint(_ row: PostgresRow) throws -> WebhookEndpoint {
        WebhookEndpoint(
            id: try row.decode("id"), participantID: try row.decode("participant_id"), url: try row.decode("url"),
            description: try row.decode("description"), createdAt: try row.decode("created_at"))
    }
}
