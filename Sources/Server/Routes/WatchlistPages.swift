import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Operations
import Store

/// The buyer's watchlists page: every list with each entry's current status, forms to add and
/// remove entries, a CSV export per list, and the webhooks told of changes. Thin over
/// `WatchlistOperations`, as the API is.
struct WatchlistPages {
    let operations: WatchlistOperations
    let pages: Pages

    struct Model: Encodable, Sendable {
        struct Entry: Encodable, Sendable {
            let kind: String
            let value: String
            let status: String
            let marks: String
            let validUntil: String
            let note: String
            /// A status buyers must notice (suspended, revoked, expired, withdrawn, not certified).
            let alarming: Bool
        }
        struct List: Encodable, Sendable {
            let id: String
            let name: String
            let count: Int
            let entries: [Entry]
            let hasEntries: Bool
        }
        struct Endpoint: Encodable, Sendable {
            let id: String
            let url: String
            let description: String
        }
        let csrf: String?
        let links: [NavLink]
        let notice: String?
        let error: String?
        let lists: [List]
        let hasLists: Bool
        let endpoints: [Endpoint]
        let hasEndpoints: Bool
        let newSecret: String?
    }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/watchlists") { request, context in
            guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
            return try await page(session, notice: PageWords.notice(request.query("notice")))
        }
        router.post("/watchlists") { request, context in
            try await form(request, context) { session, form in
                _ = try await operations.create(
                    name: form["name"] ?? "", entries: Self.entries(form["entries"]), by: session.actor, change: context.change)
                return "watchlist-created"
            }
        }
        router.post("/watchlists/:watchlist/entries") { request, context in
            try await form(request, context) { session, form in
                _ = try await operations.add(
                    Self.entries(form["entries"]), note: form["note"], to: try context.parameters.uuid("watchlist"), by: session.actor,
                    change: context.change)
                return "entries-added"
            }
        }
        router.post("/watchlists/:watchlist/entries/remove") { request, context in
            try await form(request, context) { session, form in
                try await operations.remove(
                    form["entry"] ?? "", from: try context.parameters.uuid("watchlist"), by: session.actor, change: context.change)
                return "entry-removed"
            }
        }
        router.post("/watchlists/:watchlist/delete") { request, context in
            try await form(request, context) { session, _ in
                try await operations.delete(try context.parameters.uuid("watchlist"), by: session.actor, change: context.change)
                return "watchlist-deleted"
            }
        }
        router.get("/watchlists/:watchlist/csv") { _, context in
            guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
            return WatchlistRoutes.csvResponse(try await operations.csv(try context.parameters.uuid("watchlist"), by: session.actor))
        }
        router.post("/account/webhooks") { request, context in
            guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
            guard let form = await WebRoutes.form(request, context) else { throw Pages.missingCSRF }
            try Pages.checkCSRF(form["csrf"], session)
            do {
                let (_, secret) = try await operations.registerWebhook(
                    url: form["url"] ?? "", description: form["description"], by: session.actor, change: context.change)
                return try await page(session, newSecret: secret, status: .created)
            } catch {
                return try await WorkflowPages.refused(error) { message, status in try await page(session, error: message, status: status) }
            }
        }
        router.post("/account/webhooks/:hook/delete") { request, context in
            try await form(request, context) { session, _ in
                try await operations.deleteWebhook(try context.parameters.uuid("hook"), by: session.actor, change: context.change)
                return "webhook-deleted"
            }
        }
    }

    /// A form post: signed in, CSRF checked, the change made, then back to the page with a notice
    /// (or the page with the refusal).
    func form(
        _ request: Request, _ context: AppRequestContext, change: (BrowserSession, [String: String]) async throws -> String
    ) async throws -> Response {
        guard let session = context.session else { return WebRoutes.redirect(to: "/login") }
        guard let form = await WebRoutes.form(request, context) else { throw Pages.missingCSRF }
        try Pages.checkCSRF(form["csrf"], session)
        do {
            return WebRoutes.redirect(to: "/watchlists?notice=" + (try await change(session, form)))
        } catch {
            return try await WorkflowPages.refused(error) { message, status in try await page(session, error: message, status: status) }
        }
    }

    /// Entries typed in a text area: separated by spaces, commas, semicolons or lines.
    static func entries(_ text: String?) -> [String] {
        (text ?? "").split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == ";" }).map(String.init)
    }

    func page(
        _ session: BrowserSession, notice: String? = nil, error: String? = nil, newSecret: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        var lists: [Model.List] = []
        for list in try await operations.lists(by: session.actor) {
            let entries = try await operations.list(list.id, by: session.actor).entries.map { entry in
                Model.Entry(
                    kind: entry.kind == .mark ? "mark" : "ASN", value: entry.value, status: entry.status,
                    marks: Set(entry.certifications.compactMap(\.markID)).sorted().joined(separator: ", "),
                    validUntil: Pages.day(entry.certifications.compactMap(\.validUntil).max()), note: entry.note,
                    alarming: entry.certifications.isEmpty || entry.certifications.contains { !$0.status.certifies })
            }
            lists.append(
                Model.List(
                    id: list.id.uuidString.lowercased(), name: list.name, count: list.entryCount, entries: entries, hasEntries: !entries.isEmpty))
        }
        let endpoints = try await operations.webhooks(by: session.actor).map {
            Model.Endpoint(id: $0.id.uuidString.lowercased(), url: $0.url, description: $0.description)
        }
        let frame = PageFrame(session)
        return try pages.render(
            "watchlists",
            model: Model(
                csrf: frame.csrf, links: frame.links, notice: notice, error: error, lists: lists, hasLists: !lists.isEmpty, endpoints: endpoints,
                hasEndpoints: !endpoints.isEmpty, newSecret: newSecret),
            status: status)
    }
}
