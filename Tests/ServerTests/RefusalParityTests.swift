import Foundation
import HTTPTypes
import Hummingbird
import Server
import Store
import TestSupport
import Testing

/// The API and the pages run the same operations: the same bad command gets the same refusal
/// (status, and field codes or problem type) on both, and the page says the API's sentence.
@Suite("Refusals: the API and the pages agree")
struct RefusalParityTests {
    typealias Role = APIFixture.Role

    /// One bad command, as the API and as a page form send it.
    struct Case: Sendable {
        let label: String
        let role: Role
        let method: HTTPRequest.Method
        let apiPath: String
        let json: String?
        var headers: [String: String] = [:]
        let pagePath: String
        let form: [String: String]
        /// `field=code,…` or the problem type's last part.
        let expected: String
    }

    static func cases(_ fixture: APIFixture) -> [Case] {
        let draft = fixture.draft.uuidString.lowercased()
        let item = fixture.closedItem.uuidString.lowercased()
        let api = "/api/v1/applications/\(draft)"
        let page = "/applications/\(draft)"
        let long = String(repeating: "a", count: 20_001)
        return registryCases(fixture) + [
            Case(
                label: "an empty statement for an action that asks for one", role: .applicant, method: .put, apiPath: "\(api)/commitments/ixp.2",
                json: #"{"statement":"  "}"#, pagePath: "\(page)/commitments", form: ["action": "ixp.2", "statement": "  "],
                expected: "statement=required"),
            Case(
                label: "a statement over the limit, not cut short", role: .applicant, method: .put, apiPath: "\(api)/commitments/ixp.2",
                json: #"{"statement":"\#(long)"}"#, pagePath: "\(page)/commitments", form: ["action": "ixp.2", "statement": long],
                expected: "statement=too_long"),
            Case(
                label: "an empty comment", role: .applicant, method: .post, apiPath: "\(api)/comments", json: #"{"body":" "}"#,
                pagePath: "\(page)/comments", form: ["body": " "], expected: "body=required"),
            Case(
                label: "a comment over the limit", role: .applicant, method: .post, apiPath: "\(api)/comments",
                json: #"{"body":"\#(String(long.prefix(10_001)))"}"#, pagePath: "\(page)/comments", form: ["body": String(long.prefix(10_001))],
                expected: "body=too_long"),
            Case(
                label: "a web address that is not http(s)", role: .applicant, method: .post, apiPath: "\(api)/commitments/ixp.2/evidence",
                json: #"{"kind":"url","url":"ftp://example.org/","effective_from":"2026-01-01"}"#, pagePath: "\(page)/evidence-url",
                form: ["action": "ixp.2", "url": "ftp://example.org/", "effective_from": "2026-01-01", "effective_until": ""],
                expected: "url=invalid_url"),
            Case(
                label: "evidence whose end is before its start", role: .applicant, method: .post, apiPath: "\(api)/commitments/ixp.2/evidence",
                json: #"{"kind":"url","url":"https://example.org/","effective_from":"2026-01-01","effective_until":"2025-01-01"}"#,
                pagePath: "\(page)/evidence-url",
                form: ["action": "ixp.2", "url": "https://example.org/", "effective_from": "2026-01-01", "effective_until": "2025-01-01"],
                expected: "effective_until=before_start"),
            Case(
                label: "evidence without a start date", role: .applicant, method: .post, apiPath: "\(api)/commitments/ixp.2/evidence",
                json: #"{"kind":"url","url":"https://example.org/","effective_from":""}"#, pagePath: "\(page)/evidence-url",
                form: ["action": "ixp.2", "url": "https://example.org/", "effective_from": "", "effective_until": ""],
                expected: "effective_from=required"),
            Case(
                label: "a submission of a version that is not current", role: .applicant, method: .post, apiPath: "\(api)/submit", json: nil,
                headers: ["If-Match": "\"999\""], pagePath: "\(page)/submit", form: ["version": "999"], expected: "stale-version"),
            Case(
                label: "a withdrawal of a version that is not current", role: .applicant, method: .post, apiPath: "\(api)/withdraw", json: nil,
                headers: ["If-Match": "\"999\""], pagePath: "\(page)/withdraw", form: ["version": "999"], expected: "stale-version"),
            Case(
                label: "removing a commitment that was never made", role: .applicant, method: .delete, apiPath: "\(api)/commitments/ixp.3",
                json: nil, pagePath: "\(page)/commitments/ixp.3/remove", form: [:], expected: "not-found"),
            Case(
                label: "a comment from someone outside the participant", role: .otherApplicant, method: .post, apiPath: "\(api)/comments",
                json: #"{"body":"Hello"}"#, pagePath: "\(page)/comments", form: ["body": "Hello"], expected: "forbidden"),
            Case(
                label: "a rejection without reasons", role: .auditor, method: .post, apiPath: "/api/v1/review-queue/\(item)/decision",
                json: #"{"decision":"reject"}"#, pagePath: "/review/\(item)/decision", form: ["decision": "reject", "reasons": ""],
                expected: "reasons=required"),
            Case(
                label: "a request for changes that says nothing", role: .auditor, method: .post, apiPath: "/api/v1/review-queue/\(item)/decision",
                json: #"{"decision":"request_changes","action_comments":{"ixp.1":"  "}}"#, pagePath: "/review/\(item)/decision",
                form: ["decision": "request_changes", "comment_ixp.1": "  "], expected: "action_comments=required"),
            Case(
                label: "reasons over the limit, not cut short", role: .auditor, method: .post, apiPath: "/api/v1/review-queue/\(item)/decision",
                json: #"{"decision":"approve","reasons":"\#(long)"}"#, pagePath: "/review/\(item)/decision",
                form: ["decision": "approve", "reasons": long], expected: "reasons=too_long"),
            Case(
                label: "a token without a name", role: .applicant, method: .post, apiPath: "/api/v1/users/me/tokens", json: #"{"name":"  "}"#,
                pagePath: "/account/tokens", form: ["name": "  "], expected: "name=required"),
            Case(
                label: "a new password that is too short", role: .applicant, method: .put, apiPath: "/api/v1/users/me/password",
                json: #"{"current_password":"a long test password","new_password":"short"}"#, pagePath: "/account/password",
                form: ["current": "a long test password", "new": "short"], expected: "new_password=invalid_length"),
            Case(
                label: "claiming a decided item", role: .auditor, method: .post, apiPath: "/api/v1/review-queue/\(item)/claim", json: nil,
                pagePath: "/queue/\(item)/claim", form: [:], expected: "review-closed"),
        ]
    }

    /// The secretariat's commands: accounts, catalogs, resource verification. `resource` is a
    /// verified resource of the own participant.
    static func adminCases(_ fixture: APIFixture, resource: UUID) throws -> [Case] {
        let me = fixture.admin.user.id.uuidString.lowercased()
        let own = fixture.own.id.uuidString.lowercased()
        let verify = "\(own)/\(resource.uuidString.lowercased())"
        let apiVerify = "\(own)/resources/\(resource.uuidString.lowercased())"
        var document = try AdminPagesTests.seedDocument("netops")
        let valid = try AdminPagesTests.json(document)
        var actions = try #require(document["actions"] as? [[String: Any]])
        actions[0]["title"] = ""
        document["actions"] = actions
        let untitled = try AdminPagesTests.json(document)
        actions[0]["title"] = "Filtering"
        actions[0]["colour"] = "red"
        document["actions"] = actions
        let unknown = try AdminPagesTests.json(document)
        return [
            Case(
                label: "disabling one's own account", role: .admin, method: .patch, apiPath: "/api/v1/users/\(me)", json: #"{"disabled":true}"#,
                headers: ["If-Match": "\"1\""], pagePath: "/admin/users/\(me)", form: ["version": "1", "disabled": "true"],
                expected: "self-lockout"),
            Case(
                label: "changing one's own role", role: .admin, method: .patch, apiPath: "/api/v1/users/\(me)", json: #"{"role":"auditor"}"#,
                headers: ["If-Match": "\"1\""], pagePath: "/admin/users/\(me)", form: ["version": "1", "role": "auditor"], expected: "self-lockout"),
            Case(
                label: "an account whose email is not one", role: .admin, method: .post, apiPath: "/api/v1/users",
                json: #"{"email":"nope","display_name":"Nia","role":"auditor"}"#, pagePath: "/admin/users",
                form: ["email": "nope", "display_name": "Nia", "role": "auditor"], expected: "email=invalid_email"),
            Case(
                label: "a second account for an email", role: .admin, method: .post, apiPath: "/api/v1/users",
                json: #"{"email":"AUDITOR@example.org","display_name":"Nia","role":"auditor"}"#, pagePath: "/admin/users",
                form: ["email": "AUDITOR@example.org", "display_name": "Nia", "role": "auditor"], expected: "email-taken"),
            Case(
                label: "a change to a stale version of an account", role: .admin, method: .patch,
                apiPath: "/api/v1/users/\(fixture.auditor.user.id.uuidString.lowercased())", json: #"{"disabled":true}"#,
                headers: ["If-Match": "\"99\""], pagePath: "/admin/users/\(fixture.auditor.user.id.uuidString.lowercased())",
                form: ["version": "99", "disabled": "true"], expected: "stale-version"),
            Case(
                label: "a verification without a reason", role: .admin, method: .post,
                apiPath: "/api/v1/participants/\(apiVerify)/verify", json: #"{"reason":"  "}"#, pagePath: "/admin/resources/\(verify)/verify",
                form: ["reason": "  ", "url": ""], expected: "reason=required"),
            Case(
                label: "a verification whose link is not http(s)", role: .admin, method: .post,
                apiPath: "/api/v1/participants/\(apiVerify)/verify", json: #"{"reason":"RIR","url":"ftp://example.org/"}"#,
                pagePath: "/admin/resources/\(verify)/verify", form: ["reason": "RIR", "url": "ftp://example.org/"], expected: "url=invalid_url"),
            Case(
                label: "verifying a verified resource", role: .admin, method: .post, apiPath: "/api/v1/participants/\(apiVerify)/verify",
                json: #"{"reason":"RIR"}"#, pagePath: "/admin/resources/\(verify)/verify", form: ["reason": "RIR"],
                expected: "resource-verified"),
            Case(
                label: "withdrawing a verification without a reason", role: .admin, method: .post,
                apiPath: "/api/v1/participants/\(apiVerify)/unverify", json: #"{"reason":""}"#, pagePath: "/admin/resources/\(verify)/unverify",
                form: ["reason": ""], expected: "reason=required"),
            Case(
                label: "verification by an auditor", role: .auditor, method: .post, apiPath: "/api/v1/participants/\(apiVerify)/verify",
                json: #"{"reason":"RIR"}"#, pagePath: "/admin/resources/\(verify)/verify", form: ["reason": "RIR"], expected: "forbidden"),
            Case(
                label: "a catalog action without a title", role: .admin, method: .put, apiPath: "/api/v1/programs/netops/versions/1",
                json: #"{"document":\#(untitled)}"#, headers: ["If-Match": "\"1\""], pagePath: "/admin/catalogs/netops/versions/1",
                form: ["row_version": "1", "document": untitled], expected: "document.actions[0].title=invalid_length"),
            Case(
                label: "a catalog document with a field catalogs do not have", role: .admin, method: .put,
                apiPath: "/api/v1/programs/netops/versions/1", json: #"{"document":\#(unknown)}"#, headers: ["If-Match": "\"1\""],
                pagePath: "/admin/catalogs/netops/versions/1", form: ["row_version": "1", "document": unknown],
                expected: "document.actions[0].colour=unknown_field"),
            Case(
                label: "editing a published version", role: .admin, method: .put, apiPath: "/api/v1/programs/netops/versions/1",
                json: #"{"document":\#(valid)}"#, headers: ["If-Match": "\"1\""], pagePath: "/admin/catalogs/netops/versions/1",
                form: ["row_version": "1", "document": valid], expected: "catalog-published"),
            Case(
                label: "publishing a published version", role: .admin, method: .post, apiPath: "/api/v1/programs/netops/versions/1/publish",
                json: nil, headers: ["If-Match": "\"1\""], pagePath: "/admin/catalogs/netops/versions/1/publish", form: ["row_version": "1"],
                expected: "catalog-published"),
        ]
    }

    /// The registry's commands: the participant page's forms against the participants API.
    static func registryCases(_ fixture: APIFixture) -> [Case] {
        let id = fixture.own.id.uuidString.lowercased()
        let api = "/api/v1/participants/\(id)"
        let page = "/participants/\(id)"
        let details = [
            "legal_name": "Reseaux IP Europeens NCC", "display_name": "RIPE NCC", "country": "NL", "website": "https://www.ripe.net",
            "program_netops": "1", "program_ixp": "1", "version": "999",
        ]
        let stale: [String: String] = ["If-Match": "\"999\""]
        return [
            Case(
                label: "a country that is not an ISO code", role: .applicant, method: .patch, apiPath: api, json: #"{"country":"XX"}"#,
                headers: stale, pagePath: "\(page)/details", form: details.merging(["country": "XX"]) { $1 }, expected: "country=invalid_country"),
            Case(
                label: "a website that is not http(s)", role: .applicant, method: .patch, apiPath: api, json: #"{"website":"javascript:alert(1)"}"#,
                headers: stale, pagePath: "\(page)/details", form: details.merging(["website": "javascript:alert(1)"]) { $1 },
                expected: "website=invalid_url"),
            Case(
                label: "an empty legal name", role: .applicant, method: .patch, apiPath: api, json: #"{"legal_name":"  "}"#, headers: stale,
                pagePath: "\(page)/details", form: details.merging(["legal_name": "  "]) { $1 }, expected: "legal_name=required"),
            Case(
                label: "no program", role: .applicant, method: .patch, apiPath: api, json: #"{"programs":[]}"#, headers: stale,
                pagePath: "\(page)/details", form: details.filter { !$0.key.hasPrefix("program_") }, expected: "programs=required"),
            Case(
                label: "details changed since the form was shown", role: .applicant, method: .patch, apiPath: api,
                json: #"{"display_name":"RIPE"}"#, headers: stale, pagePath: "\(page)/details", form: details, expected: "stale-version"),
            Case(
                label: "a status change by an applicant", role: .applicant, method: .patch, apiPath: api, json: #"{"status":"inactive"}"#,
                headers: stale, pagePath: "\(page)/details", form: details.merging(["status": "inactive"]) { $1 }, expected: "forbidden"),
            Case(
                label: "a bogon prefix", role: .applicant, method: .post, apiPath: "\(api)/resources",
                json: #"{"kind":"prefix","value":"10.0.0.0/8"}"#,
                pagePath: "\(page)/resources", form: ["kind": "prefix", "value": "10.0.0.0/8"], expected: "value=bogon_prefix"),
            Case(
                label: "a prefix with host bits", role: .applicant, method: .post, apiPath: "\(api)/resources",
                json: #"{"kind":"prefix","value":"193.0.8.1/22"}"#, pagePath: "\(page)/resources", form: ["kind": "prefix", "value": "193.0.8.1/22"],
                expected: "value=host_bits_set"),
            Case(
                label: "a resource the participant already claims", role: .applicant, method: .post, apiPath: "\(api)/resources",
                json: #"{"kind":"asn","value":"AS3333"}"#, pagePath: "\(page)/resources", form: ["kind": "asn", "value": "3333"],
                expected: "resource-claimed"),
            Case(
                label: "a contact whose email is not one", role: .applicant, method: .post, apiPath: "\(api)/contacts",
                json: #"{"role":"noc","email":"noc-at-ripe.net"}"#, pagePath: "\(page)/contacts", form: ["role": "noc", "email": "noc-at-ripe.net"],
                expected: "email=invalid_email"),
            Case(
                label: "a contact whose phone is not one", role: .applicant, method: .post, apiPath: "\(api)/contacts",
                json: #"{"role":"noc","email":"noc@ripe.net","phone":"call us"}"#, pagePath: "\(page)/contacts",
                form: ["role": "noc", "email": "noc@ripe.net", "phone": "call us"], expected: "phone=invalid_phone"),
            Case(
                label: "a contact for another participant", role: .otherApplicant, method: .post, apiPath: "\(api)/contacts",
                json: #"{"role":"noc","email":"noc@example.org"}"#, pagePath: "\(page)/contacts", form: ["role": "noc", "email": "noc@example.org"],
                expected: "forbidden"),
            Case(
                label: "a member whose email is not one", role: .applicant, method: .post, apiPath: "\(api)/members", json: #"{"email":"someone"}"#,
                pagePath: "\(page)/members", form: ["email": "someone", "role": "member"], expected: "email=invalid_email"),
            Case(
                label: "the last owner leaving", role: .applicant, method: .delete,
                apiPath: "\(api)/members/\(fixture.applicant.user.id.uuidString.lowercased())", json: nil,
                pagePath: "\(page)/members/\(fixture.applicant.user.id.uuidString.lowercased())/remove", form: [:], expected: "last-owner"),
        ]
    }

    /// The codes of an API problem, as the page's `X-Refusal` header gives them.
    static func codes(_ response: APIResponse) -> String {
        if let errors = response.json["errors"] as? [[String: Any]] {
            return errors.map { "\($0["field"] as? String ?? "")=\($0["code"] as? String ?? "")" }.joined(separator: ",")
        }
        return String((response.problemType ?? "").split(separator: "/").last ?? "")
    }

    /// The page's text with the escapes Mustache writes turned back into characters.
    static func unescaped(_ html: String) -> String {
        var text = html
        for (entity, character) in [("&#39;", "'"), ("&#x27;", "'"), ("&quot;", "\""), ("&lt;", "<"), ("&gt;", ">"), ("&#x2F;", "/"), ("&amp;", "&")]
        {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    @Test("every refusal of a command with a page form: the same status and codes through the API and the page, and the same sentence")
    func sameRefusalOnBoth() async throws {
        try await APIFixture.run { fixture, api in
            let resource = try #require(try await ParticipantStore(database: fixture.db.pool).resources(of: fixture.own.id).first).id
            for test in Self.cases(fixture) + (try Self.adminCases(fixture, resource: resource)) {
                let token = try #require(fixture.token(test.role))
                let viaAPI = try await api.call(test.method, test.apiPath, token: token, json: test.json, headers: test.headers)
                #expect(Self.codes(viaAPI) == test.expected, "API, \(test.label): \(viaAPI.status) \(viaAPI.text.prefix(300))")

                let browser = try await PagesTests.cookie(fixture, test.role)
                let shown = try await api.call(.get, test.role == .auditor ? "/queue" : "/applications", headers: browser)
                let csrf = try #require(PagesTests.csrf(in: shown.text), "\(test.label): no form to take the CSRF token from")
                let response = try await PagesTests.post(api, test.pagePath, browser, test.form.merging(["csrf": csrf]) { $1 })
                #expect(response.headers[HTTPField.Name("X-Refusal")!] == test.expected, "page, \(test.label): \(response.status)")
                #expect(response.status == viaAPI.status, "\(test.label): API \(viaAPI.status), page \(response.status)")
                #expect(response.headers[.contentType] == "text/html; charset=utf-8", "\(test.label)")
                let sentence =
                    (viaAPI.json["errors"] as? [[String: Any]])?.compactMap { $0["message"] as? String }.joined(separator: " ")
                    ?? (viaAPI.json["detail"] as? String ?? "")
                #expect(Self.unescaped(response.text).contains(sentence), "\(test.label): the page does not say “\(sentence)”")
            }
        }
    }
}
