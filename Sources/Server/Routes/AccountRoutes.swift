import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// Users and their API tokens: self-service for everyone signed in, user management for admins.
struct AccountRoutes {
    let users: UserStore
    let operations: AccountOperations
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
            switch try await operations.changePassword(
                current: input.currentPassword, new: input.newPassword, address: context.remoteAddress ?? "unknown", limits: loginLimits,
                by: actor, change: context.change
            ) {
            case .succeeded: return Response(status: .noContent)
            case .refused, .unverified: throw Problem.invalid("current_password", "wrong_password", "The current password is not right.")
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
            return try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                let (token, secret) = try await operations.createToken(
                    name: input.value.name, scopes: Set(input.value.scopes ?? Scope.allCases), expiresAt: input.value.expiresAt, by: actor,
                    change: context.change, on: connection)
                return (.created, "/api/v1/users/me/tokens/\(token.id.uuidString.lowercased())", CreatedToken(token: token, secret: secret))
            }
        }
        api.delete("users/me/tokens/:token") { _, context in
            let actor = try context.require(.manageOwnTokens)
            try await operations.revokeToken(try context.parameters.uuid("token"), by: actor, change: context.change)
            return Response(status: .noContent)
        }

        api.get("users") { request, context in
            try context.require(.manageUsers)
            let (limit, cursor) = try request.pagination()
            return try JSONResponse(try await users.list(limit: limit, cursor: cursor))
        }
        api.post("users") { request, context in
            let actor = try context.require(.manageUsers)
            let input = try await request.strictJSON(as: UserInput.self, context: context)
            let password = Secrets.password()
            return try await users.withEmailConflicts {
                try await idempotency.respond(to: request, context: context, body: input.data) { connection in
                    let user = try await operations.createUser(
                        email: input.value.email, displayName: input.value.displayName, role: input.value.role,
                        organisation: input.value.organisation, password: password, by: actor, change: context.change, on: connection)
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
            let user = try await operations.updateUser(
                try context.parameters.uuid("user"), displayName: input.displayName, role: input.role, disabled: input.disabled,
                expectedVersion: expected, by: actor, change: context.change)
            return try JSONResponse(user, version: user.version)
        }
    }
}
