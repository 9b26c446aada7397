import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The participant's registry page and its forms, as its owner, another participant's applicant,
/// an auditor and a read-only token use them.
@Suite("Registry pages")
struct RegistryPagesTests {
    static let refusal = HTTPField.Name("X-Refusal")!

    /// A signed-in browser with the CSRF token of its session.
    struct Browser {
        let headers: [String: String]
        let csrf: String
        let api: APIClient

        init(_ fixture: APIFixture, _ role: APIFixture.Role, _ api: APIClient) async throws {
            headers = try await PagesTests.cookie(fixture, role)
            csrf = try #require(PagesTests.csrf(in: try await api.call(.get, "/", headers: headers).text))
            self.api = api
        }

        func post(_ path: String, _ fields: [String: String]) async throws -> APIResponse {
            try await PagesTests.post(api, path, headers, fields.merging(["csrf": csrf]) { $1 })
        }

        func get(_ path: String) async throws -> APIResponse { try await api.call(.get, path, headers: headers) }
    }

    static func items(_ response: APIResponse) -> [[String: Any]] { response.json["items"] as? [[String: Any]] ?? [] }

    @Test("a malformed id in a form's address is the page's 404, not an API problem")
    func malformedIDs() async throws {
        try await APIFixture.run { fixture, api in
            let owner = try await Browser(fixture, .applicant, api)
            let id = fixture.own.id.uuidString.lowercased()
            for path in ["contacts/null%2Cnull", "contacts/null/remove", "resources/x/remove", "members/1/remove"] {
                let answer = try await owner.post("/participants/\(id)/\(path)", ["name": "Ops", "email": "ops@example.org", "role": "noc"])
                #expect(answer.status == 404, "\(path)")
                #expect(answer.headers[.contentType]?.hasPrefix("text/html") == true, "\(path)")
            }
        }
    }

    @Test("the owner edits the details, claims and releases a resource, adds, changes and removes a contact, adds and removes a member")
    func ownerEdits() async throws {
        try await APIFixture.run { fixture, api in
            let owner = try await Browser(fixture, .applicant, api)
            let id = fixture.own.id.uuidString.lowercased()
            let page = "/participants/\(id)"
            let token = fixture.applicant.token
            let shown = try await owner.get(page)
            #expect(shown.status == 200)
            for form in ["/details", "/resources", "/contacts", "/members"] { #expect(shown.text.contains("action=\"\(page)\(form)\""), "\(form)") }
            #expect(shown.text.contains("verified"))

            // Details: the same change as a PATCH, at the version the form was shown at.
            let version = try #require(try await api.call(.get, "/api/v1/participants/\(id)", token: token).json["version"] as? Int)
            let details = [
                "legal_name": "Reseaux IP Europeens Network Coordination Centre", "display_name": "RIPE NCC", "country": "nl",
                "website": "", "program_netops": "1", "program_ixp": "1", "version": String(version),
            ]
            let saved = try await owner.post("\(page)/details", details)
            #expect(saved.status == 303 && saved.headers[.location] == "\(page)?notice=details-saved#details", "\(saved.text.prefix(300))")
            let after = try await api.call(.get, "/api/v1/participants/\(id)", token: token).json
            #expect(after["legal_name"] as? String == "Reseaux IP Europeens Network Coordination Centre")
            #expect(after["country"] as? String == "NL" && after["website"] as? String == nil)
            #expect(try await owner.get("\(page)?notice=details-saved").text.contains("Details saved."))
            // The same form again is stale: the page says so and changes nothing.
            let stale = try await owner.post("\(page)/details", details.merging(["display_name": "Old"]) { $1 })
            #expect(stale.status == 412 && stale.headers[Self.refusal] == "stale-version")

            // A resource: claimed unverified, with what verifying it needs; then released.
            let claimed = try await owner.post("\(page)/resources", ["kind": "asn", "value": "AS12654"])
            #expect(claimed.status == 303 && claimed.headers[.location] == "\(page)?notice=resource-added#resources", "\(claimed.text.prefix(300))")
            let resource = try #require(
                Self.items(try await api.call(.get, "/api/v1/participants/\(id)/resources", token: token)).first {
                    $0["value"] as? String == "AS12654"
                })
            #expect((resource["verification"] as? [String: Any])?["state"] as? String == "unverified")
            let listed = try await owner.get(page).text
            #expect(listed.contains("claimed, not verified yet") && listed.contains("regional internet registry"))
            let resourceID = try #require(resource["id"] as? String)
            let released = try await owner.post("\(page)/resources/\(resourceID)/remove", [:])
            #expect(released.headers[.location] == "\(page)?notice=resource-removed#resources")
            #expect(
                !Self.items(try await api.call(.get, "/api/v1/participants/\(id)/resources", token: token)).contains {
                    $0["value"] as? String == "AS12654"
                })

            // A contact: added, changed (its card is the anchor), removed.
            let added = try await owner.post("\(page)/contacts", ["role": "security", "name": " CERT ", "email": "cert@ripe.net", "phone": ""])
            #expect(added.headers[.location] == "\(page)?notice=contact-added#contacts", "\(added.text.prefix(300))")
            let contact = try #require(
                Self.items(try await api.call(.get, "/api/v1/participants/\(id)/contacts", token: token)).first {
                    $0["email"] as? String == "cert@ripe.net"
                })
            #expect(contact["name"] as? String == "CERT" && contact["phone"] == nil && contact["available_24x7"] as? Bool == false)
            let contactID = try #require(contact["id"] as? String)
            let changed = try await owner.post(
                "\(page)/contacts/\(contactID)",
                [
                    "role": "security", "name": "CERT", "email": "cert@ripe.net", "phone": "+31 20 535 4444", "available_24x7": "1",
                    "version": String(try #require(contact["version"] as? Int)),
                ])
            #expect(changed.headers[.location] == "\(page)?notice=contact-saved#contact-\(contactID)", "\(changed.text.prefix(300))")
            let read = try await api.call(.get, "/api/v1/participants/\(id)/contacts/\(contactID)", token: token).json
            #expect(read["phone"] as? String == "+31 20 535 4444" && read["available_24x7"] as? Bool == true)
            let removed = try await owner.post("\(page)/contacts/\(contactID)/remove", [:])
            #expect(removed.headers[.location] == "\(page)?notice=contact-removed#contacts")
            #expect(try await api.call(.get, "/api/v1/participants/\(id)/contacts/\(contactID)", token: token).status == 404)

            // Members: the other applicant added as a member, then removed; the last owner stays.
            let member = try await owner.post("\(page)/members", ["email": "other@example.org", "role": "member"])
            #expect(member.headers[.location] == "\(page)?notice=member-saved#members")
            let members = Self.items(try await api.call(.get, "/api/v1/participants/\(id)/members", token: token))
            #expect(Set(members.compactMap { $0["email"] as? String }) == ["applicant@example.org", "other@example.org"])
            let memberGone = try await owner.post("\(page)/members/\(fixture.otherApplicant.user.id.uuidString.lowercased())/remove", [:])
            #expect(memberGone.headers[.location] == "\(page)?notice=member-removed#members")
            let lastOwner = try await owner.post("\(page)/members/\(fixture.applicant.user.id.uuidString.lowercased())/remove", [:])
            #expect(lastOwner.status == 409 && lastOwner.headers[Self.refusal] == "last-owner")
            #expect(lastOwner.text.contains("keeps at least one owner"))
            #expect(Self.items(try await api.call(.get, "/api/v1/participants/\(id)/members", token: token)).count == 1)
        }
    }

    @Test("a refused form shows the page again with the sentence, its codes, and what was typed")
    func refusedFormKeepsInput() async throws {
        try await APIFixture.run { fixture, api in
            let owner = try await Browser(fixture, .applicant, api)
            let page = "/participants/\(fixture.own.id.uuidString.lowercased())"
            let before = try await fixture.rowCounts()
            let contact = try await owner.post(
                "\(page)/contacts", ["role": "abuse", "name": "Abuse desk", "email": "abuse-at-ripe.net", "phone": "call us"])
            #expect(contact.status == 422 && contact.headers[Self.refusal] == "email=invalid_email,phone=invalid_phone")
            #expect(contact.text.contains(#"value="abuse-at-ripe.net""#) && contact.text.contains(#"value="Abuse desk""#))
            #expect(contact.text.contains(#"<option value="abuse" selected>"#))
            let resource = try await owner.post("\(page)/resources", ["kind": "prefix", "value": "10.0.0.0/8"])
            #expect(resource.status == 422 && resource.headers[Self.refusal] == "value=bogon_prefix")
            #expect(resource.text.contains(#"value="10.0.0.0/8""#) && resource.text.contains(#"<option value="prefix" selected>"#))
            #expect(try await fixture.rowCounts() == before)
        }
    }

    @Test("another participant's applicant and an auditor change nothing; the stranger is refused as on the API; a read-only token neither")
    func othersChangeNothing() async throws {
        try await APIFixture.run { fixture, api in
            let id = fixture.own.id.uuidString.lowercased()
            let page = "/participants/\(id)"
            let stranger = try await Browser(fixture, .otherApplicant, api)
            let auditor = try await Browser(fixture, .auditor, api)
            let (_, readOnly) = try await UserStore(database: fixture.db.pool).createToken(
                for: fixture.applicant.user.id, name: "read", scopes: [.read], expiresAt: nil, context: .system(at: Date()))
            let before = try await fixture.rowCounts()

            #expect(try await stranger.get(page).status == 403)
            let apiRefusal = try await api.call(
                .post, "/api/v1/participants/\(id)/contacts", token: fixture.otherApplicant.token, json: #"{"role":"noc","email":"x@example.org"}"#)
            #expect(apiRefusal.status == 403)
            for (path, fields) in [
                ("\(page)/contacts", ["role": "noc", "email": "x@example.org"]), ("\(page)/resources", ["kind": "asn", "value": "AS12654"]),
                ("\(page)/members", ["email": "other@example.org", "role": "owner"]),
                ("\(page)/details", ["legal_name": "Taken", "display_name": "Taken", "country": "GR", "program_netops": "1", "version": "1"]),
            ] {
                let refused = try await stranger.post(path, fields)
                #expect(refused.status == apiRefusal.status && refused.headers[Self.refusal] == "forbidden", "\(path): \(refused.status)")
            }
            // An auditor reads the page without forms, and a form post is refused.
            let read = try await auditor.get(page)
            #expect(read.status == 200 && !read.text.contains("action=\"\(page)/contacts\""))
            let refused = try await auditor.post("\(page)/contacts", ["role": "noc", "email": "x@example.org"])
            #expect(refused.status == 403 && refused.headers[Self.refusal] == "forbidden")
            // A read-only token changes nothing.
            for (path, json) in [
                ("contacts", #"{"role":"noc","email":"x@example.org"}"#), ("resources", #"{"kind":"asn","value":"AS12654"}"#),
                ("members", #"{"email":"other@example.org"}"#),
            ] {
                let response = try await api.call(.post, "/api/v1/participants/\(id)/\(path)", token: readOnly, json: json)
                #expect(response.status == 403, "\(path): \(response.status)")
            }
            #expect(try await fixture.rowCounts() == before)
        }
    }

    @Test("the dashboard links each participant's registry page")
    func dashboardLinks() async throws {
        try await APIFixture.run { fixture, api in
            let owner = try await Browser(fixture, .applicant, api)
            #expect(try await owner.get("/applications").text.contains(#"href="/participants/\#(fixture.own.id.uuidString.lowercased())""#))
        }
    }
}
