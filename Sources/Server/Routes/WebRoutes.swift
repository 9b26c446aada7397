import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Operations
import Store

/// The HTML side: sign in, the account page with API tokens, sign out. Forms carry a CSRF token:
/// the session's for signed-in pages, and a double-submit cookie for the sign-in form itself.
struct WebRoutes {
    let users: UserStore
    let operations: AccountOperations
    let participants: ParticipantStore
    let templates: MustacheLibrary
    let settings: Settings
    let loginLimits: LoginLimits

    static let loginCSRFCookie = "manrs_login_csrf"

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/login") { request, context in
            let next = PageWords.safeNext(request.query("next"))
            if context.session != nil { return Self.redirect(to: next ?? "/") }
            return try renderLogin(csrf: nil, email: "", error: nil, status: .ok, next: next, notice: PageWords.notice(request.query("notice")))
        }
        router.post("/login") { request, context in
            let form = await Self.form(request, context)
            guard let form, let sent = form["csrf"], let expected = request.cookies[Self.loginCSRFCookie]?.value,
                Secrets.constantTimeEquals(sent, expected)
            else {
                return try renderLogin(csrf: nil, email: "", error: "The form expired; please sign in again.", status: .forbidden)
            }
            let email = (form["email"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !email.isEmpty, email.count <= Limits.email.max, let password = form["password"], !password.isEmpty, password.utf8.count <= 1024
            else {
                return try renderLogin(
                    csrf: nil, email: email, error: "Enter your email and password.", status: .unprocessableContent,
                    next: PageWords.safeNext(form["next"]))
            }
            let address = Self.clientAddress(request, context)
            let attempt = ChangeContext.anonymous(requestID: context.requestID, at: context.now)
            switch try await users.login(email: email, password: password, address: address, limits: loginLimits, context: attempt) {
            case .rateLimited(let retryAfter):
                var response = try renderLogin(
                    csrf: nil, email: email, error: "Too many failed attempts. Try again in \(Problem.describeWait(retryAfter)).",
                    status: .tooManyRequests)
                response.headers[.retryAfter] = String(retryAfter)
                return response
            case .refused:
                return try renderLogin(
                    csrf: nil, email: email, error: "The email or password is not right.", status: .unauthorized,
                    next: PageWords.safeNext(form["next"]))
            case .unverified:
                return try renderLogin(
                    csrf: nil, email: email,
                    error: "Confirm your email address first: follow the link we sent you when you signed up. It may be in your spam folder.",
                    status: .forbidden, next: PageWords.safeNext(form["next"]))
            case .succeeded(let userID):
                let secret = try await users.openSession(for: userID, lifetime: TimeInterval(settings.sessionHours * 3600), context: attempt)
                var response = Self.redirect(to: PageWords.safeNext(form["next"]) ?? "/")
                response.setCookie(sessionCookie(secret, maxAge: settings.sessionHours * 3600))
                response.setCookie(
                    Cookie(
                        name: Self.loginCSRFCookie, value: "", maxAge: 0, path: "/login", secure: settings.secureCookies, httpOnly: true,
                        sameSite: .strict))
                return response
            }
        }
        router.post("/logout") { request, context in
            // Without a session there is nothing to end: 303 whatever the form.
            let form = await Self.form(request, context)
            if let session = context.session, let secret = request.cookies[AuthenticationMiddleware.sessionCookie]?.value {
                try Pages.checkCSRF(form?["csrf"], session)
                try await users.closeSession(secret, context: ChangeContext(actor: session.actor, requestID: context.requestID, at: context.now))
            }
            var response = Self.redirect(to: "/login")
            response.setCookie(sessionCookie("", maxAge: 0))
            return response
        }
        router.get("/") { _, context in
            guard let session = context.session else { return Self.redirect(to: "/login") }
            return try await renderHome(session, at: context.now, newToken: nil)
        }
        router.post("/account/tokens") { request, context in
            guard let session = context.session else { return Self.redirect(to: "/login") }
            guard let form = await Self.form(request, context) else { throw Pages.missingCSRF }
            try Pages.checkCSRF(form["csrf"], session)
            let scopes: Set<Scope> = form["read_only"] == nil ? [.read, .write] : [.read]
            let created: (token: APIToken, secret: String)
            do {
                created = try await operations.createToken(
                    name: form["name"] ?? "", scopes: scopes, expiresAt: nil, by: session.actor,
                    change: ChangeContext(actor: session.actor, requestID: context.requestID, at: context.now))
            } catch let error as StoreError {
                return try await WorkflowPages.refused(error) { message, status in
                    try await renderHome(session, at: context.now, newToken: nil, message: message, status: status)
                }
            }
            return try await renderHome(session, at: context.now, newToken: ["name": created.token.name, "secret": created.secret])
        }
        router.post("/account/password") { request, context in
            guard let session = context.session else { return Self.redirect(to: "/login") }
            guard let form = await Self.form(request, context) else { throw Pages.missingCSRF }
            try Pages.checkCSRF(form["csrf"], session)
            let outcome: LoginOutcome
            do {
                outcome = try await operations.changePassword(
                    current: form["current"] ?? "", new: form["new"] ?? "", address: context.remoteAddress ?? "unknown", limits: loginLimits,
                    by: session.actor, change: ChangeContext(actor: session.actor, requestID: context.requestID, at: context.now))
            } catch let error as StoreError {
                return try await WorkflowPages.refused(error) { message, status in
                    try await renderHome(session, at: context.now, newToken: nil, message: message, status: status)
                }
            }
            switch outcome {
            case .succeeded:
                // Every session of the account ends with the old password, this one too.
                var response = Self.redirect(to: "/login?notice=password-changed")
                response.setCookie(sessionCookie("", maxAge: 0))
                return response
            case .refused, .unverified:
                return try await renderHome(
                    session, at: context.now, newToken: nil, message: "The current password is not right.", status: .unprocessableContent)
            case .rateLimited(let retryAfter):
                return try await renderHome(
                    session, at: context.now, newToken: nil, message: "Too many failed attempts. Try again in \(Problem.describeWait(retryAfter)).",
                    status: .tooManyRequests)
            }
        }
    }

    // MARK: Pages

    func renderLogin(
        csrf: String?, email: String, error: String?, status: HTTPResponse.Status, next: String? = nil, notice: String? = nil
    ) throws -> Response {
        let token = csrf ?? Secrets.random()
        var response = try Pages(templates: templates).render(
            "login", model: LoginPageModel(loginCSRF: token, email: email, error: error, next: next, notice: notice), status: status)
        response.setCookie(
            Cookie(
                name: Self.loginCSRFCookie, value: token, maxAge: 3600, path: "/login", secure: settings.secureCookies, httpOnly: true,
                sameSite: .strict))
        return response
    }

    func renderHome(
        _ session: BrowserSession, at now: Date, newToken: [String: String]?, message: String? = nil, status: HTTPResponse.Status? = nil
    ) async throws -> Response {
        var rows: [HomePageModel.Membership] = []
        for (id, role) in session.actor.memberships.sorted(by: { $0.key.uuidString < $1.key.uuidString }) {
            guard let participant = try? await participants.get(id) else { continue }
            rows.append(
                .init(
                    name: participant.displayName, country: participant.country, programs: participant.programs.joined(separator: ", "),
                    role: role.rawValue))
        }
        let formatter = ISO8601DateFormatter()
        let tokens = try await users.tokens(of: session.user.id).map { token in
            HomePageModel.Token(
                name: token.name, prefix: token.displayPrefix, scopes: token.scopes.map(\.rawValue).joined(separator: ", "),
                created: formatter.string(from: token.createdAt), lastUsed: token.lastUsedAt.map(formatter.string(from:)) ?? "never",
                state: token.revokedAt != nil ? "revoked" : (token.expiresAt.map { $0 < now } ?? false) ? "expired" : "active")
        }
        let frame = PageFrame(session)
        let model = HomePageModel(
            csrf: frame.csrf, links: frame.links, user: .init(displayName: session.user.displayName, email: session.user.email),
            role: session.user.role.rawValue, participants: rows, hasParticipants: !rows.isEmpty, tokens: tokens, hasTokens: !tokens.isEmpty,
            newToken: newToken.map { .init(name: $0["name"] ?? "", secret: $0["secret"] ?? "") }, error: message)
        return try Pages(templates: templates).render("home", model: model, status: status ?? (newToken == nil ? .ok : .created))
    }

    func sessionCookie(_ value: String, maxAge: Int) -> Cookie {
        Cookie(
            name: AuthenticationMiddleware.sessionCookie, value: value, maxAge: maxAge, path: "/", secure: settings.secureCookies, httpOnly: true,
            sameSite: .lax)
    }

    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// The posted form (`FormFields`), or nil when the body is not one this route reads
    /// (malformed, repeated fields, too large, or holding a NUL): such a form has no CSRF field,
    /// so it is refused like a forged one (403).
    static func form(_ request: Request, _ context: AppRequestContext) async -> [String: String]? {
        guard case .success(let fields) = try? await FormFields.read(request, context, limit: 16 * 1024) else { return nil }
        return fields
    }

    /// The peer's address, for rate limiting (a proxy in front should be configured to pass it).
    static func clientAddress(_ request: Request, _ context: AppRequestContext) -> String {
        context.remoteAddress ?? "unknown"
    }
}
