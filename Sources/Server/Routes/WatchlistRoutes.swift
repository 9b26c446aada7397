import Domain
import Foundation
import Hummingbird
import Operations
import Store

/// Buyers' watchlists (`/watchlists…`) and the webhooks for them (`/users/me/webhooks…`): their
/// owner's only; another user's id is 404.
struct WatchlistRoutes {
    let operations: WatchlistOperations

    struct ListInput: Codable {
        var name: String
        var entries: [String]?
    }

    struct RenameInput: Codable {
        var name: String
    }

    struct EntriesInput: Codable {
        var entries: [String]
        var note: String?
    }

    struct Added: Encodable {
        let added: Int
    }

    /// A watchlist with its entries and their current status.
    struct Detail: Encodable {
        let watchlist: Watchlist
        let entries: [WatchEntry]
    }

    struct EndpointInput: Codable {
        var url: String
        var description: String?
    }

    struct Registered: Encodable {
        let endpoint: UserWebhookEndpoint
        let secret: String
    }

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("watchlists") { _, context in
            try JSONResponse(Items(items: try await operations.lists(by: try context.require(.readWatchlists))))
        }
        api.post("watchlists") { request, context in
            let actor = try context.require(.manageWatchlists)
            let input = try await request.strictJSON(as: ListInput.self, context: context).value
            let list = try await operations.create(name: input.name, entries: input.entries ?? [], by: actor, change: context.change)
            return try JSONResponse(list, status: .created, location: "/api/v1/watchlists/\(list.id.uuidString.lowercased())")
        }
        api.get("watchlists/:watchlist") { _, context in
            let actor = try context.require(.readWatchlists)
            let (list, entries) = try await operations.list(try context.parameters.uuid("watchlist"), by: actor)
            return try JSONResponse(Detail(watchlist: list, entries: entries))
        }
        api.patch("watchlists/:watchlist") { request, context in
            let actor = try context.require(.manageWatchlists)
            let input = try await request.strictJSON(as: RenameInput.self, context: context).value
            return try JSONResponse(
                try await operations.rename(try context.parameters.uuid("watchlist"), to: input.name, by: actor, change: context.change))
        }
        api.delete("watchlists/:watchlist") { _, context in
            let actor = try context.require(.manageWatchlists)
            try await operations.delete(try context.parameters.uuid("watchlist"), by: actor, change: context.change)
            return Response(status: .noContent)
        }
        api.post("watchlists/:watchlist/entries") { request, context in
            let actor = try context.require(.manageWatchlists)
            let input = try await request.strictJSON(as: EntriesInput.self, context: context).value
            let added = try await operations.add(
                input.entries, note: input.note, to: try context.parameters.uuid("watchlist"), by: actor, change: context.change)
            return try JSONResponse(Added(added: added))
        }
        api.delete("watchlists/:watchlist/entries/:entry") { _, context in
            let actor = try context.require(.manageWatchlists)
            try await operations.remove(
                context.parameters.get("entry") ?? "", from: try context.parameters.uuid("watchlist"), by: actor, change: context.change)
            return Response(status: .noContent)
        }
        api.get("watchlists/:watchlist/csv") { _, context in
            let actor = try context.require(.readWatchlists)
            return try await Self.csvResponse(operations.csv(try context.parameters.uuid("watchlist"), by: actor))
        }
        api.get("users/me/webhooks") { _, context in
            try JSONResponse(Items(items: try await operations.webhooks(by: try context.require(.readWatchlists))))
        }
        api.post("users/me/webhooks") { request, context in
            let actor = try context.require(.manageWatchlists)
            let input = try await request.strictJSON(as: EndpointInput.self, context: context).value
            let (endpoint, secret) = try await operations.registerWebhook(
                url: input.url, description: input.description, by: actor, change: context.change)
            return try JSONResponse(
                Registered(endpoint: endpoint, secret: secret), status: .created,
                location: "/api/v1/users/me/webhooks/\(endpoint.id.uuidString.lowercased())")
        }
        api.delete("users/me/webhooks/:hook") { _, context in
            let actor = try context.require(.manageWatchlists)
            try await operations.deleteWebhook(try context.parameters.uuid("hook"), by: actor, change: context.change)
            return Response(status: .noContent)
        }
        api.get("users/me/webhooks/:hook/deliveries") { request, context in
            let actor = try context.require(.readWatchlists)
            let limit = try request.limit()
            return try JSONResponse(
                Items(items: try await operations.deliveries(of: try context.parameters.uuid("hook"), limit: limit, by: actor)))
        }
    }

    /// A watchlist's CSV, named after the list, never cached.
    static func csvResponse(_ export: (list: Watchlist, body: String)) -> Response {
        let name = export.list.name.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }.prefix(60)
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8", .cacheControl: "no-store",
                .contentDisposition: "attachment; filename=\"watchlist-\(name.isEmpty ? "export" : String(name)).csv\"",
            ],
            body: .init(byteBuffer: ByteBuffer(string: export.body)))
    }
}

/// Self sign-up for buyers and password reset for everyone, without signing in. Each answers
/// the same whether or not the address has an account.
struct AccountLinkRoutes {
    let operations: AccountLinkOperations
    let loginLimits: LoginLimits

    struct SignUpInput: Codable {
        var email: String
        var displayName: String
        var password: String
        var organisation: String?

        enum CodingKeys: String, CodingKey {
            case email, password, organisation
            case displayName = "display_name"
        }
    }

    struct TokenInput: Codable {
        var token: String
    }

    struct ForgotInput: Codable {
        var email: String
    }

    struct ResetInput: Codable {
        var token: String
        var newPassword: String

        enum CodingKeys: String, CodingKey {
            case token
            case newPassword = "new_password"
        }
    }

    struct Accepted: Encodable {
        let detail: String
    }

    static let signUpAnswer = "If this address can be used, a link to confirm it is on its way. Follow it, then sign in."
    static let forgotAnswer = "If this address has an account, a link to set a new password is on its way. It works once, for one hour."

    func register(on api: RouterGroup<AppRequestContext>) {
        api.post("signup") { request, context in
            let input = try await request.strictJSON(as: SignUpInput.self, context: context).value
            let outcome = try await operations.signUp(
                email: input.email, displayName: input.displayName, organisation: input.organisation, password: input.password,
                address: context.remoteAddress ?? "unknown", limits: loginLimits, change: context.change)
            return try Self.answer(outcome, Self.signUpAnswer)
        }
        api.post("signup/verify") { request, context in
            let input = try await request.strictJSON(as: TokenInput.self, context: context).value
            try await operations.verifyEmail(token: input.token, change: context.change)
            return Response(status: .noContent)
        }
        api.post("password/forgot") { request, context in
            let input = try await request.strictJSON(as: ForgotInput.self, context: context).value
            let outcome = try await operations.forgotPassword(
                email: input.email, address: context.remoteAddress ?? "unknown", limits: loginLimits, change: context.change)
            return try Self.answer(outcome, Self.forgotAnswer)
        }
        api.post("password/reset") { request, context in
            let input = try await request.strictJSON(as: ResetInput.self, context: context).value
            try await operations.resetPassword(token: input.token, newPassword: input.newPassword, change: context.change)
            return Response(status: .noContent)
        }
    }

    static func answer(_ outcome: AccountRequestOutcome, _ detail: String) throws -> JSONResponse {
        switch outcome {
        case .accepted: return try JSONResponse(Accepted(detail: detail), status: .accepted)
        case .rateLimited(let retryAfter): throw Problem.rateLimited(retryAfter: retryAfter)
        }
    }
}
