import Domain
import Foundation
import HTTPTypes
import Postgres
import Store
import Testing

/// Confirming a re-attestation through the API, with each role: the participant's member
/// confirms once, another participant's member and an auditor may not, anonymous is asked to
/// sign in; the auditors find the item in the queue.
@Suite("Re-attestation over the API")
struct RenewalRoutesTests {
    @Test("the owner confirms the open re-attestation once; another applicant and an auditor are refused, anonymous must sign in")
    func confirmByRole() async throws {
        try await APIFixture.run { fixture, api in
            // Granted 355 days ago: the first re-attestation is due in about ten days, so it is open now.
            let now = Date()
            try await fixture.db.pool.execute(
                "UPDATE certifications SET granted_at = \(now.addingTimeInterval(-355 * 86_400)) WHERE id = \(fixture.certification)")
            #expect(try await RenewalStore(database: fixture.db.pool).run(at: now).opened >= 1)
            _ = try await ReviewKindsTests.item(api, fixture, kind: .reattestation, token: fixture.auditor.token)

            let path = "/api/v1/certifications/\(fixture.certification.uuidString.lowercased())/renewals"
            let body = #"{"kind":"reattestation","statement":"Our filters and ROAs are as at the grant; the evidence stands."}"#
            #expect(try await api.call(.post, path, token: nil, json: body).status == 401)
            #expect(try await api.call(.post, path, token: fixture.otherApplicant.token, json: body).status == 403)
            #expect(try await api.call(.post, path, token: fixture.auditor.token, json: body).status == 403)
            #expect(
                try await api.call(.post, path, token: fixture.applicant.token, json: #"{"kind":"reattestation","statement":"  "}"#).status == 422)
            #expect(try await api.call(.post, path, token: fixture.applicant.token, json: #"{"kind":"dispute","statement":"Yes."}"#).status == 422)
            let unknown = "/api/v1/certifications/\(UUID().uuidString.lowercased())/renewals"
            #expect(try await api.call(.post, unknown, token: fixture.applicant.token, json: body).status == 404)

            let confirmed = try await api.call(.post, path, token: fixture.applicant.token, json: body)
            #expect(confirmed.status == 204, "\(confirmed.text)")
            let again = try await api.call(.post, path, token: fixture.applicant.token, json: body)
            #expect(again.status == 409)
            #expect(again.text.contains("already confirmed"))
        }
    }

    @Test("the member confirms through the enforcement page's form (no script); the form is gone once confirmed; an auditor sees no such form")
    func confirmByForm() async throws {
        try await APIFixture.run { fixture, api in
            let now = Date()
            try await fixture.db.pool.execute(
                "UPDATE certifications SET granted_at = \(now.addingTimeInterval(-355 * 86_400)) WHERE id = \(fixture.certification)")
            _ = try await RenewalStore(database: fixture.db.pool).run(at: now)
            let id = fixture.certification.uuidString.lowercased()
            let member = try await PagesTests.cookie(fixture, .applicant)
            let shown = try await api.call(.get, "/certifications/\(id)/enforcement", headers: member)
            #expect(shown.status == 200)
            #expect(shown.text.contains("Confirm your re-attestation"))
            let auditorPage = try await api.call(.get, "/certifications/\(id)/enforcement", headers: try await PagesTests.cookie(fixture, .auditor))
            #expect(!auditorPage.text.contains("Confirm your re-attestation"))
            let csrf = try #require(PagesTests.csrf(in: shown.text))
            let form = "/certifications/\(id)/renewal"
            let empty = try await PagesTests.post(api, form, member, ["csrf": csrf, "kind": "reattestation", "statement": " "])
            #expect(empty.status == 422)
            let sent = try await PagesTests.post(
                api, form, member, ["csrf": csrf, "kind": "reattestation", "statement": "Nothing changed since the grant."])
            #expect(sent.status == 303)
            let after = try await api.call(.get, "/certifications/\(id)/enforcement", headers: member)
            #expect(!after.text.contains("Confirm your re-attestation"))
        }
    }
}
