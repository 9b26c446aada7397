import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Store

/// Renders Mustache pages: one layout, default escaping, security headers on every page.
struct Pages: Sendable {
    let templates: MustacheLibrary

    /// The templates a page-serving server needs; `ServerAssets.load` checks they exist.
    static let names = [
        "layout", "login", "home", "error", "applications", "application", "queue", "review", "conflicts", "participant",
        "admin-users", "admin-catalogs", "admin-catalog-version", "admin-catalog-publish", "admin-resources",
        "participant-results",
        "mark",
        "review-task", "dispute",
        "admin-sources",
        "verify-bulk",
        "review-task", "dispute", "enforcement",
        "registry",
    ]

    /// Renders a typed page model (one struct per page, `Sources/Server/Pages/`): the template
    /// reads its stored properties; a nil one is absent.
    func render<Model: Encodable & Sendable>(_ template: String, model: Model, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let page = templates.render(model, withTemplate: template) else {
            throw AssetError(description: "template \(template) failed")
        }
        var fields = HTTPFields()
        fields[.contentType] = "text/html; charset=utf-8"
        fields[.cacheControl] = "no-store"
        fields[.contentSecurityPolicy] = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        let body = ByteBuffer(string: page)
        fields[.contentLength] = String(body.readableBytes)
        return Response(status: status, headers: fields, body: .init(byteBuffer: body))
    }

    /// An error page: the problem's sentence for people, never internal detail.
    func error(_ problem: Problem, session: BrowserSession?) throws -> Response {
        let frame = PageFrame(session)
        let model = ErrorPageModel(csrf: frame.csrf, links: frame.links, heading: problem.title, message: problem.detail)
        return try render("error", model: model, status: HTTPResponse.Status(code: problem.status))
    }

    /// Every form of a signed-in page carries the session's CSRF token; a post without it is refused.
    static func checkCSRF(_ sent: String?, _ session: BrowserSession) throws(Problem) {
        guard let sent, Secrets.constantTimeEquals(sent, session.csrfToken) else { throw missingCSRF }
    }

    /// A form without the session's CSRF token, or one that cannot be read at all.
    static let missingCSRF = Problem.forbidden("The form is missing its CSRF token; reload the page and try again.")

    static func day(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    static func time(_ date: Date?) -> String {
        guard let date else { return "" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}
