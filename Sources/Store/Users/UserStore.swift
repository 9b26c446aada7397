import Domain
import Foundation
import Postgres

/// A person who signs in.
public struct User: Sendable, Encodable, Equatable {
    public let id: UUID
    public let email: String
    public let displayName: String
    public let role: UserRole
    public let organisation: String?
    public let disabled: Bool
    public let createdAt: Date
    public let version: Int

    enum CodingKeys: String, CodingKey {
        case id, email, role, organisation, disabled, version
        case displayName = "display_name"
        case createdAt = "created_at"
    }
}

/// An API token as listed: never the secret, which is shown once at creation.
public struct APIToken: Sendable, Encodable, Equatable {
    public let id: UUID
    public let name: String
    public let displayPrefix: String
    public let scopes: [Scope]
    public let expiresAt: Date?
    public let lastUsedAt: Date?
    public let revokedAt: Date?
    public let createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, scopes
        case displayPrefix = "prefix"
        case expiresAt = "expires_at"
        case lastUsedAt = "last_used_at"
        case revokedAt = "revoked_at"
        case createdAt = "created_at"
    }
}

/// A signed-in browser: the user and the CSRF token its forms must carry.
public struct BrowserSession: Sendable {
    public let actor: Actor
    public let user: User
    public let csrfToken: String
}

/// Users, their memberships, API tokens, browser sessions and login rate limiting.
public struct UserStore: Sendable {
    let database: PostgresPool
    let passwords: Passwords
    /// Tokens and sessions already looked up; nil to ask the database every time.
    let credentials: CredentialCache?

    public init(database: PostgresPool, passwords: Passwords = Passwords(), credentials: CredentialCache? = nil) {
        self.database = database
        self.passwords = passwords
        self.credentials = credentials
    }

    // MARK: Users

    /// Creates a user; the password (when given) is stored as a bcrypt hash.
    public func create(
        email: String, displayName: String, role: UserRole, organisation: String? = nil, password: String?, context: ChangeContext
    ) async throws -> User {
        let hash = try await hashIfGiven(password)
        return try await withEmailConflicts {
            try await database.transaction { connection in
                try await create(
                    email: email, displayName: displayName, role: role, organisation: organisation, passwordHash: hash,
                    context: context, on: connection)
            }
        }
    }

    /// bcrypt of `password`, off the cooperative pool; hash before opening a transaction.
    public func hashIfGiven(_ password: String?) async throws -> String? {
        guard let password else { return nil }
        return try await passwords.hash(password)
    }

    /// `create` inside the caller's transaction, with a hash from `hashIfGiven` (run it within `withEmailConflicts`).
    public func create(
        email: String, displayName: String, role: UserRole, organisation: String?, passwordHash: String?, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> User {
        let user = try Self.user(
            from: try await connection.query(
                """
                INSERT INTO users (email, display_name, role, organisation, password_hash)
                VALUES (\(email), \(displayName), \(role.rawValue), \(organisation), \(passwordHash)) RETURNING \(unsafeRaw: Self.userColumns)
                """)[0])
        try await AuditLog.append(
            "user.created", entity: "user", id: user.id.uuidString.lowercased(), participant: nil,
            after: user, context: context, on: connection)
        return user
    }

    /// Turns a second account for one email into a 409.
    public func withEmailConflicts<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "users_email_unique" {
            throw StoreError.conflict(slug: "email-taken", detail: "A user with this email already exists.")
        }
    }

    public func user(_ id: UUID) async throws -> User {
        guard let row = try await database.query("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(id)").single else {
            throw StoreError.notFound("There is no user \(id.uuidString.lowercased()).")
        }
        return try Self.user(from: row)
    }

    public func list(limit: Int, cursor: String?) async throws -> Page<User> {
        let after = try cursor.map { text throws(StoreError) in try ListCursor(text) }
        let rows = try await database.query(
            """
            SELECT \(unsafeRaw: Self.userColumns) FROM users
            WHERE (\(after?.createdAt)::timestamptz IS NULL OR (created_at, id) > (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY created_at, id LIMIT \(limit + 1)
            """)
        let items = try rows.prefix(limit).map(Self.user(from:))
        let next = rows.count > limit ? items.last.map { ListCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(items: items, nextCursor: next)
    }

    /// When each of `users` last signed in with a password, from the audit log's `user.signed_in`
    /// events (kept for good, unlike sessions and sign-in attempts); absent for those who never did.
    public func lastSignIns(of users: [UUID]) async throws -> [UUID: Date] {
        guard !users.isEmpty else { return [:] }
        let rows = try await database.query(
            """
            SELECT entity_id, max(at) AS at FROM audit_events
            WHERE entity_type = 'user' AND action = 'user.signed_in' AND entity_id = ANY(\(users.map { $0.uuidString.lowercased() }))
            GROUP BY entity_id
            """)
        var result: [UUID: Date] = [:]
        for row in rows {
            if let id = UUID(uuidString: try row.decode("entity_id", as: String.self)) { result[id] = try row.decode("at", as: Date.self) }
        }
        return result
    }

    /// Changes a user's role, name or disabled flag (admins), when `expectedVersion` is current.
    public func update(
        _ id: UUID, displayName: String?, role: UserRole?, disabled: Bool?, expectedVersion: Int, context: ChangeContext
    ) async throws -> User {
        try await database.transaction { connection in
            guard let row = try await connection.query("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(id) FOR UPDATE").single else {
                throw StoreError.notFound("There is no user \(id.uuidString.lowercased()).")
            }
            let before = try Self.user(from: row)
            guard before.version == expectedVersion else { throw StoreError.staleVersion(current: before.version) }
            let after = try Self.user(
                from: try await connection.query(
                    """
                    UPDATE users SET display_name = \(displayName ?? before.displayName), role = \((role ?? before.role).rawValue),
                        disabled = \(disabled ?? before.disabled)
                    WHERE id = \(id) RETURNING \(unsafeRaw: Self.userColumns)
                    """)[0])
            if after.disabled {
                // A disabled account loses its sessions at once; its tokens stop working through the join.
                try await connection.execute("DELETE FROM sessions WHERE user_id = \(id)")
            }
            try await AuditLog.append(
                "user.updated", entity: "user", id: id.uuidString.lowercased(), participant: nil,
                before: before, after: after, context: context, on: connection)
            return after
        }
    }

    /// The actor for a user: their role and memberships.
    public func actor(for userID: UUID, scopes: Set<Scope> = Set(Scope.allCases)) async throws -> Actor? {
        let sql: SQL = """
            SELECT u.role, coalesce(array_agg(m.participant_id::text || ':' || m.role) FILTER (WHERE m.participant_id IS NOT NULL), '{}') AS memberships
            FROM users u LEFT JOIN memberships m ON m.user_id = u.id
            WHERE u.id = \(userID) AND NOT u.disabled GROUP BY u.role
            """
        let rows = try await database.query(sql)
        guard let row = rows.single, let role = UserRole(rawValue: try row.decode("role")) else { return nil }
        return Actor(userID: userID, role: role, memberships: Self.memberships(try row.decode("memberships")), scopes: scopes)
    }

    // MARK: Passwords and logins

    /// Checks an email and password, slowed down after failures (`LoginThrottle`).
    ///
    /// The attempt is counted as failed before the password is checked, under a lock per
    /// account, so parallel guesses see each other and cannot all slip under the limit; a right
    /// password then marks it succeeded. Refusals are audited, without the password or the
    /// email typed for an account that does not exist.
    public func login(email: String, password: String, address: String, limits: LoginLimits, context: ChangeContext) async throws
        -> LoginOutcome
    {
        let now = context.at
        let account = try await database.query(
            "SELECT id, password_hash, disabled, email_verified FROM users WHERE lower(email) = lower(\(email))"
        ).single
        let userID = try account?.decode("id", as: UUID.self)
        let entityID = userID?.uuidString.lowercased() ?? "unknown"
        let admission: Admission = try await database.transaction { connection in
            try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(lower(\(email)), 7219))")
            let failures = try await Self.recentFailures(email: email, address: address, limits: limits, now: now, on: connection)
            let wait = LoginThrottle.wait(failures, limits: limits, now: now)
            if wait > 0 {
                try await AuditLog.append(
                    "user.sign_in_throttled", entity: "user", id: entityID, participant: nil,
                    after: SignInRefusal(address: address, reason: "throttled", retryAfter: wait), context: context, on: connection)
                return .wait(seconds: wait)
            }
            return .attempt(
                try await connection.query(
                    "INSERT INTO login_attempts (email, address, succeeded, at) VALUES (\(email), \(address), false, \(now)) RETURNING id"
                )[0].decode(0, as: Int64.self))
        }
        let attempt: Int64
        switch admission {
        case .attempt(let id): attempt = id
        case .wait(let seconds): return .rateLimited(retryAfter: seconds)
        }
        let hash = try account?.decode("password_hash", as: String?.self)
        let matches = try await passwords.verify(password, against: hash)
        let disabled = try account?.decode("disabled", as: Bool.self) ?? true
        if matches && hash != nil && !disabled, let userID {
            try await database.execute("UPDATE login_attempts SET succeeded = true WHERE id = \(attempt)")
            // Only someone who knows the password learns that the address is not confirmed yet.
            guard try account?.decode("email_verified", as: Bool.self) ?? false else { return .unverified }
            return .succeeded(userID: userID)
        }
        let reason = account == nil ? "unknown_account" : disabled ? "disabled" : "wrong_password"
        try await database.transaction { connection in
            try await AuditLog.append(
                "user.sign_in_failed", entity: "user", id: entityID, participant: nil,
                after: SignInRefusal(address: address, reason: reason, retryAfter: nil), context: context, on: connection)
            // What no rule looks at any more goes: failures past the window, successes past the trust period.
            try await connection.execute(
                """
                DELETE FROM login_attempts WHERE lower(email) = lower(\(email))
                  AND at < CASE WHEN succeeded THEN \(now.addingTimeInterval(-limits.trustedFor)) ELSE \(now.addingTimeInterval(-limits.window)) END
                """)
        }
        return .refused
    }

    /// The account's failures that still count, as `LoginThrottle` reads them: those after the
    /// last success (from this address, or from any for the account-wide count).
    static func recentFailures(email: String, address: String, limits: LoginLimits, now: Date, on connection: PostgresConnection) async throws
        -> LoginFailures
    {
        let since = now.addingTimeInterval(-limits.window)
        let row = try await connection.query(
            """
            WITH attempts AS (
                SELECT address, succeeded, at FROM login_attempts
                WHERE lower(email) = lower(\(email)) AND at > \(now.addingTimeInterval(-max(limits.window, limits.trustedFor)))
            ), successes AS (
                SELECT max(at) AS anywhere, max(at) FILTER (WHERE address = \(address)) AS here,
                       bool_or(address = \(address) AND at > \(now.addingTimeInterval(-limits.trustedFor))) AS familiar
                FROM attempts WHERE succeeded
            ), counted AS (
                SELECT a.address, a.at FROM attempts a, successes s
                WHERE NOT a.succeeded AND a.at > \(since) AND a.at > coalesce(s.anywhere, '-infinity')
            ), counted_here AS (
                SELECT a.at FROM attempts a, successes s
                WHERE NOT a.succeeded AND a.address = \(address) AND a.at > \(since) AND a.at > coalesce(s.here, '-infinity')
            )
            SELECT (SELECT count(*) FROM counted_here) AS from_address, (SELECT max(at) FROM counted_here) AS last_from_address,
                   (SELECT count(*) FROM counted) AS total, (SELECT max(at) FROM counted) AS last_total,
                   coalesce((SELECT familiar FROM successes), false) AS familiar
            """)[0]
        return LoginFailures(
            fromAddress: try row.decode("from_address"), lastFromAddress: try row.decode("last_from_address"), total: try row.decode("total"),
            lastTotal: try row.decode("last_total"), addressIsFamiliar: try row.decode("familiar"))
    }

    /// Changes a password after checking the current one; a wrong current password counts as a
    /// failed sign-in (so this is no way around the rate limit) and changes nothing.
    public func changePassword(_ userID: UUID, current: String, new: String, address: String, limits: LoginLimits, context: ChangeContext)
        async throws -> LoginOutcome
    {
        guard let email = try await database.query("SELECT email FROM users WHERE id = \(userID)").single.map({ try $0.decode(0, as: String.self) })
        else {
            throw StoreError.notFound("There is no user \(userID.uuidString.lowercased()).")
        }
        let outcome = try await login(email: email, password: current, address: address, limits: limits, context: context)
        if case .succeeded = outcome { try await setPassword(userID, to: new, context: context) }
        return outcome
    }

    public func setPassword(_ userID: UUID, to password: String, context: ChangeContext) async throws {
        let hash = try await passwords.hash(password)
        try await database.transaction { connection in
            guard try await connection.execute("UPDATE users SET password_hash = \(hash) WHERE id = \(userID)") == 1 else {
                throw StoreError.notFound("There is no user \(userID.uuidString.lowercased()).")
            }
            try await connection.execute("DELETE FROM sessions WHERE user_id = \(userID)")
            try await AuditLog.append(
                "user.password_set", entity: "user", id: userID.uuidString.lowercased(), participant: nil,
                context: context, on: connection)
        }
    }

    // MARK: API tokens

    /// Creates a token; the returned secret is the only copy anyone will see.
    public func createToken(
        for userID: UUID, name: String, scopes: Set<Scope>, expiresAt: Date?, context: ChangeContext
    ) async throws -> (token: APIToken, secret: String) {
        try await database.transaction { connection in
            try await createToken(for: userID, name: name, scopes: scopes, expiresAt: expiresAt, context: context, on: connection)
        }
    }

    public func createToken(
        for userID: UUID, name: String, scopes: Set<Scope>, expiresAt: Date?, context: ChangeContext, on connection: PostgresConnection
    ) async throws -> (token: APIToken, secret: String) {
        try await createToken(
            for: userID, name: name, scopes: scopes, expiresAt: expiresAt, context: context, on: connection, secret: Secrets.apiToken())
    }

    /// With a chosen secret: only for the demo data, whose tokens are public by design.
    func createToken(
        for userID: UUID, name: String, scopes: Set<Scope>, expiresAt: Date?, context: ChangeContext, on connection: PostgresConnection,
        secret: String
    ) async throws -> (token: APIToken, secret: String) {
        let scopeList = scopes.map(\.rawValue).sorted()
        let token = try Self.token(
            from: try await connection.query(
                """
                INSERT INTO api_tokens (user_id, name, secret_sha256, display_prefix, scopes, expires_at)
                VALUES (\(userID), \(name), \(Secrets.sha256(secret)), \(String(secret.prefix(10))), \(scopeList), \(expiresAt))
                RETURNING \(unsafeRaw: Self.tokenColumns)
                """)[0])
        try await AuditLog.append(
            "token.created", entity: "api_token", id: token.id.uuidString.lowercased(), participant: nil,
            after: token, context: context, on: connection)
        return (token, secret)
    }

    public func tokens(of userID: UUID) async throws -> [APIToken] {
        try await database.query("SELECT \(unsafeRaw: Self.tokenColumns) FROM api_tokens WHERE user_id = \(userID) ORDER BY created_at, id")
            .map(Self.token(from:))
    }

    public func revokeToken(_ id: UUID, of userID: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                try await connection.execute(
                    """
                    UPDATE api_tokens SET revoked_at = coalesce(revoked_at, \(context.at)) WHERE id = \(id) AND user_id = \(userID)
                    """) == 1
            else { throw StoreError.notFound("You have no token \(id.uuidString.lowercased()).") }
            try await AuditLog.append(
                "token.revoked", entity: "api_token", id: id.uuidString.lowercased(), participant: nil,
                context: context, on: connection)
        }
    }

    /// `participant-uuid:role` pairs, as the queries aggregate them.
    static func memberships(_ entries: [String]) -> [UUID: MembershipRole] {
        var memberships: [UUID: MembershipRole] = [:]
        for entry in entries {
            let parts = entry.split(separator: ":")
            if parts.count == 2, let id = UUID(uuidString: String(parts[0])), let membership = MembershipRole(rawValue: String(parts[1])) {
                memberships[id] = membership
            }
        }
        return memberships
    }

    // MARK: Browser sessions

    /// Opens a session; returns the cookie secret (stored only as its SHA-256).
    /// Opens a browser session after a successful sign-in, recorded in the audit log.
    public func openSession(for userID: UUID, lifetime: TimeInterval, context: ChangeContext) async throws -> String {
        let secret = Secrets.random()
        let actor = try await actor(for: userID)
        try await database.transaction { connection in
            // The user's expired sessions are of no use to anyone.
            try await connection.execute("DELETE FROM sessions WHERE user_id = \(userID) AND expires_at < \(context.at)")
            try await connection.execute(
                """
                INSERT INTO sessions (secret_sha256, user_id, csrf_token, expires_at)
                VALUES (\(Secrets.sha256(secret)), \(userID), \(Secrets.random()), \(context.at.addingTimeInterval(lifetime)))
                """)
            try await AuditLog.append(
                "user.signed_in", entity: "user", id: userID.uuidString.lowercased(), participant: nil,
                context: ChangeContext(actor: actor, requestID: context.requestID, at: context.at), on: connection)
        }
        return secret
    }

    /// Ends a browser session (signing out), recorded in the audit log when it existed.
    public func closeSession(_ secret: String, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                let row = try await connection.query("DELETE FROM sessions WHERE secret_sha256 = \(Secrets.sha256(secret)) RETURNING user_id").single
            else { return }
            try await AuditLog.append(
                "user.signed_out", entity: "user", id: try row.decode(0, as: UUID.self).uuidString.lowercased(), participant: nil,
                context: context, on: connection)
        }
    }

    // MARK: Rows

    static let userColumns = "id, email, display_name, role, organisation, disabled, created_at, row_version"
    static let tokenColumns = "id, name, display_prefix, scopes, expires_at, last_used_at, revoked_at, created_at"

    static func user(from row: PostgresRow) throws -> User {
        User(
            id: try row.decode("id"), email: try row.decode("email"), displayName: try row.decode("display_name"),
            role: try row.decode("role", as: UserRole.self), organisation: try row.decode("organisation"),
            disabled: try row.decode("disabled"), createdAt: try row.decode("created_at"), version: try row.decode("row_version")
        )
    }

    static func token(from row: PostgresRow) throws -> APIToken {
        APIToken(
            id: try row.decode("id"), name: try row.decode("name"), displayPrefix: try row.decode("display_prefix"),
            scopes: try row.decode("scopes", as: [String].self).compactMap(Scope.init(rawValue:)), expiresAt: try row.decode("expires_at"),
            lastUsedAt: try row.decode("last_used_at"), revokedAt: try row.decode("revoked_at"), createdAt: try row.decode("created_at")
        )
    }
}

/// Login rate limits: failures allowed per account and per address within a window.
/// What the throttle decided for a sign-in: the attempt's row (marked succeeded if the password
/// is right), or the seconds it must wait.
enum Admission {
    case attempt(Int64)
    case wait(seconds: Int)
}

/// What an audit event records of a refused sign-in.
struct SignInRefusal: Encodable, Sendable {
    let address: String
    let reason: String
    let retryAfter: Int?

    enum CodingKeys: String, CodingKey {
        case address, reason
        case retryAfter = "retry_after"
    }
}

public enum LoginOutcome: Sendable, Equatable {
    case succeeded(userID: UUID)
    case refused
    /// The password is right but the account's email address is not confirmed yet (sign-up).
    case unverified
    case rateLimited(retryAfter: Int)
}
