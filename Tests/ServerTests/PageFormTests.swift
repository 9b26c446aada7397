import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The page forms after a change: back to the page with a notice of what happened and an anchor
/// where it happened; the applicant can take a commitment back and withdraw from the page.
@Suite("Page forms: notices, anchors, taking back and withdrawing")
struct PageFormTests {
    @Test("commit, take back, comment, withdraw: each a 303 to the application with its notice and anchor, and the change made")
    func applicantForms() async throws {
        try await APIFixture.run { fixture, api in
            let browser = try await PagesTests.cookie(fixture, .applicant)
            let page = "/applications/\(fixture.draft.uuidString.lowercased())"
            let shown = try await api.call(.get, page, headers: browser)
            let csrf = try #require(PagesTests.csrf(in: shown.text))
            func post(_ path: String, _ fields: [String: String]) async throws -> String? {
                let response = try await PagesTests.post(api, path, browser, fields.merging(["csrf": csrf]) { $1 })
                #expect(response.status == 303, "\(path): \(response.status) \(response.text.prefix(200))")
                return response.headers[.location]
            }
            #expect(
                try await post("\(page)/commitments", ["action": "ixp.2", "statement": "Members get help with ROAs."])
                    == "\(page)?notice=commitment-saved#action-ixp.2")
            let token = fixture.applicant.token
            let api1 = try await api.call(.get, "/api/v1/applications/\(fixture.draft.uuidString.lowercased())", token: token)
            #expect((api1.json["commitments"] as? [[String: Any]])?.compactMap { $0["action_code"] as? String }.contains("ixp.2") == true)
            #expect(try await post("\(page)/commitments/ixp.2/remove", [:]) == "\(page)?notice=commitment-removed#action-ixp.2")
            let api2 = try await api.call(.get, "/api/v1/applications/\(fixture.draft.uuidString.lowercased())", token: token)
            #expect((api2.json["commitments"] as? [[String: Any]])?.compactMap { $0["action_code"] as? String }.contains("ixp.2") == false)
            #expect(try await post("\(page)/comments", ["body": "A question for the auditors."]) == "\(page)?notice=comment-added#comments")
            let version = try #require((api2.json["application"] as? [String: Any])?["version"] as? Int)
            #expect(try await post("\(page)/withdraw", ["version": String(version)]) == "\(page)?notice=withdrawn")
            let after = try await api.call(.get, "/api/v1/applications/\(fixture.draft.uuidString.lowercased())", token: token)
            #expect((after.json["application"] as? [String: Any])?["state"] as? String == "withdrawn")
        }
    }

    @Test("the decision form refuses what the API refuses: a request for changes that says nothing is not recorded")
    func decisionForm() async throws {
        try await APIFixture.run { fixture, api in
            let browser = try await PagesTests.cookie(fixture, .auditor)
            let csrf = try #require(PagesTests.csrf(in: try await api.call(.get, "/queue", headers: browser).text))
            let item = fixture.closedItem.uuidString.lowercased()
            let before = try await api.call(
                .get, "/api/v1/applications/\(fixture.approved.uuidString.lowercased())/decisions", token: fixture.admin.token)
            let refused = try await PagesTests.post(
                api, "/review/\(item)/decision", browser, ["csrf": csrf, "decision": "request_changes", "reasons": " "])
            #expect(refused.status == 422 && refused.headers[HTTPField.Name("X-Refusal")!] == "action_comments=required")
            #expect(refused.text.contains("Say what to change"))
            let after = try await api.call(
                .get, "/api/v1/applications/\(fixture.approved.uuidString.lowercased())/decisions", token: fixture.admin.token)
            #expect(after.text == before.text)
        }
    }
}
