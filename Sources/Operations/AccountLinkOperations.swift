import Domain
import Foundation
import Store

/// Self sign-up for buyers and password reset for everyone (no actor: these are asked for
/// before signing in), validated here, carried out by `AccountLinkStore`.
public struct AccountLinkOperations: Sendable {
    public let store: AccountLinkStore

    public init(store: AccountLinkStore) {
        self.store = store
    }

    /// Signs up a buyer (role `enterprise`, never another): the same answer for a known address.
    public func signUp(
        email: String, displayName: String, organisation: String?, password: String, address: String, limits: LoginLimits,
        change: ChangeContext
    ) async throws -> AccountRequestOutcome {
        let email = InputRules.trimmed(email)
        let displayName = InputRules.trimmed(displayName)
        let organisation = InputRules.trimmed(organisation)
        var refusals = InputRules.account(email: email, displayName: displayName, organisation: organisation)
        if !Passwords.isAcceptable(password) { refusals.append(FieldRefusal("password", "invalid_length", Passwords.rule)) }
        try refuse(refusals)
        return try await store.signUp(
            email: email, displayName: displayName, organisation: organisation.isEmpty ? nil : organisation, password: password,
            address: address, limits: limits, context: change)
    }

    public func verifyEmail(token: String, change: ChangeContext) async throws {
        try await store.verifyEmail(InputRules.trimmed(token), context: change)
    }

    /// Emails a reset link if the address has an account; the same answer if not.
    public func forgotPassword(email: String, address: String, limits: LoginLimits, change: ChangeContext) async throws -> AccountRequestOutcome {
        let email = InputRules.trimmed(email)
        try refuse(InputRules.emailAddress(email))
        return try await store.requestReset(email: email, address: address, limits: limits, context: change)
    }

    /// Sets a new password with a reset link; every session of the account ends.
    public func resetPassword(token: String, newPassword: String, change: ChangeContext) async throws {
        guard Passwords.isAcceptable(newPassword) else { throw StoreError.invalid([FieldRefusal("new_password", "invalid_length", Passwords.rule)]) }
        try await store.resetPassword(InputRules.trimmed(token), to: newPassword, context: change)
    }
}
