import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Store

/// Renders Mustache pages: one layout, default escaping, security headers on every page.
struct Pages: Sendable {
    let templates: MustacheLibrary

    /// The templates a page-serving server needs; `ServerAssets.load` checks they exist.
    static let names = ["layout", "login", "home", "error", "applications", "application", "queue", "review", "conflicts"]

    func render(_ template: String, _ model: [String: Any], status: HTTPResponse.Status = .ok) throws -> Response {
        try render(template, rendering: Self.present(model) ?? [:], status: status)
    }

    /// The page from `object`: a dictionary or a typed model, read by the template through reflection.
    func render(_ template: String, rendering object: Any, status: HTTPResponse.Status) throws -> Response {
        guard let page = templates.render(object, withTemplate: template) else {
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

    /// The model with every nil removed, at any depth: Mustache would print a boxed nil as
    /// "nil" and treat it as true, so an absent value must be absent.
    static func present(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return present(wrapped)
        }
        if let dictionary = value as? [String: Any] {
            return dictionary.compactMapValues { present($0) }
        }
        if let array = value as? [Any] {
            return array.compactMap { present($0) }
        }
        return value
    }

    /// An error page: the problem's sentence for people, never internal detail.
    func error(_ problem: Problem, session: BrowserSession?) throws -> Response {
        var model = Self.frame(session)
        model["heading"] = problem.title
        model["message"] = problem.detail
        return try render("error", model, status: HTTPResponse.Status(code: problem.status))
    }

    /// Every form of a signed-in page carries the session's CSRF token; a post without it is refused.
    static func checkCSRF(_ sent: String?, _ session: BrowserSession) throws(Problem) {
        guard let sent, Secrets.constantTimeEquals(sent, session.csrfToken) else { throw missingCSRF }
    }

    /// A form without the session's CSRF token, or one that cannot be read at all.
    static let missingCSRF = Problem.forbidden("The form is missing its CSRF token; reload the page and try again.")

    /// What every signed-in page shows: the navigation for the role, and the CSRF token.
    static func frame(_ session: BrowserSession?) -> [String: Any] {
        guard let session else { return [:] }
        var links: [[String: String]] = [["href": "/", "label": "Account"]]
        switch session.user.role {
        case .applicant: links.append(["href": "/applications", "label": "Applications"])
        case .auditor: links.append(["href": "/queue", "label": "Review queue"])
        case .admin:
            links += [
                ["href": "/applications", "label": "Applications"], ["href": "/queue", "label": "Review queue"],
                ["href": "/admin/conflicts", "label": "Conflicts"],
            ]
        case .enterprise: break
        }
        return ["csrf": session.csrfToken, "links": links]
    }

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
