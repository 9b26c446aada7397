import Domain
import Foundation
import Hummingbird
import Store

/// Users and their API tokens: self-service for everyone signed in, user management for admins.
struct AccountRoutes {
    let users: UserStore
    let participants: ParticipantStore
    let idempotency: Idempotency
    let loginLimits: LoginLimits

    struct PasswordInput: Codable {
        var currentPassword: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case currentPassword = "current_password"
            case newPassword = "new_password"
        }
    }

    /// `GET /users/me`: the account and the participants it belongs to.
    struct Me: Encodable {
        let user: User
        let memberships: [Membership]

        struct Membership: Encodable {
            let participantID: UUID
            let role: MembershipRole

            enum CodingKeys: String, CodingKey {
                case role
                case participantID = "participant_id"
            }
        }
    }

    struct TokenInput: Codable {
        var name: String
        var scopes: [Scope]?
        var expiresAt: Date?

        enum CodingKeys: String, CodingKey {
            case name, scopes
            case expiresAt = "expires_at"
        }
    }

    /// A new token with its secret: the only time the secret is shown.
    struct CreatedToken: CarriesSecret {
        let token: APIToken
        var secret: String?

        func withoutSecret() -> CreatedToken { CreatedToken(token: token, secret: nil) }
    }

    struct UserInput: Codable {
        var email: String
        var displayName: String
        var role: UserRole
        var organisation: String?

        enum CodingKeys: String, CodingKey {
            case email, role, organisation
            case displayName = "display_name"
        }
    }

    struct CreatedUser: CarriesSecret {
        let user: User
        /// A one-time password to hand to the person; they should change it.
        var password: String?

        func withoutSecret() -> CreatedUser { CreatedUser(user: user, password: nil) }
    }

    struct UserPatch: Codable {
        var displayName: String?
        var role: UserRole?
        var disabled: Bool?

        enum CodingKeys: String, CodingKey {
            case role, disabled
            case displayName = "display_name"
        }
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("users/me") { _, context in
            let actor = try context.require(.readOwnAccount)
            let user = try await users.user(actor.userID)
            let memberships = actor.memberships.map { Me.Membership(participantID: $0.key, role: $0.value) }
                .sorted { $0.participantID.uuidString < $1.participantID.uuidString }
            return try JSONResponse(Me(user: user, memberships: memberships), version: user.version)
        }
        api.put("users/me/password") { request, context in
            let actor = try context.require(.manageOwnTokens)
            let input = try await request.strictJSON(as: PasswordInput.self, context: context).value
            guard Passwords.isAcceptable(input.newPassword) else {
                throw Problem.invalid("new_password", "invalid_length", Passwords.rule)
            }
            switch try await users.changePassword(
                actor.userID, current: input.currentPassword, new: input.newPassword, address: context.remoteAddress ?? "unknown",
                limits: loginLimits, context: context.change
            ) {
            case .succeeded: return Response(status: .noContent)
            case .refused: throw Problem.invalid("current_password", "wrong_password", "The current password is not right.")
            case .rateLimited(let retryAfter): throw Problem.rateLimited(retryAfter: retryAfter)
            }
        }
        api.get("users/me/tokens") { _, context in
            let actor = try context.require(.readOwnAccount)
            return try JSONResponse(Items(items: try await users.tokens(of: actor.userID)))
        }
        api.post("users/me/tokens") { request, context in
            let actor = try context.require(.manageOwnTokens)
            let input = try await request.strictJSON(as: TokenInput.self, context: context)
            var checks = FieldChecks()
            let name = checks.text("name", input.value.name, max: Limits.tokenName.max)
            let scopes = Set(input.value.scopes ?? Scope.allCases)
            if scopes.isEmpty { checks.fail("scopes", "required", "A token needs at least one scope (read, write).") }
            if let expiry = input.value.expiresAt, expiry <= context.now {
                checks.fail("expires_at", "in_the_past", "expires_at must be in the future.")
            }
            try checks.check()
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let (token, secret) = try await users.createToken(
                    for: actor.userID, name: name!, scopes: scopes, expiresAt: input.value.expiresAt, context: context.change, on: connection
                )
                return (.created, "/api/v1/users/me/tokens/\(token.id.uuidString.lowercased())", CreatedToken(token: token, secret: secret))
            }
        }
        api.delete("users/me/tokens/:token") { _, context in
            let actor = try context.require(.manageOwnTokens)
            try await users.revokeToken(try context.parameters.uuid("token"), of: actor.userID, context: context.change)
            return Response(status: .noContent)
        }

        api.get("users") { request, context in
            try context.require(.manageUsers)
            let (limit, cursor) = try request.pagination()
            return try JSONResponse(try await users.list(limit: limit, cursor: cursor))
        }
        api.post("users") { request, context in
            try context.require(.manageUsers)
            let input = try await request.strictJSON(as: UserInput.self, context: context)
            var checks = FieldChecks()
            let email = checks.text("email", input.value.email, max: Limits.email.max)
            if let email, !ContactRules.isEmail(email) { checks.fail("email", "invalid_email", "email is not an email address.") }
            let displayName = checks.text("display_name", input.value.displayName, max: Limits.displayName.max)
            let organisation = checks.text("organisation", input.value.organisation, max: Limits.organisation.max, required: false)
            try checks.check()
            let password = Secrets.password()
            let hash = try await users.hashIfGiven(password)
            return try await users.withEmailConflicts {
                try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                    let user = try await users.create(
                        email: email!, displayName: displayName!, role: input.value.role, organisation: organisation, passwordHash: hash,
                        context: context.change, on: connection
                    )
                    return (.created, "/api/v1/users/\(user.id.uuidString.lowercased())", CreatedUser(user: user, password: password))
                }
            }
        }
        api.get("users/:user") { _, context in
            let actor = try context.require(.readOwnAccount)
            let id = try context.parameters.uuid("user")
            if id != actor.userID { try context.require(.manageUsers) }
            let user = try await users.user(id)
            return try JSONResponse(user, version: user.version)
        }
        api.patch("users/:user") { request, context in
            let actor = try context.require(.manageUsers)
            let expected = try ETag.expectedVersion(request)
            let input = try await request.strictJSON(as: UserPatch.self, context: context).value
            let id = try context.parameters.uuid("user")
            if let refusal = Access.selfLockout(actor: actor, target: id, newRole: input.role, disabled: input.disabled) {
                throw Problem.conflict("self-lockout", detail: refusal)
            }
            var checks = FieldChecks()
            let displayName = input.displayName.flatMap { checks.text("display_name", $0, max: Limits.displayName.max) }
            try checks.check()
            let user = try await users.update(
                id, displayName: displayName, role: input.role, disabled: input.disabled,
                expectedVersion: expected, context: context.change
            )
            return try JSONResponse(user, version: user.version)
        }
    }
}
