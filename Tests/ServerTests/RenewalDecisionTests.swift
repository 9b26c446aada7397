import Canonical
import Credentials
import Domain
import Foundation
import HTTPTypes
import Postgres
import Server
import Store
import Testing

/// The auditors' decisions on renewals over the API and the pages, against the real PostgreSQL:
/// nothing is decided before the participant confirms; a recertification accepted by two
/// auditors extends validity from the old end and gives the mark a new credential under the
/// same id and status entry, which verifies, while the old one still does; the participant is
/// told each decision.
@Suite("Renewal decisions")
struct RenewalDecisionTests {
    /// The fixture's certification made MANRS+ and ending in 30 days (whole seconds, as stored),
    /// with its recertification opened by the `renewals` job; returns the old end.
    static func recertificationOpen(_ fixture: APIFixture) async throws -> Date {
        let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 30 * 86_400).rounded(.down))
        let granted = try #require(RenewalRules.adding(months: -36, to: end))
        try await fixture.db.pool.execute(
            "UPDATE certifications SET tier = 'plus', granted_at = \(granted), valid_until = \(end) WHERE id = \(fixture.certification)")
        let summary = try await RenewalStore(database: fixture.db.pool).run(at: Date())
        // Both yearly re-attestations fell before the recertification opened: only it opens.
        #expect(summary.opened == 1)
        return end
    }

    /// A token for the auditor who approved the fixture's application (the second auditor).
    static func secondAuditorToken(_ fixture: APIFixture) async throws -> String {
        let id = try await fixture.db.pool.query("SELECT id FROM users WHERE email = 'second-auditor@example.org'")[0].decode(0, as: UUID.self)
        return try await UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4)).createToken(
            for: id, name: "second", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date())
        ).1
    }

    static func credentials(_ fixture: APIFixture) async throws -> [(document: JSONValue, index: Int, renews: UUID?, id: UUID)] {
        try await fixture.db.pool.query(
            "SELECT id, document, status_index, renews FROM mark_credentials WHERE certification_id = \(fixture.certification) ORDER BY issued_at"
        ).map {
            (
                try $0.decode("document", as: JSONB<JSONValue>.self).value, try $0.decode("status_index"), try $0.decode("renews"),
                try $0.decode("id")
            )
        }
    }

    @Test(
        "a recertification: refused before the member confirms (409 renewal-not-confirmed); confirmed and approved by two auditors, validity runs on from the old end, the same mark gets a new credential that verifies, the old one still verifies"
    )
    func recertificationRenews() async throws {
        try await APIFixture.run { fixture, api in
            let end = try await Self.recertificationOpen(fixture)
            let item = try await ReviewKindsTests.item(api, fixture, kind: .recertification, token: fixture.auditor.token)
            let decision = "/api/v1/review-queue/\(item)/decision"
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token).status == 200)
            let early = try await api.call(.post, decision, token: fixture.auditor.token, json: #"{"decision":"approve"}"#)
            #expect(early.status == 409, "\(early.text)")
            #expect((early.json["type"] as? String)?.hasSuffix("/renewal-not-confirmed") == true, "\(early.text)")
            #expect((early.json["detail"] as? String)?.contains("has not confirmed this recertification") == true)

            let confirm = "/api/v1/certifications/\(fixture.certification.uuidString.lowercased())/renewals"
            let confirmed = try await api.call(
                .post, confirm, token: fixture.applicant.token,
                json: #"{"kind":"recertification","statement":"Our commitments and evidence stand; the 2026 ROA audit is attached."}"#)
            #expect(confirmed.status == 204, "\(confirmed.text)")
            let mark = try #require(
                try await fixture.db.pool.query("SELECT mark_id FROM certifications WHERE id = \(fixture.certification)")[0].decode(
                    0, as: String?.self))
            let old = try await api.call(.get, "/api/v1/marks/\(mark)/credential")
            #expect(old.status == 200)

            // MANRS+: the first approval waits for a second, independent auditor.
            let first = try await api.call(.post, decision, token: fixture.auditor.token, json: #"{"decision":"approve"}"#)
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json["status"] as? String == "awaiting_second")
            #expect(
                try await fixture.db.pool.query("SELECT valid_until FROM certifications WHERE id = \(fixture.certification)")[0].decode(
                    0, as: Date.self) == end)
            let second = try await Self.secondAuditorToken(fixture)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: second).status == 200)
            let final = try await api.call(.post, decision, token: second, json: #"{"decision":"approve","reasons":"Evidence current."}"#)
            #expect(final.status == 200, "\(final.text)")
            #expect(final.json["status"] as? String == "closed")

            // 36 months from the old end, not from the decision.
            let renewed = try #require(RenewalRules.adding(months: 36, to: end))
            let certification = try await api.call(
                .get, "/api/v1/certifications/\(fixture.certification.uuidString.lowercased())", token: fixture.applicant.token)
            #expect(certification.status == 200)
            #expect(
                try await fixture.db.pool.query("SELECT valid_until FROM certifications WHERE id = \(fixture.certification)")[0].decode(
                    0, as: Date.self) == renewed)

            // The same mark, a new credential at the same status entry, naming the one it renews.
            let credentials = try await Self.credentials(fixture)
            #expect(credentials.count == 2)
            #expect(credentials[1].index == credentials[0].index && credentials[1].renews == credentials[0].id && credentials[0].renews == nil)
            let (current, did, lists) = try await MarkAPITests.published(api, mark: mark)
            #expect(current == credentials[1].document)
            guard case .object(let fields) = current else { Issue.record("not an object"); return }
            #expect(fields["validUntil"] == .string(renewed.formatted(.iso8601)))
            let verified = try MarkVerifier.verify(current, didDocument: did, at: Date().addingTimeInterval(1), statusLists: lists).get()
            #expect(verified.scope.mark.text == mark)
            // The old credential verifies too, until its own end.
            let oldDocument = try JSONDecoder().decode(JSONValue.self, from: old.body)
            #expect(oldDocument == credentials[0].document)
            #expect(MarkVerifier.verify(oldDocument, didDocument: did, at: Date().addingTimeInterval(1), statusLists: lists).failure == nil)

            // Told: the participant (with the new end), and the audit trail.
            let told = try await fixture.db.pool.query(
                """
                SELECT payload->'data'->>'summary', payload->'data'->>'deadline' FROM outbox
                WHERE event_kind = 'certification.renewal_decided' AND email = 'applicant@example.org'
                """)
            #expect(told.count == 1)
            #expect(try told.first?.decode(0, as: String.self).contains("valid until") == true)
            #expect(try told.first?.decode(1, as: String.self) == renewed.formatted(.iso8601))
            let audited = try await fixture.db.pool.query(
                "SELECT action FROM audit_events WHERE action IN ('renewal.confirmed', 'renewal.decided', 'certification.renewed') ORDER BY id"
            ).map { try $0.decode(0, as: String.self) }
            #expect(audited == ["renewal.confirmed", "renewal.decided", "certification.renewed"])
            // Nothing is left to confirm, and no re-attestation opens at the new cycle's start.
            #expect(try await RenewalStore(database: fixture.db.pool).open(certification: fixture.certification, at: Date()).isEmpty)
        }
    }

    @Test("the page form refuses a decision before the member confirms, with the API's code; a rejected recertification lets validity end")
    func pageRefusalAndRejection() async throws {
        try await APIFixture.run { fixture, api in
            let end = try await Self.recertificationOpen(fixture)
            let item = try await ReviewKindsTests.item(api, fixture, kind: .recertification, token: fixture.auditor.token)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token).status == 200)
            let browser = try await PagesTests.cookie(fixture, .auditor)
            let page = try await api.call(.get, "/review/\(item)", headers: browser)
            #expect(page.status == 200)
            // The page says why there is nothing to decide yet, and shows no decision form.
            #expect(page.text.contains("has not confirmed this recertification yet"))
            #expect(!page.text.contains("decision-form"))
            let refused = try await PagesTests.post(
                api, "/review/\(item)/decision", browser,
                ["csrf": try #require(PagesTests.csrf(in: page.text)), "decision": "reject", "reasons": "No evidence."])
            #expect(refused.status == 409)
            #expect(refused.headers[HTTPField.Name("X-Refusal")!] == "renewal-not-confirmed")
            #expect(refused.text.contains("has not confirmed this recertification"))

            try await ReviewStore(database: fixture.db.pool).confirmRenewal(
                .recertification, certification: fixture.certification, statement: "As before.",
                context: ChangeContext(
                    actor: try await UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4)).actor(for: fixture.applicant.user.id),
                    requestID: nil, at: Date()))
            // Keeping the mark takes two approvals; refusing it takes one.
            let rejected = try await api.call(
                .post, "/api/v1/review-queue/\(item)/decision", token: fixture.auditor.token,
                json: #"{"decision":"reject","reasons":"The 2026 evidence is missing."}"#)
            #expect(rejected.status == 200, "\(rejected.text)")
            #expect(rejected.json["status"] as? String == "closed")
            #expect(
                try await fixture.db.pool.query("SELECT valid_until FROM certifications WHERE id = \(fixture.certification)")[0].decode(
                    0, as: Date.self) == end)
            #expect(try await Self.credentials(fixture).count == 1)
            let summary = try await fixture.db.pool.query(
                "SELECT payload->'data'->>'summary' FROM outbox WHERE event_kind = 'certification.renewal_decided' AND email = 'applicant@example.org'"
            ).map { try $0.decode(0, as: String.self) }
            #expect(summary.count == 1 && summary[0].contains("rejected your recertification"))
        }
    }
}
