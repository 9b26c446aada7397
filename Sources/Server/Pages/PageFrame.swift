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
        guard let session else {
            csrf = nil
            links = []
            return
        }
        var links = [NavLink(href: "/", label: "Account")]
        switch session.user.role {
        case .applicant: links.append(NavLink(href: "/applications", label: "Applications"))
        case .auditor: links.append(NavLink(href: "/queue", label: "Review queue"))
        case .admin:
            links += [
                NavLink(href: "/applications", label: "Applications"), NavLink(href: "/queue", label: "Review queue"),
                NavLink(href: "/admin/conflicts", label: "Conflicts"), NavLink(href: "/admin/users", label: "Accounts"),
                NavLink(href: "/admin/catalogs", label: "Catalogs"), NavLink(href: "/admin/resources", label: "Resources"),
                NavLink(href: "/admin/sources", label: "Data sources"),
            ]
        case .enterprise: links.append(NavLink(href: "/watchlists", label: "Watchlists"))
        }
        csrf = session.csrfToken
        self.links = links
    }
}
