import Domain
import Foundation
import Postgres

/// What the recurring `housekeeping` job removes: rows no rule reads any more, judged at the
/// clock's time (bound as a value), not the database's.
public struct Housekeeping: Sendable {
    public let database: PostgresPool

    public init(database: PostgresPool) { self.database = database }

    /// How many rows one pass removed, per kind.
    public struct Removed: Sendable, Equatable {
        public var sessions: Int
        public var idempotencyKeys: Int
        public var loginAttempts: Int
        /// Sign-up and password-reset links used or expired longer than `AccountLinkPurpose.retention` ago.
        public var accountLinks: Int

        public init(sessions: Int, idempotencyKeys: Int, loginAttempts: Int, accountLinks: Int) {
            self.sessions = sessions
            self.idempotencyKeys = idempotencyKeys
            self.loginAttempts = loginAttempts
            self.accountLinks = accountLinks
        }
    }

    /// Removes, as of `now`: sessions past their expiry, idempotency keys older than their
    /// retention, failed sign-ins older than the throttle's window and successful ones older than
    /// its trust period, and account links used or expired more than `AccountLinkPurpose.retention` ago. Idempotent: a second pass at the same time removes nothing.
    @discardableResult
    public func purge(at now: Date, login limits: LoginLimits = LoginLimits()) async throws -> Removed {
        try await database.transaction { connection in
            let sessions = try await connection.execute("DELETE FROM sessions WHERE expires_at < \(now)")
            let keys = try await connection.execute(
                "DELETE FROM idempotency_keys WHERE created_at < \(now.addingTimeInterval(-IdempotencyStore.retention))")
            let attempts = try await connection.execute(
                """
                DELETE FROM login_attempts
                WHERE at < CASE WHEN succeeded THEN \(now.addingTimeInterval(-limits.trustedFor)) ELSE \(now.addingTimeInterval(-limits.window)) END
                """)
            let linkCutoff = now.addingTimeInterval(-AccountLinkPurpose.retention)
            let links = try await connection.execute(
                "DELETE FROM account_tokens WHERE used_at < \(linkCutoff) OR expires_at < \(linkCutoff)")
            return Removed(sessions: sessions, idempotencyKeys: keys, loginAttempts: attempts, accountLinks: links)
        }
    }
}
