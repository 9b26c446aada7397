import Domain
import Foundation
import Postgres

/// What a sign-up or reset request gets: the same answer whether the address has an account or
/// not (no enumeration), or a wait when requests for it come too fast.
public enum AccountRequestOutcome: Sendable, Equatable {
    case accepted
    case rateLimited(retryAfter: Int)
}

/// Self sign-up for buyers (role `enterprise`, unverified until the emailed link is followed) and
/// password reset for everyone, by single-use, expiring links sent through the outbox. Only the
/// SHA-256 of a link's secret is stored; the outbox row carries it sealed (AES-GCM), opened only
/// to render the email.
public struct AccountLinkStore: Sendable {
    let database: PostgresPool
    let passwords: Passwords
    let sealer: SecretSealer

    public init(database: PostgresPool, passwords: Passwords, sealer: SecretSealer) {
        self.database = database
        self.passwords = passwords
        self.sealer = sealer
    }

    enum RequestKind: String {
        case signup
        case passwordReset = "password_reset"
    }

    /// Creates an unverified `enterprise` account and emails its confirmation link; for an address
    /// that already has an account, emails its owner a reset link instead. The answer is the same.
    /// Input must already satisfy `InputRules.account` and `Passwords.isAcceptable`.
    public func signUp(
        email: String, displayName: String, organisation: String?, password: String, address: String, limits: LoginLimits,
        context: ChangeContext
    ) async throws -> AccountRequestOutcome {
        // Hashed whether or not the address is known, so the time taken does not tell.
        let hash = try await passwords.hash(password)
        return try await database.transaction { connection in
            if let wait = try await admit(.signup, email: email, address: address, limits: limits, at: context.at, on: connection) {
                return .rateLimited(retryAfter: wait)
            }
            if let existing = try await connection.query("SELECT id, email, disabled FROM users WHERE lower(email) = lower(\(email))").single {
                let id = try existing.decode("id", as: UUID.self)
                if try !existing.decode("disabled", as: Bool.self) {
                    try await sendLink(
                        .resetPassword, event: .accountAlreadyRegistered, user: id, email: try existing.decode("email"), context: context,
                        on: connection)
                }
                return .accepted
            }
            let user = try UserStore.user(
                from: try await connection.query(
                    """
                    INSERT INTO users (email, display_name, role, organisation, password_hash, email_verified, created_at, updated_at)
                    VALUES (\(email), \(displayName), \(UserRole.enterprise.rawValue), \(organisation), \(hash), false, \(context.at), \(context.at))
                    RETURNING \(unsafeRaw: UserStore.userColumns)
                    """)[0])
            try await AuditLog.append(
                "user.signed_up", entity: "user", id: user.id.uuidString.lowercased(), participant: nil, after: user, context: context,
                on: connection)
            try await sendLink(.verifyEmail, event: .accountVerifyEmail, user: user.id, email: email, context: context, on: connection)
            return .accepted
        }
    }

    /// Emails a reset link to the account with this address, if there is one and it is not disabled.
    public func requestReset(email: String, address: String, limits: LoginLimits, context: ChangeContext) async throws -> AccountRequestOutcome {
        try await database.transaction { connection in
            if let wait = try await admit(.passwordReset, email: email, address: address, limits: limits, at: context.at, on: connection) {
                return .rateLimited(retryAfter: wait)
            }
            if let row = try await connection.query("SELECT id, email FROM users WHERE lower(email) = lower(\(email)) AND NOT disabled").single {
                let id = try row.decode("id", as: UUID.self)
                try await sendLink(
                    .resetPassword, event: .accountPasswordReset, user: id, email: try row.decode("email"), context: context, on: connection)
                try await AuditLog.append(
                    "user.password_reset_requested", entity: "user", id: id.uuidString.lowercased(), participant: nil,
                    after: ["address": address], context: context, on: connection)
            }
            return .accepted
        }
    }

    /// Why the link `secret` cannot be used for `purpose` at `now`, or nil when it can (the pages
    /// ask before showing a form).
    public func refusal(_ secret: String, purpose: AccountLinkPurpose, at now: Date) async throws -> Refusal? {
        guard
            let row = try await database.query(
                "SELECT used_at, expires_at FROM account_tokens WHERE secret_sha256 = \(Secrets.sha256(secret)) AND purpose = \(purpose.rawValue)"
            ).single
        else { return Self.unknownLink }
        return AccountLinkPurpose.refusal(usedAt: try row.decode("used_at"), expiresAt: try row.decode("expires_at"), now: now)
    }

    /// Confirms the address behind a sign-up link: the account may sign in from now on.
    @discardableResult
    public func verifyEmail(_ secret: String, context: ChangeContext) async throws -> UUID {
        try await database.transaction { connection in
            let user = try await use(secret, purpose: .verifyEmail, at: context.at, on: connection)
            try await connection.execute("UPDATE users SET email_verified = true WHERE id = \(user)")
            try await AuditLog.append(
                "user.email_verified", entity: "user", id: user.uuidString.lowercased(), participant: nil, context: context, on: connection)
            return user
        }
    }

    /// Sets a new password with a reset link: every session of the account ends, every other
    /// reset link of it stops working, and the address counts as confirmed (the link reached it).
    /// The password must already satisfy `Passwords.isAcceptable`.
    @discardableResult
    public func resetPassword(_ secret: String, to password: String, context: ChangeContext) async throws -> UUID {
        let hash = try await passwords.hash(password)
        return try await database.transaction { connection in
            let user = try await use(secret, purpose: .resetPassword, at: context.at, on: connection)
            try await connection.execute("UPDATE users SET password_hash = \(hash), email_verified = true WHERE id = \(user)")
            let ended = try await connection.execute("DELETE FROM sessions WHERE user_id = \(user)")
            try await connection.execute(
                """
                UPDATE account_tokens SET used_at = \(context.at)
                WHERE user_id = \(user) AND purpose = \(AccountLinkPurpose.resetPassword.rawValue) AND used_at IS NULL
                """)
            try await AuditLog.append(
                "user.password_reset", entity: "user", id: user.uuidString.lowercased(), participant: nil,
                after: ["sessions_ended": String(ended)], context: context, on: connection)
            return user
        }
    }

    static let unknownLink = Refusal("link-invalid", "This link is not valid. Copy the whole link from the email, or ask for a new one.")

    /// Marks the link used and returns its user, or refuses (409) when it is unknown, used or expired.
    func use(_ secret: String, purpose: AccountLinkPurpose, at now: Date, on connection: PostgresConnection) async throws -> UUID {
        guard secret.utf8.count <= 100,
            let row = try await connection.query(
                """
                SELECT t.user_id, t.used_at, t.expires_at FROM account_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.secret_sha256 = \(Secrets.sha256(secret)) AND t.purpose = \(purpose.rawValue) AND NOT u.disabled
                FOR UPDATE OF t
                """
            ).single
        else { throw StoreError.conflict(slug: Self.unknownLink.code, detail: Self.unknownLink.message) }
        if let refusal = AccountLinkPurpose.refusal(usedAt: try row.decode("used_at"), expiresAt: try row.decode("expires_at"), now: now) {
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        try await connection.execute("UPDATE account_tokens SET used_at = \(now) WHERE secret_sha256 = \(Secrets.sha256(secret))")
        return try row.decode("user_id")
    }

    /// A new link for `user`, emailed through the outbox on the caller's transaction.
    func sendLink(
        _ purpose: AccountLinkPurpose, event: NotificationEvent, user: UUID, email: String, context: ChangeContext, on connection: PostgresConnection
    ) async throws {
        let secret = Secrets.random()
        try await connection.execute(
            """
            INSERT INTO account_tokens (secret_sha256, user_id, purpose, created_at, expires_at)
            VALUES (\(Secrets.sha256(secret)), \(user), \(purpose.rawValue), \(context.at), \(context.at.addingTimeInterval(purpose.lifetime)))
            """)
        try await Notifications.enqueue(
            event, user: user, email: email,
            data: [
                "purpose": purpose.rawValue, Notifications.sealedLinkField: Data(try sealer.seal(Array(secret.utf8))).base64EncodedString(),
                "expires_at": context.at.addingTimeInterval(purpose.lifetime).formatted(.iso8601),
            ],
            webhooks: false, context: context, on: connection)
    }

    /// Counts the request and says how long it must wait, if it must: sign-in's throttle
    /// (`LoginThrottle`), counting requests for the address per client and over all clients, and
    /// requests from the client for any address, so one client cannot flood one mailbox or make
    /// accounts by the hundred.
    func admit(_ kind: RequestKind, email: String, address: String, limits: LoginLimits, at now: Date, on connection: PostgresConnection)
        async throws -> Int?
    {
        try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(kind.rawValue) || lower(\(email)), 7220))")
        let since = now.addingTimeInterval(-limits.window)
        let row = try await connection.query(
            """
            SELECT count(*) FILTER (WHERE address = \(address)) AS from_address,
                   max(at) FILTER (WHERE address = \(address)) AS last_from_address,
                   count(*) FILTER (WHERE lower(email) = lower(\(email))) AS total,
                   max(at) FILTER (WHERE lower(email) = lower(\(email))) AS last_total
            FROM account_requests
            WHERE kind = \(kind.rawValue) AND at > \(since) AND (address = \(address) OR lower(email) = lower(\(email)))
            """)[0]
        let failures = LoginFailures(
            fromAddress: try row.decode("from_address", as: Int.self), lastFromAddress: try row.decode("last_from_address"),
            total: try row.decode("total", as: Int.self), lastTotal: try row.decode("last_total"), addressIsFamiliar: false)
        let wait = LoginThrottle.wait(failures, limits: limits, now: now)
        if wait > 0 { return wait }
        try await connection.execute(
            "INSERT INTO account_requests (kind, email, address, at) VALUES (\(kind.rawValue), \(email), \(address), \(now))")
        try await connection.execute(
            "DELETE FROM account_requests WHERE kind = \(kind.rawValue) AND at < \(since) AND lower(email) = lower(\(email))")
        return nil
    }
}
