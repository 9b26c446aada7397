import Foundation
import Postgres

/// A stored first response to a creating request.
public struct StoredResponse: Sendable, Equatable {
    public let status: Int
    public let location: String?
    public let body: Data

    public init(status: Int, location: String?, body: Data) {
        self.status = status
        self.location = location
        self.body = body
    }
}

/// `Idempotency-Key` support: the key is claimed inside the transaction that creates the
/// resource, so either both commit or neither does; a concurrent request with the same key waits
/// on the key's row and then replays the committed response.
public enum IdempotencyStore {
    public enum Claim: Sendable, Equatable {
        /// The key is new: go ahead, and `record` the response in the same transaction.
        case fresh
        /// The key was used for the same request: send this response again.
        case replay(StoredResponse)
        /// The key was used for a different request (422).
        case mismatch
    }

    /// How long a key is remembered; a retry after that is a new request.
    public static let retention: TimeInterval = 24 * 3600

    /// Looks the key up for `userID` at `now` (older keys are forgotten), waiting for a concurrent transaction that holds it.
    public static func claim(key: String, userID: UUID, requestHash: Data, at now: Date, on connection: PostgresConnection) async throws -> Claim {
        // The user's keys older than the retention go first, so the table does not grow forever.
        try await connection.execute(
            "DELETE FROM idempotency_keys WHERE user_id = \(userID) AND created_at < \(now.addingTimeInterval(-retention))")
        // Insert a placeholder: on conflict this waits for the other transaction to finish.
        let inserted = try await connection.execute(
            """
            INSERT INTO idempotency_keys (user_id, key, request_sha256, status, body, created_at)
            VALUES (\(userID), \(key), \(requestHash), 0, '\\x', \(now))
            ON CONFLICT (user_id, key) DO NOTHING
            """)
        if inserted == 1 { return .fresh }
        let row = try await connection.query(
            """
            SELECT request_sha256, status, location, body FROM idempotency_keys WHERE user_id = \(userID) AND key = \(key)
            """)[0]
        guard try row.decode("request_sha256", as: Data.self) == requestHash else { return .mismatch }
        return .replay(StoredResponse(status: try row.decode("status"), location: try row.decode("location"), body: try row.decode("body")))
    }

    /// Stores the response for a fresh key, in the transaction that claimed it.
    public static func record(_ response: StoredResponse, key: String, userID: UUID, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE idempotency_keys SET status = \(response.status), location = \(response.location), body = \(response.body)
            WHERE user_id = \(userID) AND key = \(key)
            """)
    }
}
