import Foundation
import HTTPTypes
import Hummingbird
import Store

/// A link of the navigation.
struct NavLink: Encodable, Sendable {
    let href: String
    let label: String
}

/// What the layout of every signed-in page reads: the navigation for the role and the
/// session's CSRF token (the sign-out form shows only when there is one).
struct PageFrame: Encodable, Sendable {
    let csrf: String?
    let links: [NavLink]

    init(_ session: BrowserSession?) {
        let frame = Pages.frame(session)
        csrf = frame["csrf"] as? String
        links = (frame["links"] as? [[String: String]] ?? []).map { NavLink(href: $0["href"] ?? "", label: $0["label"] ?? "") }
    }
}

extension Pages {
    /// Renders a typed page model: its stored properties are what the template reads (a nil one
    /// is absent).
    func render<Model: Encodable>(_ template: String, model: Model, status: HTTPResponse.Status = .ok) throws -> Response {
        try render(template, rendering: model as Any, status: status)
    }
}
