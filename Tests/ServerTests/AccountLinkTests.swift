import Domain
import Foundation
import HTTPTypes
import Outbox
import Postgres
import Server
import Store
import TestSupport
import Testing

/// Buyers' self sign-up, email confirmation and password reset over the API and pages, with the
/// links read from a real maildir as a person would read them.
@Suite("Sign-up and password reset")
struct AccountLinkTests {
    static let key = Data(repeating: 9, count: 32).base64EncodedString()

    static func settings(_ folder: String) throws -> Settings {
        try Settings.load(environment: ["WEBHOOK_SECRETS_KEY": key, "DATA_DIR": folder, "PUBLIC_URL": "https://manrs.example"])
    }

    /// Delivers what is due and returns the messages written to `to` since `seen`, as plain text.
    static func mail(to address: String, subject: String, folder: String, pool: PostgresPool, at: Date) async throws -> [String] {
        let services = try TestApp.services(pool, settings: try settings(folder))
        _ = try await services.notificationDelivery(templatesRoot: TestDatabase.repositoryRoot + "/templates").deliverDue(at: at, limit: 50)
        let directory = folder + "/maildir/new"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return try names.sorted().map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.filter {
            $0.contains("To: \(address)\r\n") && $0.contains("Subject: \(subject)\r\n")
        }
    }

    /// The code of the link in a message's text part.
    static func token(in message: String) -> String? {
        guard let start = message.range(of: "Content-Transfer-Encoding: base64\r\n\r\n") else { return nil }
        let rest = message[start.upperBound...]
        let encoded = rest[..<(rest.range(of: "\r\n--")?.lowerBound ?? rest.endIndex)].replacingOccurrences(of: "\r\n", with: "")
        guard let data = Data(base64Encoded: encoded) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let range = text.range(of: "token=") else { return nil }
        return String(text[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    @Test("sign up, refused sign-in until the emailed link is followed, then signed in; a known address gets the same answer")
    func signUp() async throws {
        let folder = NSTemporaryDirectory() + "/manrs-signup-\(UUID().uuidString)"
        try await APIFixture.run(settings: try Self.settings(folder)) { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let fresh = try await api.call(
                .post, "/api/v1/signup", json: #"{"email":"new-buyer@example.com","display_name":"New Buyer","password":"correct horse battery"}"#)
            #expect(fresh.status == 202)
            let known = try await api.call(
                .post, "/api/v1/signup", json: #"{"email":"Admin@example.org","display_name":"Someone","password":"correct horse battery"}"#)
            #expect(known.status == 202 && known.body == fresh.body)
            let weak = try await api.call(.post, "/api/v1/signup", json: #"{"email":"x@example.com","display_name":"X","password":"short"}"#)
            #expect(weak.status == 422 && weak.fieldCodes["password"] == "invalid_length")
            // The known account is not changed: still an admin, and its owner is told.
            #expect(try await users.user(fixture.admin.user.id).role == .admin)

            func login(_ password: String) async throws -> LoginOutcome {
                try await users.login(
                    email: "new-buyer@example.com", password: password, address: "192.0.2.1", limits: LoginLimits(),
                    context: .anonymous(requestID: nil, at: Date()))
            }
            #expect(try await login("correct horse battery") == .unverified)
            #expect(try await login("wrong password here") == .refused)
            // The sign-in page says why, in words.
            let page = try await api.call(.get, "/login")
            let csrf = try #require(WebTests.cookie("manrs_login_csrf", in: page))
            let refused = try await api.call(
                .post, "/login", body: WebTests.form(["email": "new-buyer@example.com", "password": "correct horse battery", "csrf": csrf.value]),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "manrs_login_csrf=\(csrf.value)"])
            #expect(refused.status == 403 && refused.text.contains("Confirm your email address first"))

            let later = Date().addingTimeInterval(5)
            let welcome = try await Self.mail(
                to: "new-buyer@example.com", subject: "Confirm your email address for MANRS+", folder: folder, pool: fixture.db.pool, at: later)
            #expect(welcome.count == 1)
            let told = try await Self.mail(
                to: "admin@example.org", subject: "You already have a MANRS+ account", folder: folder, pool: fixture.db.pool, at: later)
            #expect(told.count == 1)
            // The link's secret is stored only hashed, and sealed in the outbox.
            let mail = try #require(welcome.first)
            let token = try #require(Self.token(in: mail))
            let outbox = try await fixture.db.pool.query("SELECT payload::text FROM outbox WHERE event_kind = 'account.verify_email'")[0]
                .decode(0, as: String.self)
            #expect(!outbox.contains(token))

            let form = try await api.call(.get, "/verify-email?token=\(token)")
            #expect(form.status == 200 && form.text.contains(token))
            #expect(try await api.call(.post, "/api/v1/signup/verify", json: #"{"token":"\#(token)"}"#).status == 204)
            let again = try await api.call(.post, "/api/v1/signup/verify", json: #"{"token":"\#(token)"}"#)
            #expect(again.status == 409 && again.problemType?.hasSuffix("/link-used") == true)
            let unknown = try await api.call(.post, "/api/v1/signup/verify", json: #"{"token":"nothing-like-a-token"}"#)
            #expect(unknown.status == 409 && unknown.problemType?.hasSuffix("/link-invalid") == true)
            guard case .succeeded(let id) = try await login("correct horse battery") else {
                Issue.record("the confirmed account cannot sign in")
                return
            }
            #expect(try await users.user(id).role == .enterprise)
            let audited = try await fixture.db.pool.query(
                "SELECT action FROM audit_events WHERE entity_id = \(id.uuidString.lowercased()) ORDER BY id"
            ).map { try $0.decode(0, as: String.self) }
            #expect(audited.starts(with: ["user.signed_up", "user.sign_in_failed", "user.email_verified"]))
        }
    }

    @Test("a reset link sets a new password once and ends every session; an unknown address gets the same answer")
    func reset() async throws {
        let folder = NSTemporaryDirectory() + "/manrs-reset-\(UUID().uuidString)"
        try await APIFixture.run(settings: try Self.settings(folder)) { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let now = Date()
            let session = try await users.openSession(for: fixture.applicant.user.id, lifetime: 3600, context: .system(at: now))
            #expect(try await users.session(session, at: now) != nil)

            let known = try await api.call(.post, "/api/v1/password/forgot", json: #"{"email":"applicant@example.org"}"#)
            let unknown = try await api.call(.post, "/api/v1/password/forgot", json: #"{"email":"nobody@example.org"}"#)
            #expect(known.status == 202 && unknown.status == 202 && known.body == unknown.body)
            let subject = "Set a new MANRS+ password"
            // Delivered as of after both requests, however long a loaded machine took over them.
            let later = Date().addingTimeInterval(5)
            let mails = try await Self.mail(
                to: "applicant@example.org", subject: subject, folder: folder, pool: fixture.db.pool, at: later)
            #expect(mails.count == 1)
            #expect(
                try await Self.mail(to: "nobody@example.org", subject: subject, folder: folder, pool: fixture.db.pool, at: later)
                    .isEmpty)
            let mail = try #require(mails.first)
            let token = try #require(Self.token(in: mail))

            let short = try await api.call(.post, "/api/v1/password/reset", json: #"{"token":"\#(token)","new_password":"short"}"#)
            #expect(short.status == 422)
            let set = try await api.call(.post, "/api/v1/password/reset", json: #"{"token":"\#(token)","new_password":"a brand new password"}"#)
            #expect(set.status == 204)
            #expect(try await users.session(session, at: now) == nil)
            let reused = try await api.call(.post, "/api/v1/password/reset", json: #"{"token":"\#(token)","new_password":"another new password"}"#)
            #expect(reused.status == 409 && reused.problemType?.hasSuffix("/link-used") == true)
            func login(_ password: String) async throws -> LoginOutcome {
                try await users.login(
                    email: "applicant@example.org", password: password, address: "192.0.2.2", limits: LoginLimits(),
                    context: .anonymous(requestID: nil, at: Date()))
            }
            #expect(try await login("a long test password") == .refused)
            #expect(try await login("a brand new password") == .succeeded(userID: fixture.applicant.user.id))
            let audited = try await fixture.db.pool.query(
                """
                SELECT action FROM audit_events WHERE entity_id = \(fixture.applicant.user.id.uuidString.lowercased())
                  AND action LIKE 'user.password_reset%' ORDER BY id
                """
            ).map { try $0.decode(0, as: String.self) }
            #expect(audited == ["user.password_reset_requested", "user.password_reset"])
            #expect(try await api.call(.get, "/password/forgot").status == 200)
            #expect(try await api.call(.get, "/signup").status == 200)
        }
    }

    @Test("watchlists over the API are their owner's only: another buyer's id is 404, applicants are refused; CSV export")
    func watchlistsAPI() async throws {
        try await APIFixture.run { fixture, api in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let other = try await users.create(
                email: "other-buyer@example.org", displayName: "Other", role: .enterprise, password: "a long test password",
                context: .system(at: Date()))
            let (_, otherToken) = try await users.createToken(
                for: other.id, name: "t", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date()))
            let created = try await api.call(
                .post, "/api/v1/watchlists", token: fixture.enterprise.token, json: #"{"name":"Suppliers","entries":["AS3333","64500"]}"#)
            #expect(created.status == 201)
            let id = try #require(created.json["id"] as? String)
            let read = try await api.call(.get, "/api/v1/watchlists/\(id)", token: fixture.enterprise.token)
            #expect(read.status == 200)
            let entries = try #require(read.json["entries"] as? [[String: Any]])
            // AS3333 is in the fixture's certified scope; AS64500 is not.
            #expect(entries.map { $0["value"] as? String } == ["AS3333", "AS64500"])
            #expect(entries.map { $0["status"] as? String } == ["netops: valid", "not certified"])
            #expect(try await api.call(.get, "/api/v1/watchlists/\(id)", token: otherToken).status == 404)
            #expect(try await api.call(.delete, "/api/v1/watchlists/\(id)", token: otherToken).status == 404)
            #expect(try await api.call(.get, "/api/v1/watchlists", token: fixture.applicant.token).status == 403)
            let csv = try await api.call(.get, "/api/v1/watchlists/\(id)/csv", token: fixture.enterprise.token)
            #expect(csv.status == 200 && csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("kind,entry,status,marks,valid_until,note\r\nasn,AS3333,netops: valid,"))
            let bad = try await api.call(
                .post, "/api/v1/watchlists/\(id)/entries", token: fixture.enterprise.token, json: #"{"entries":["AS-NOPE"]}"#)
            #expect(bad.status == 422)
            #expect(try await api.call(.delete, "/api/v1/watchlists/\(id)/entries/AS64500", token: fixture.enterprise.token).status == 204)
            let hook = try await api.call(
                .post, "/api/v1/users/me/webhooks", token: fixture.enterprise.token, json: #"{"url":"https://hooks.example.com/manrs"}"#)
            #expect(hook.status == 201)
            let otherHooks = try await api.call(.get, "/api/v1/users/me/webhooks", token: otherToken)
            #expect(otherHooks.status == 200 && (otherHooks.json["items"] as? [Any])?.isEmpty == true)
            #expect(try await api.call(.get, "/watchlists").status == 303)
        }
    }
}
