import Foundation
import HTTPTypes
import Hummingbird
import Store

/// An error page: a heading and a sentence for people.
struct ErrorPageModel: Encodable, Sendable {
    let csrf: String?
    let links: [NavLink]
    let heading: String
    let message: String
}

/// The sign-in page. Its CSRF token is the sign-in form's own (a cookie), not a session's: the
/// layout offers "Sign out" only on pages with a session's token.
struct LoginPageModel: Encodable, Sendable {
    let loginCSRF: String
    let email: String
    let error: String?
    let next: String?
    /// A confirmation (`PageWords.notice`), for example after a new password was set.
    var notice: String? = nil
}

/// The admins' list of declared affiliations.
struct ConflictsPageModel: Encodable, Sendable {
    struct Affiliation: Encodable, Sendable {
        let auditor: String
        let participant: String
        let relation: String
        let from: String
        let until: String
        let declared: String
    }
    let csrf: String?
    let links: [NavLink]
    let affiliations: [Affiliation]
}

/// The account page.
struct HomePageModel: Encodable, Sendable {
    struct User: Encodable, Sendable {
        let displayName: String
        let email: String
    }
    struct Membership: Encodable, Sendable {
        let name: String
        let country: String
        let programs: String
        let role: String
    }
    struct Token: Encodable, Sendable {
        let name: String
        let prefix: String
        let scopes: String
        let created: String
        let lastUsed: String
        let state: String
    }
    struct NewToken: Encodable, Sendable {
        let name: String
        let secret: String
    }
    let csrf: String?
    let links: [NavLink]
    let user: User
    let role: String
    let participants: [Membership]
    let hasParticipants: Bool
    let tokens: [Token]
    let hasTokens: Bool
    let newToken: NewToken?
    let error: String?
}

extension WorkflowPages {
    func conflictsPage(_ session: BrowserSession) async throws -> Response {
        let frame = PageFrame(session)
        let model = ConflictsPageModel(
            csrf: frame.csrf, links: frame.links,
            affiliations: try await reviews.affiliations(of: nil).map { affiliation in
                .init(
                    auditor: affiliation.auditorName, participant: affiliation.participantName, relation: affiliation.relation,
                    from: affiliation.validFrom, until: affiliation.validUntil ?? "", declared: Pages.day(affiliation.declaredAt))
            })
        return try pages.render("conflicts", model: model)
    }
}
