import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// The secretariat's accounts page: every account with its role, state and last sign-in; a
/// form to create one (its one-time password shown once), and per account a role change and
/// disable or enable. One's own account has neither: the self-lockout rule would refuse.
struct AdminUsersPageModel: Encodable, Sendable {
    struct Option: Encodable, Sendable {
        let code: String
        let name: String
        let selected: Bool
    }
    struct Account: Encodable, Sendable {
        let id: String
        let name: String
        let email: String
        let role: String
        let organisation: String?
        let disabled: Bool
        let lastSignIn: String
        let version: Int
        let isSelf: Bool
        let roles: [Option]
    }
    /// The account just created, with its one-time password.
    struct Created: Encodable, Sendable {
        let name: String
        let email: String
        let password: String
    }
    /// The creation form as typed, kept after a refusal.
    struct Draft: Encodable, Sendable {
        let email: String
        let name: String
        let organisation: String
        let roles: [Option]
    }

    let csrf: String?
    let links: [NavLink]
    let accounts: [Account]
    let next: String?
    let created: Created?
    let draft: Draft
    let error: String?
    let notice: String?
}

extension AdminPages {
    /// The accounts page, 200 at a time (`cursor`: the next page's).
    func usersPage(
        _ session: BrowserSession, cursor: String? = nil, created: AdminUsersPageModel.Created? = nil, error: String? = nil,
        status: HTTPResponse.Status = .ok, notice: String? = nil, draft: [String: String] = [:]
    ) async throws -> Response {
        let page = try await users.list(limit: 200, cursor: cursor)
        let signIns = try await users.lastSignIns(of: page.items.map(\.id))
        func roles(_ selected: UserRole?) -> [AdminUsersPageModel.Option] {
            UserRole.allCases.map { .init(code: $0.rawValue, name: PageWords.role($0), selected: $0 == selected) }
        }
        let frame = PageFrame(session)
        let model = AdminUsersPageModel(
            csrf: frame.csrf, links: frame.links,
            accounts: page.items.map { user in
                .init(
                    id: user.id.uuidString.lowercased(), name: user.displayName, email: user.email, role: PageWords.role(user.role),
                    organisation: user.organisation, disabled: user.disabled, lastSignIn: signIns[user.id].map { Pages.time($0) } ?? "never",
                    version: user.version, isSelf: user.id == session.user.id, roles: roles(user.role))
            },
            next: page.nextCursor.map { "/admin/users?cursor=\($0)" }, created: created,
            draft: .init(
                email: draft["email"] ?? "", name: draft["display_name"] ?? "", organisation: draft["organisation"] ?? "",
                roles: roles(draft["role"].flatMap(UserRole.init(rawValue:)) ?? .applicant)),
            error: error, notice: PageWords.notice(notice))
        return try pages.render("admin-users", model: model, status: status)
    }
}
