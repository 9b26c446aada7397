import Domain
import Foundation
import Postgres

/// A user's webhook endpoint (a buyer's, for their watchlists), as its owner sees it (never its secret).
public struct UserWebhookEndpoint: Sendable, Equatable, Codable {
    public let id: UUID
    public let url: String
    public let description: String
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, url, description
        case createdAt = "created_at"
    }
}

extension NotificationStore {
    /// Registers an endpoint of `user` with a new secret, signed and delivered as participants'
    /// endpoints are; returns it with the secret (`whsec_` + base64), shown this once.
    public func createEndpoint(user: UUID, url: String, description: String, context: ChangeContext) async throws
        -> (endpoint: UserWebhookEndpoint, secret: String)
    {
        var generator = SystemRandomNumberGenerator()
        let key = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let sealed = try sealer.seal(key)
        let endpoint = try await database.transaction { connection in
            let endpoint = try Self.userEndpoint(
                try await connection.query(
                    """
                    INSERT INTO webhook_endpoints (user_id, url, description, secret_sealed, created_by, created_at)
                    VALUES (\(user), \(url), \(description), \(sealed), \(user), \(context.at))
                    RETURNING id, url, description, created_at
                    """)[0])
            try await AuditLog.append(
                "webhook_endpoint.created", entity: "webhook_endpoint", id: endpoint.id.uuidString.lowercased(), participant: nil,
                after: ["url": url, "description": description, "user": user.uuidString.lowercased()], context: context, on: connection)
            return endpoint
        }
        return (endpoint, "whsec_" + Data(key).base64EncodedString())
    }

    public func endpoints(ofUser user: UUID) async throws -> [UserWebhookEndpoint] {
        try await database.query(
            """
            SELECT id, url, description, created_at FROM webhook_endpoints
            WHERE user_id = \(user) AND deleted_at IS NULL ORDER BY created_at, id
            """
        ).map(Self.userEndpoint)
    }

    /// Deletes a user's endpoint; what was queued for it is given up. Another user's is not found.
    public func deleteEndpoint(_ id: UUID, ofUser user: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                try await connection.execute(
                    "UPDATE webhook_endpoints SET deleted_at = \(context.at) WHERE id = \(id) AND user_id = \(user) AND deleted_at IS NULL") == 1
            else { throw StoreError.notFound("You have no webhook endpoint \(id.uuidString.lowercased()).") }
            try await connection.execute(
                """
                UPDATE outbox SET state = \(DeliveryState.failed.rawValue), next_attempt_at = NULL, last_error = 'The endpoint was deleted.'
                WHERE endpoint_id = \(id) AND state = \(DeliveryState.pending.rawValue)
                """)
            try await AuditLog.append(
                "webhook_endpoint.deleted", entity: "webhook_endpoint", id: id.uuidString.lowercased(), participant: nil, context: context,
                on: connection)
        }
    }

    /// The delivery log of a user's endpoint, latest first.
    public func deliveries(of id: UUID, user: UUID, limit: Int) async throws -> [DeliveryAttempt] {
        guard try await database.query("SELECT 1 FROM webhook_endpoints WHERE id = \(id) AND user_id = \(user)").single != nil else {
            throw StoreError.notFound("You have no webhook endpoint \(id.uuidString.lowercased()).")
        }
        return try await database.query(
            """
            SELECT a.outbox_id, o.message_id, o.event_kind, a.attempted_at, a.status_code, a.duration_ms, a.succeeded, a.error
            FROM delivery_attempts a JOIN outbox o ON o.id = a.outbox_id
            WHERE a.endpoint_id = \(id) ORDER BY a.attempted_at DESC, a.id DESC LIMIT \(limit)
            """
        ).map(Self.deliveryAttempt)
    }

    static func userEndpoint(_ row: PostgresRow) throws -> UserWebhookEndpoint {
        UserWebhookEndpoint(
            id: try row.decode("id"), url: try row.decode("url"), description: try row.decode("description"),
            createdAt: try row.decode("created_at"))
    }
}
