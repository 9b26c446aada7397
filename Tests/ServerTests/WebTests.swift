import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// Signing in with a browser: the login form, the session cookie, CSRF on every change.
@Suite("Browser sessions")
struct WebTests {
    /// `name=value` of a Set-Cookie header with that name.
    static func cookie(_ name: String, in response: APIResponse) -> (value: String, attributes: String)? {
        for field in response.headers where field.name.canonicalName == "set-cookie" && field.value.hasPrefix(name + "=") {
            let value = field.value.dropFirst(name.count + 1).prefix { $0 != ";" }
            return (String(value), field.value)
        }
        return nil
    }

    static func hiddenField(_ name: String, in html: String) -> String? {
        guard let range = html.range(of: #"name="\#(name)" value=""#) else { return nil }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    static func form(_ fields: [String: String]) -> Data {
        Data(fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&").utf8)
    }

    @Test("sign in, see the account page, create a token, change data with the CSRF header, sign out")
    func signIn() async throws {
        try await APIFixture.run { fixture, api in
            #expect(try await api.call(.get, "/").status == 303)
            let page = try await api.call(.get, "/login")
            #expect(page.status == 200 && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            let loginCSRF = try #require(Self.cookie("manrs_login_csrf", in: page))
            #expect(Self.hiddenField("csrf", in: page.text) == loginCSRF.value)

            // Without the matching cookie the form is refused.
            let forged = try await api.call(
                .post, "/login", body: Self.form(["email": "applicant@example.org", "password": "a long test password", "csrf": "guess"]),
                headers: ["Content-Type": "application/x-www-form-urlencoded"])
            #expect(forged.status == 403 && Self.cookie("manrs_session", in: forged) == nil)
            let wrong = try await api.call(
                .post, "/login", body: Self.form(["email": "applicant@example.org", "password": "nope", "csrf": loginCSRF.value]),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(loginCSRF.value)"])
            #expect(wrong.status == 401 && wrong.text.contains("not right") && Self.cookie("manrs_session", in: wrong) == nil)

            let signedIn = try await api.call(
                .post, "/login", body: Self.form(["email": "applicant@example.org", "password": "a long test password", "csrf": loginCSRF.value]),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(loginCSRF.value)"])
            #expect(signedIn.status == 303 && signedIn.headers[.location] == "/")
            let session = try #require(Self.cookie("manrs_session", in: signedIn))
            #expect(session.attributes.contains("HttpOnly") && session.attributes.contains("Secure") && session.attributes.contains("SameSite=Lax"))
            let stored = try await fixture.db.pool.query("SELECT count(*) FROM sessions WHERE secret_sha256 = \(Secrets.sha256(session.value))")[0]
                .decode(0, as: Int.self)
            #expect(stored == 1)

            let cookie = ["Cookie": "manrs_session=\(session.value)"]
            let home = try await api.call(.get, "/", headers: cookie)
            #expect(home.status == 200 && home.text.contains("applicant@example.org") && home.text.contains("RIPE NCC"))
            let csrf = try #require(Self.hiddenField("csrf", in: home.text))

            let created = try await api.call(
                .post, "/account/tokens", body: Self.form(["csrf": csrf, "name": "laptop <script>"]),
                headers: cookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
            #expect(created.status == 201)
            #expect(created.text.contains("laptop &lt;script&gt;") && !created.text.contains("laptop <script>"))
            let secret = try #require(created.text.range(of: #"mp_[A-Za-z0-9_-]{43}"#, options: .regularExpression).map { String(created.text[$0]) })
            #expect(try await api.call(.get, "/api/v1/users/me", token: secret).status == 200)

            // The API through the cookie: reads work, changes need the session's CSRF token.
            #expect(try await api.call(.get, "/api/v1/users/me", headers: cookie).status == 200)
            let body = #"{"legal_name":"Cookie Networks","country":"NL","programs":["netops"]}"#
            let noToken = try await api.call(.post, "/api/v1/participants", json: body, headers: cookie)
            #expect(noToken.status == 403)
            let withToken = try await api.call(.post, "/api/v1/participants", json: body, headers: cookie.merging(["X-CSRF-Token": csrf]) { $1 })
            #expect(withToken.status == 201)

            // A wrong current password changes nothing and says so on the page.
            let wrongPassword = try await api.call(
                .post, "/account/password", body: Self.form(["csrf": csrf, "current": "nope", "new": "a brand new long password"]),
                headers: cookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
            #expect(wrongPassword.status == 422 && wrongPassword.text.contains("not right"))

            let signedOut = try await api.call(
                .post, "/logout", body: Self.form(["csrf": csrf]),
                headers: cookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
            #expect(signedOut.status == 303 && signedOut.headers[.location] == "/login")
            #expect(try await api.call(.get, "/", headers: cookie).status == 303)
            #expect(try await api.call(.get, "/api/v1/users/me", headers: cookie).status == 401)

            // A changed password ends the session it was changed from, and the new one signs in.
            let again = try #require(Self.cookie("manrs_login_csrf", in: try await api.call(.get, "/login"))).value
            let second = try await api.call(
                .post, "/login", body: Self.form(["email": "applicant@example.org", "password": "a long test password", "csrf": again]),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(again)"])
            let secondCookie = ["Cookie": "manrs_session=\(try #require(Self.cookie("manrs_session", in: second)).value)"]
            let secondCSRF = try #require(Self.hiddenField("csrf", in: try await api.call(.get, "/", headers: secondCookie).text))
            let changed = try await api.call(
                .post, "/account/password",
                body: Self.form(["csrf": secondCSRF, "current": "a long test password", "new": "a brand new long password"]),
                headers: secondCookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
            #expect(changed.status == 303 && changed.headers[.location] == "/login?notice=password-changed")
            #expect(try await api.call(.get, "/", headers: secondCookie).status == 303)
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            #expect(
                try await users.login(
                    email: "applicant@example.org", password: "a brand new long password", address: "t", limits: LoginLimits(),
                    context: .anonymous(requestID: nil, at: Date()))
                    == .succeeded(userID: fixture.applicant.user.id))
        }
    }

    @Test(
        "a form that cannot be read has no CSRF token: 403 (sign-out with a session, which stays; sign-in; account forms); sign-out without a session 303"
    )
    func unreadableSignOutForm() async throws {
        try await APIFixture.run { fixture, api in
            let cookie = try await PagesTests.cookie(fixture, .applicant)
            for body in ["csrf=%ZZ", "csrf=a&csrf=b", "csrf[]=a"] {
                let form = ["Content-Type": "application/x-www-form-urlencoded"]
                let signedOut = try await api.call(.post, "/logout", body: Data(body.utf8), headers: form)
                #expect(signedOut.status == 303 && signedOut.headers[.location] == "/login", "\(body)")
                let refused = try await api.call(.post, "/logout", body: Data(body.utf8), headers: form.merging(cookie) { $1 })
                #expect(refused.status == 403, "\(body)")
            }
            #expect(try await api.call(.get, "/", headers: cookie).status == 200)
            // The sign-in form and the account page's forms the same way: no CSRF field, 403.
            let loginCSRF = try #require(Self.cookie("manrs_login_csrf", in: try await api.call(.get, "/login"))).value
            let login = try await api.call(
                .post, "/login", body: Data("csrf=\(loginCSRF)&csrf=\(loginCSRF)&email=%ZZ".utf8),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(loginCSRF)"])
            #expect(login.status == 403 && Self.cookie("manrs_session", in: login) == nil)
            for path in ["/account/tokens", "/account/password"] {
                let refused = try await api.call(
                    .post, path, body: Data("csrf=%ZZ".utf8), headers: cookie.merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
                #expect(refused.status == 403, "\(path)")
            }
        }
    }

    @Test("repeated failed sign-ins are slowed down: 429 with Retry-After, even with the right password")
    func rateLimited() async throws {
        try await APIFixture.run(loginLimits: LoginLimits(freeFailuresPerAddress: 2, baseDelay: 600)) { fixture, api in
            let csrf = try #require(Self.cookie("manrs_login_csrf", in: try await api.call(.get, "/login"))).value
            let headers = ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(csrf)"]
            for _ in 0..<2 {
                let wrong = try await api.call(
                    .post, "/login", body: Self.form(["email": "auditor@example.org", "password": "guess", "csrf": csrf]), headers: headers)
                #expect(wrong.status == 401)
            }
            let blocked = try await api.call(
                .post, "/login", body: Self.form(["email": "auditor@example.org", "password": "a long test password", "csrf": csrf]), headers: headers
            )
            // The wait really left: 600 seconds from the last failure, less the moments since.
            #expect(blocked.status == 429 && (590...600).contains(Int(blocked.headers[.retryAfter] ?? "") ?? 0))
            #expect(blocked.text.contains("Try again in 10 minutes"))
            #expect(Self.cookie("manrs_session", in: blocked) == nil)
        }
    }
}
