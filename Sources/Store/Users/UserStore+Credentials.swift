import Domain
import Foundation
import Postgres

/// What an API token stands for, as looked up (and cached): its actor and when it expires.
struct TokenGrant: Sendable {
    let tokenID: UUID
    let actor: Actor
    let expiresAt: Date?
    var lastUsedAt: Date?

    func isValid(at now: Date) -> Bool { expiresAt.map { $0 > now } ?? true }

    /// `last_used_at` is written when a minute old: writing it on every request cost a row
    /// version and WAL each time.
    func needsUseMark(at now: Date) -> Bool { lastUsedAt.map { now.timeIntervalSince($0) >= 60 } ?? true }
}

/// A browser session as looked up (and cached).
struct SessionGrant: Sendable {
    let session: BrowserSession
    let expiresAt: Date
}

/// The actors behind API tokens and browser sessions, by the SHA-256 of their secret, kept in
/// memory so that an authenticated request costs no query of its own.
///
/// Kept honest by `CacheInvalidation`: revoking a token, disabling a user, changing a role or a
/// membership and closing a session each notify (schema 0011), and every instance drops the
/// entries within a second. Expiry is not cached away: it is compared with each request's time.
public struct CredentialCache: Sendable {
    let tokens: MemoryCache<Data, TokenGrant>
    let sessions: MemoryCache<Data, SessionGrant>

    /// - Parameter capacity: the most tokens, and the most sessions, kept.
    public init(capacity: Int = 10_000) {
        tokens = MemoryCache(name: "tokens", capacity: capacity) { topic, _, grant in
            switch topic {
            case .token(let id): grant.tokenID == id
            case .user(let id): grant.actor.userID == id
            case .catalog, .participant, .marks: false
            }
        }
        sessions = MemoryCache(name: "sessions", capacity: capacity) { topic, _, grant in
            switch topic {
            case .user(let id): grant.session.actor.userID == id
            case .token, .catalog, .participant, .marks: false
            }
        }
    }

    /// Lets `invalidation` keep both caches honest.
    public func register(with invalidation: CacheInvalidation) {
        invalidation.register(tokens)
        invalidation.register(sessions)
    }
}

extension UserStore {
    /// The actor behind a bearer token at `now`, or nil when it is unknown, expired, revoked or
    /// its user is disabled. Marks the token used (at most once a minute, to spare writes).
    public func authenticate(token secret: String, at now: Date) async throws -> Actor? {
        guard secret.hasPrefix("mp_"), secret.utf8.count <= 100 else { return nil }
        let digest = Secrets.sha256(secret)
        let found: TokenGrant?
        if let credentials {
            found = try await credentials.tokens.value(for: digest) { try await tokenGrant(digest) }
        } else {
            found = try await tokenGrant(digest)
        }
        guard let grant = found, grant.isValid(at: now) else { return nil }
        if grant.needsUseMark(at: now) {
            // One request of those arriving together writes the mark.
            let claimed =
                credentials?.tokens.update(digest) { (cached: inout TokenGrant) -> Bool in
                    guard cached.needsUseMark(at: now) else { return false }
                    cached.lastUsedAt = now
                    return true
                } ?? true
            if claimed { try await database.execute("UPDATE api_tokens SET last_used_at = \(now) WHERE id = \(grant.tokenID)") }
        }
        return grant.actor
    }

    /// The browser session behind a cookie's secret at `now`, or nil when it is unknown,
    /// expired or its user is disabled.
    public func session(_ secret: String, at now: Date) async throws -> BrowserSession? {
        guard secret.utf8.count <= 100 else { return nil }
        let digest = Secrets.sha256(secret)
        let found: SessionGrant?
        if let credentials {
            found = try await credentials.sessions.value(for: digest) { try await sessionGrant(digest) }
        } else {
            found = try await sessionGrant(digest)
        }
        guard let grant = found, grant.expiresAt > now else { return nil }
        return grant.session
    }

    /// One read answers who this is: the token, its user and their memberships.
    func tokenGrant(_ digest: Data) async throws -> TokenGrant? {
        guard
            let row = try await database.query(
                """
                SELECT t.id, t.user_id, t.scopes, t.expires_at, t.last_used_at, u.role,
                       coalesce((SELECT array_agg(m.participant_id::text || ':' || m.role) FROM memberships m WHERE m.user_id = u.id), '{}') AS memberships
                FROM api_tokens t JOIN users u ON u.id = t.user_id
                WHERE t.secret_sha256 = \(digest) AND NOT u.disabled AND t.revoked_at IS NULL
                """
            ).single,
            let role = UserRole(rawValue: try row.decode("role"))
        else { return nil }
        let scopes = Set(try row.decode("scopes", as: [String].self).compactMap(Scope.init(rawValue:)))
        return TokenGrant(
            tokenID: try row.decode("id"),
            actor: Actor(userID: try row.decode("user_id"), role: role, memberships: Self.memberships(try row.decode("memberships")), scopes: scopes),
            expiresAt: try row.decode("expires_at"), lastUsedAt: try row.decode("last_used_at"))
    }

    /// One read: the session, its user and their memberships.
    func sessionGrant(_ digest: Data) async throws -> SessionGrant? {
        guard
            let row = try await database.query(
                """
                SELECT s.csrf_token, s.expires_at, \(unsafeRaw: Self.userColumns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")),
                       coalesce((SELECT array_agg(m.participant_id::text || ':' || m.role) FROM memberships m WHERE m.user_id = u.id), '{}') AS memberships
                FROM sessions s JOIN users u ON u.id = s.user_id
                WHERE s.secret_sha256 = \(digest) AND NOT u.disabled
                """
            ).single
        else { return nil }
        let user = try Self.user(from: row)
        let actor = Actor(userID: user.id, role: user.role, memberships: Self.memberships(try row.decode("memberships")))
        return SessionGrant(
            session: BrowserSession(actor: actor, user: user, csrfToken: try row.decode("csrf_token")), expiresAt: try row.decode("expires_at"))
    }
}
