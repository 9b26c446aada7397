import Domain
import Foundation
import Postgres
import Store

/// Accounts: one's own tokens and password (the API and the account page alike), and the
/// secretariat's user management.
public struct AccountOperations: Sendable {
    public let users: UserStore

    public init(users: UserStore) {
        self.users = users
    }

    /// A new API token for `actor`; the secret is in the answer, once.
    public func createToken(
        name: String, scopes: Set<Scope>, expiresAt: Date?, by actor: Actor, change: ChangeContext, on connection: PostgresConnection? = nil
    ) async throws -> (token: APIToken, secret: String) {
        try Authorise.check(.manageOwnTokens, actor, participant: nil)
        let name = InputRules.trimmed(name)
        try refuse(InputRules.token(name: name, scopes: scopes, expiresAt: expiresAt, now: change.at))
        if let connection {
            return try await users.createToken(for: actor.userID, name: name, scopes: scopes, expiresAt: expiresAt, context: change, on: connection)
        }
        return try await users.createToken(for: actor.userID, name: name, scopes: scopes, expiresAt: expiresAt, context: change)
    }

    public func revokeToken(_ id: UUID, by actor: Actor, change: ChangeContext) async throws {
        try Authorise.check(.manageOwnTokens, actor, participant: nil)
        try await users.revokeToken(id, of: actor.userID, context: change)
    }

    /// Changes `actor`'s password: the new one must be acceptable (`Passwords.rule`, field
    /// `new_password`), the current one right (`.refused`), within the sign-in limits.
    public func changePassword(
        current: String, new: String, address: String, limits: LoginLimits, by actor: Actor, change: ChangeContext
    ) async throws -> LoginOutcome {
        try Authorise.check(.manageOwnTokens, actor, participant: nil)
        guard Passwords.isAcceptable(new) else { throw StoreError.invalid([FieldRefusal("new_password", "invalid_length", Passwords.rule)]) }
        return try await users.changePassword(actor.userID, current: current, new: new, address: address, limits: limits, context: change)
    }

    /// A new account (the secretariat's), with a one-time password.
    public func createUser(
        email: String, displayName: String, role: UserRole, organisation: String?, password: String, by actor: Actor, change: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> User {
        try Authorise.check(.manageUsers, actor, participant: nil)
        let email = InputRules.trimmed(email)
        let displayName = InputRules.trimmed(displayName)
        let organisation = InputRules.trimmed(organisation)
        try refuse(InputRules.account(email: email, displayName: displayName, organisation: organisation))
        return try await users.create(
            email: email, displayName: displayName, role: role, organisation: organisation.isEmpty ? nil : organisation,
            passwordHash: try await users.hashIfGiven(password), context: change, on: connection)
    }

    /// Changes an account (the secretariat's): never one's own role or disabled flag.
    public func updateUser(
        _ id: UUID, displayName: String?, role: UserRole?, disabled: Bool?, expectedVersion: Int, by actor: Actor, change: ChangeContext
    ) async throws -> User {
        try Authorise.check(.manageUsers, actor, participant: nil)
        if let refusal = Access.selfLockout(actor: actor, target: id, newRole: role, disabled: disabled) {
            throw StoreError.conflict(slug: "self-lockout", detail: refusal)
        }
        let displayName = displayName.map(InputRules.trimmed)
        if let displayName { try refuse(InputRules.displayNameRule(displayName)) }
        return try await users.update(id, displayName: displayName, role: role, disabled: disabled, expectedVersion: expectedVersion, context: change)
    }
}
