import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import Operations
import Store

/// The pages for signing up as a buyer, confirming the address, and setting a new password with
/// an emailed link. Before signing in there is no session, so each form carries a double-submit
/// CSRF token (a cookie and a hidden field), as the sign-in form does. A link's GET only shows a
/// form: mail scanners that open links must not use them up.
struct AccountLinkPages {
    let operations: AccountLinkOperations
    let templates: MustacheLibrary
    let settings: Settings
    let loginLimits: LoginLimits

    static let csrfCookie = "manrs_account_csrf"

    struct Model: Encodable, Sendable {
        var csrf: String
        var signup = false
        var forgot = false
        var reset = false
        var verify = false
        /// The answer after a request: nothing more to fill in.
        var sent: String?
        var token = ""
        var email = ""
        var displayName = ""
        var organisation = ""
        var error: String?
        var passwordRule = Passwords.rule
    }

    func register(on router: RouterGroup<AppRequestContext>) {
        router.get("/signup") { _, _ in try render(Model(csrf: "", signup: true)) }
        router.post("/signup") { request, context in
            guard let form = await checkedForm(request, context) else { return try expired(Model(csrf: "", signup: true)) }
            var model = Model(
                csrf: "", signup: true, email: form["email"] ?? "", displayName: form["display_name"] ?? "", organisation: form["organisation"] ?? "")
            do {
                let outcome = try await operations.signUp(
                    email: model.email, displayName: model.displayName, organisation: model.organisation, password: form["password"] ?? "",
                    address: WebRoutes.clientAddress(request, context), limits: loginLimits, change: context.change)
                return try answer(outcome, AccountLinkRoutes.signUpAnswer, model: &model)
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    model.error = message
                    return try render(model, status: status)
                }
            }
        }
        router.get("/verify-email") { request, _ in try render(Model(csrf: "", verify: true, token: request.query("token") ?? "")) }
        router.post("/verify-email") { request, context in
            guard let form = await checkedForm(request, context) else { return try expired(Model(csrf: "", verify: true)) }
            do {
                try await operations.verifyEmail(token: form["token"] ?? "", change: context.change)
                return WebRoutes.redirect(to: "/login?notice=email-confirmed")
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    try render(Model(csrf: "", verify: true, token: form["token"] ?? "", error: message), status: status)
                }
            }
        }
        router.get("/password/forgot") { _, _ in try render(Model(csrf: "", forgot: true)) }
        router.post("/password/forgot") { request, context in
            guard let form = await checkedForm(request, context) else { return try expired(Model(csrf: "", forgot: true)) }
            var model = Model(csrf: "", forgot: true, email: form["email"] ?? "")
            do {
                let outcome = try await operations.forgotPassword(
                    email: model.email, address: WebRoutes.clientAddress(request, context), limits: loginLimits, change: context.change)
                return try answer(outcome, AccountLinkRoutes.forgotAnswer, model: &model)
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    model.error = message
                    return try render(model, status: status)
                }
            }
        }
        router.get("/password/reset") { request, _ in try render(Model(csrf: "", reset: true, token: request.query("token") ?? "")) }
        router.post("/password/reset") { request, context in
            guard let form = await checkedForm(request, context) else { return try expired(Model(csrf: "", reset: true)) }
            do {
                try await operations.resetPassword(token: form["token"] ?? "", newPassword: form["new_password"] ?? "", change: context.change)
                // Every session of the account ended, this browser's too.
                var response = WebRoutes.redirect(to: "/login?notice=password-reset")
                response.setCookie(
                    Cookie(
                        name: AuthenticationMiddleware.sessionCookie, value: "", maxAge: 0, path: "/", secure: settings.secureCookies,
                        httpOnly: true, sameSite: .lax))
                return response
            } catch {
                return try await WorkflowPages.refused(error) { message, status in
                    try render(Model(csrf: "", reset: true, token: form["token"] ?? "", error: message), status: status)
                }
            }
        }
    }

    func answer(_ outcome: AccountRequestOutcome, _ sentence: String, model: inout Model) throws -> Response {
        switch outcome {
        case .accepted:
            model.sent = sentence
            return try render(model, status: .accepted)
        case .rateLimited(let retryAfter):
            model.error = "Too many requests for this address. Try again in \(Problem.describeWait(retryAfter))."
            var response = try render(model, status: .tooManyRequests)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        }
    }

    /// The posted form when its CSRF field matches the cookie; nil otherwise (403).
    func checkedForm(_ request: Request, _ context: AppRequestContext) async -> [String: String]? {
        guard let form = await WebRoutes.form(request, context), let sent = form["csrf"], let expected = request.cookies[Self.csrfCookie]?.value,
            Secrets.constantTimeEquals(sent, expected)
        else { return nil }
        return form
    }

    func expired(_ model: Model) throws -> Response {
        var model = model
        model.error = "The form expired; please fill it in again."
        return try render(model, status: .forbidden)
    }

    func render(_ model: Model, status: HTTPResponse.Status = .ok) throws -> Response {
        var model = model
        model.csrf = Secrets.random()
        var response = try Pages(templates: templates).render("account-link", model: model, status: status)
        response.setCookie(
            Cookie(
                name: Self.csrfCookie, value: model.csrf, maxAge: 3600, path: "/", secure: settings.secureCookies, httpOnly: true, sameSite: .strict))
        return response
    }
}
