import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The secretariat's pages, used as an admin would: accounts, catalog drafts and publishing,
/// resource verification. Who may see them is in `PagesTests.access`; refusals that match the
/// API's are in `RefusalParityTests`.
@Suite("Admin pages")
struct AdminPagesTests {
    /// A signed-in admin's browser and a CSRF token from one of its pages.
    static func admin(_ fixture: APIFixture, _ api: APIClient) async throws -> (headers: [String: String], csrf: String) {
        let browser = try await PagesTests.cookie(fixture, .admin)
        let page = try await api.call(.get, "/admin/users", headers: browser)
        return (browser, try #require(PagesTests.csrf(in: page.text)))
    }

    /// The seed's document of `program`, as JSON text.
    static func seedDocument(_ program: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TestDatabase.schemaDirectory + "/catalog/\(program).json"))
        let seed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(seed["catalog"] as? [String: Any])
    }

    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("an admin creates an account and sees its one-time password once; it signs in with it")
    func createAccount() async throws {
        try await APIFixture.run { fixture, api in
            let (browser, csrf) = try await Self.admin(fixture, api)
            let created = try await PagesTests.post(
                api, "/admin/users", browser,
                ["csrf": csrf, "email": "new.auditor@example.org", "display_name": "Nia New", "role": "auditor", "organisation": ""])
            #expect(created.status == 201, "\(created.text.prefix(500))")
            let password = try #require(
                created.text.range(of: #"<code class="secret">"#).map { String(created.text[$0.upperBound...].prefix { $0 != "<" }) })
            #expect(password.count >= 12 && created.text.contains("not shown again"))
            let outcome = try await UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4)).login(
                email: "new.auditor@example.org", password: password, address: "192.0.2.1", limits: LoginLimits(), context: .system(at: Date()))
            guard case .succeeded = outcome else {
                Issue.record("the one-time password does not sign in: \(outcome)")
                return
            }
            // The list shows the account with its role in words; the password is not shown again.
            let list = try await api.call(.get, "/admin/users", headers: browser)
            #expect(list.text.contains("Nia New") && list.text.contains("new.auditor@example.org") && !list.text.contains(password))
            // A refused creation keeps what was typed.
            let refused = try await PagesTests.post(
                api, "/admin/users", browser, ["csrf": csrf, "email": "not an email", "display_name": "Typed Name", "role": "applicant"])
            #expect(refused.status == 422 && refused.text.contains(#"value="Typed Name""#) && refused.text.contains(#"value="not an email""#))
        }
    }

    @Test("an admin disables an account (its token stops working) and enables it again; never their own")
    func disableAndEnable() async throws {
        try await APIFixture.run { fixture, api in
            let (browser, csrf) = try await Self.admin(fixture, api)
            let target = fixture.otherApplicant.user
            let id = target.id.uuidString.lowercased()
            let disabled = try await PagesTests.post(
                api, "/admin/users/\(id)", browser, ["csrf": csrf, "version": "\(target.version)", "disabled": "true"])
            #expect(disabled.status == 303 && disabled.headers[.location] == "/admin/users?notice=user-disabled#user-\(id)")
            let me = try await api.call(.get, "/api/v1/users/me", token: fixture.otherApplicant.token)
            #expect(me.status == 401)
            let page = try await api.call(.get, "/admin/users?notice=user-disabled", headers: browser)
            #expect(page.text.contains("Account disabled") && page.text.contains("Enable other@example.org"))
            let enabled = try await PagesTests.post(
                api, "/admin/users/\(id)", browser, ["csrf": csrf, "version": "\(target.version + 1)", "disabled": "false"])
            #expect(enabled.status == 303)
            #expect(try await api.call(.get, "/api/v1/users/me", token: fixture.otherApplicant.token).status == 200)
            let role = try await PagesTests.post(
                api, "/admin/users/\(id)", browser, ["csrf": csrf, "version": "\(target.version + 2)", "role": "auditor"])
            #expect(role.status == 303 && role.headers[.location]?.contains("notice=role-changed") == true)
            #expect(try await UserStore(database: fixture.db.pool).user(target.id).role == .auditor)
            // The admin's own card offers neither a role change nor disabling.
            let own = fixture.admin.user.id.uuidString.lowercased()
            let list = try await api.call(.get, "/admin/users", headers: browser).text
            #expect(!list.contains("/admin/users/\(own)\"") && list.contains("This is your account"))
        }
    }

    @Test("a draft from the latest version, edited as JSON, read in words, published after a confirmation; published versions have no editor")
    func draftAndPublish() async throws {
        try await APIFixture.run { fixture, api in
            let (browser, csrf) = try await Self.admin(fixture, api)
            let published = try await api.call(.get, "/admin/catalogs/netops/versions/1", headers: browser)
            #expect(published.status == 200 && !published.text.contains("<textarea") && published.text.contains("never changes"))
            #expect(published.text.contains("Mandatory") && published.text.contains("Automated checks"))
            #expect(!published.text.contains("rpki_valid_share") && published.text.contains("RPKI-valid"))

            let started = try await PagesTests.post(api, "/admin/catalogs/netops/versions", browser, ["csrf": csrf])
            #expect(started.status == 303 && started.headers[.location] == "/admin/catalogs/netops/versions/2?notice=draft-created#editor")
            let again = try await PagesTests.post(api, "/admin/catalogs/netops/versions", browser, ["csrf": csrf])
            #expect(again.status == 409 && again.headers[HTTPField.Name("X-Refusal")!] == "draft-exists")

            let draft = try await api.call(.get, "/admin/catalogs/netops/versions/2", headers: browser)
            #expect(draft.text.contains("<textarea") && draft.text.contains("it can be published"))
            let rowVersion = try #require(
                draft.text.range(of: #"name="row_version" value=""#).map { String(draft.text[$0.upperBound...].prefix { $0.isNumber }) })
            var document = try Self.seedDocument("netops")
            var actions = try #require(document["actions"] as? [[String: Any]])
            actions[0]["title"] = "Filtering, as revised"
            document["actions"] = actions

            // Not JSON: refused, with what was typed kept.
            let broken = try await PagesTests.post(
                api, "/admin/catalogs/netops/versions/2", browser, ["csrf": csrf, "row_version": rowVersion, "document": "{ \"actions\": ["])
            #expect(broken.status == 422 && broken.headers[HTTPField.Name("X-Refusal")!] == "document=invalid_json")
            #expect(broken.text.contains("{ &quot;actions&quot;: [") || broken.text.contains("{ \"actions\": ["))
            // A problem of the catalog's rules: listed where it is.
            var empty = actions
            empty[1]["title"] = " "
            document["actions"] = empty
            let invalid = try await PagesTests.post(
                api, "/admin/catalogs/netops/versions/2", browser, ["csrf": csrf, "row_version": rowVersion, "document": try Self.json(document)])
            #expect(invalid.status == 422 && invalid.headers[HTTPField.Name("X-Refusal")!] == "document.actions[1].title=invalid_length")
            #expect(invalid.text.contains("<code>actions[1].title</code>"))

            document["actions"] = actions
            let saved = try await PagesTests.post(
                api, "/admin/catalogs/netops/versions/2", browser, ["csrf": csrf, "row_version": rowVersion, "document": try Self.json(document)])
            #expect(saved.status == 303 && saved.headers[.location] == "/admin/catalogs/netops/versions/2?notice=draft-saved#editor")
            let edited = try await api.call(.get, "/admin/catalogs/netops/versions/2?notice=draft-saved", headers: browser)
            #expect(edited.text.contains("Draft saved.") && edited.text.contains("Filtering, as revised"))
            let row = try #require(
                edited.text.range(of: #"name="row_version" value=""#).map { String(edited.text[$0.upperBound...].prefix { $0.isNumber }) })

            let confirm = try await api.call(.get, "/admin/catalogs/netops/versions/2/publish", headers: browser)
            #expect(confirm.status == 200 && confirm.text.contains("A published version never changes") && confirm.text.contains("Publish version 2"))
            let done = try await PagesTests.post(api, "/admin/catalogs/netops/versions/2/publish", browser, ["csrf": csrf, "row_version": row])
            #expect(done.status == 303 && done.headers[.location] == "/admin/catalogs/netops/versions/2?notice=catalog-published")
            let current = try await api.call(.get, "/api/v1/programs/netops")
            #expect(current.json["current_version"] as? Int == 2)
            let after = try await api.call(.get, "/admin/catalogs/netops/versions/2", headers: browser)
            #expect(!after.text.contains("<textarea") && after.text.contains("current"))
            let list = try await api.call(.get, "/admin/catalogs", headers: browser)
            #expect(list.text.contains("Start a draft from version 2"))
        }
    }

    @Test("a claim awaits verification with the registry's evidence; the admin verifies it with a reason and withdraws it")
    func verifyResource() async throws {
        try await APIFixture.run { fixture, api in
            let own = fixture.own.id.uuidString.lowercased()
            let claimed = try await api.call(
                .post, "/api/v1/participants/\(own)/resources", token: fixture.applicant.token, json: #"{"kind":"prefix","value":"193.0.10.0/23"}"#)
            #expect(claimed.status == 201, "\(claimed.text)")
            let resource = try #require(claimed.json["id"] as? String)
            let later = try await api.call(
                .post, "/api/v1/participants/\(own)/resources", token: fixture.applicant.token, json: #"{"kind":"asn","value":"AS3334"}"#)
            #expect(later.status == 201, "\(later.text)")
            let (browser, csrf) = try await Self.admin(fixture, api)
            let awaiting = try await api.call(.get, "/admin/resources", headers: browser)
            #expect(awaiting.status == 200 && awaiting.text.contains("193.0.10.0/23") && awaiting.text.contains("RIPE NCC"))
            // Oldest first: the prefix was claimed before the AS number.
            let first = try #require(awaiting.text.range(of: "193.0.10.0/23")).lowerBound
            let second = try #require(awaiting.text.range(of: "<strong>AS3334</strong>")).lowerBound
            #expect(first < second)
            #expect(awaiting.text.contains("RPKI does not show who holds one"))
            #expect(awaiting.text.contains("No VRPs have been imported"))
            let refused = try await PagesTests.post(
                api, "/admin/resources/\(own)/\(resource)/verify", browser,
                ["csrf": csrf, "view": "awaiting", "reason": "RIPE database", "url": "ftp://example.org/"])
            #expect(refused.status == 422 && refused.text.contains(#"value="RIPE database""#))
            let verified = try await PagesTests.post(
                api, "/admin/resources/\(own)/\(resource)/verify", browser,
                ["csrf": csrf, "view": "awaiting", "reason": "RIPE database: inetnum 193.0.10.0/23", "url": ""])
            #expect(verified.status == 303 && verified.headers[.location] == "/admin/resources?notice=resource-verified#resource-\(resource)")
            let after = try await api.call(.get, "/admin/resources?notice=resource-verified", headers: browser)
            #expect(!after.text.contains("193.0.10.0/23") && after.text.contains("Resource verified"))
            let state = try await api.call(.get, "/api/v1/participants/\(own)/resources", token: fixture.admin.token)
            let row = (state.json["items"] as? [[String: Any]])?.first { $0["id"] as? String == resource }
            #expect((row?["verification"] as? [String: Any])?["reason"] as? String == "RIPE database: inetnum 193.0.10.0/23")

            let theirs = try await api.call(.get, "/admin/resources?participant=\(own)", headers: browser)
            #expect(theirs.text.contains("Verified by the secretariat") && theirs.text.contains("Withdraw the verification"))
            let withdrawn = try await PagesTests.post(
                api, "/admin/resources/\(own)/\(resource)/unverify", browser, ["csrf": csrf, "view": "participant", "reason": "Typed by mistake."])
            #expect(
                withdrawn.status == 303
                    && withdrawn.headers[.location] == "/admin/resources?participant=\(own)&notice=resource-unverified#resource-\(resource)")
            #expect(try await api.call(.get, "/admin/resources", headers: browser).text.contains("193.0.10.0/23"))
        }
    }
}
