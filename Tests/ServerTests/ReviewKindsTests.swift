import Domain
import Foundation
import HTTPTypes
import Postgres
import Store
import Testing

/// Review items beyond applications, against a real PostgreSQL through the API: a dispute that
/// undoes a warning, enforcement tasks opened once, reinstatement, and appeals decided only by
/// auditors who took no part in what is appealed.
@Suite("Disputes, appeals and enforcement reviews")
struct ReviewKindsTests {
    /// A check result written as the check runner writes it (results are immutable rows).
    static func result(_ fixture: APIFixture, verdict: CheckVerdict, at: Date) async throws -> UUID {
        try await fixture.db.pool.query(
            """
            INSERT INTO check_results (certification_id, action_code, check_definition, metric_value, verdict, explanation, snapshot_ids, measured_at)
            VALUES (\(fixture.certification), 'netops.4', '{"kind":"rpki_coverage","min":0.9,"basis":"assumed"}'::jsonb, 0.42, \(verdict.rawValue),
                    '42 % of the prefixes are covered by a ROA for one of the ASNs; at least 90 % are needed.', '{1,2}', \(at))
            RETURNING id
            """)[0].decode(0, as: UUID.self)
    }

    static func plus(_ fixture: APIFixture) async throws {
        try await fixture.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(fixture.certification)")
    }

    static func status(_ fixture: APIFixture) async throws -> CertificationStatus {
        try await CertificationStore(database: fixture.db.pool).certification(fixture.certification).status
    }

    static func item(_ api: APIClient, _ fixture: APIFixture, kind: ReviewKind, token: String) async throws -> String {
        let queue = try await api.call(.get, "/api/v1/review-queue?kind=\(kind.rawValue)", token: token)
        #expect(queue.status == 200)
        let items = queue.json["items"] as? [[String: Any]] ?? []
        #expect(items.allSatisfy { $0["kind"] as? String == kind.rawValue })
        return try #require(items.first?["id"] as? String)
    }

    @Test(
        "a member disputes a failed result that warned the certification; an auditor accepts it: the result is voided, the warning undone, everyone told"
    )
    func disputeUndoesWarning() async throws {
        try await APIFixture.run { fixture, api in
            try await Self.plus(fixture)
            let measured = Date().addingTimeInterval(-2 * 86_400)
            let failed = try await Self.result(fixture, verdict: .fail, at: measured)
            _ = try await EnforcementStore(database: fixture.db.pool).apply(
                .checkFailed(results: [failed]), to: fixture.certification, by: .scheduler, context: .system(at: measured))
            #expect(try await Self.status(fixture) == .warned)

            let own = fixture.own.id.uuidString.lowercased()
            let path = "/api/v1/participants/\(own)/results/\(failed.uuidString.lowercased())/disputes"
            // Another participant's owner cannot; an empty reason is refused.
            #expect(try await api.call(.post, path, token: fixture.otherApplicant.token, json: #"{"reason":"No."}"#).status == 403)
            #expect(try await api.call(.post, path, token: fixture.applicant.token, json: #"{"reason":"   "}"#).status == 422)
            let opened = try await api.call(
                .post, path, token: fixture.applicant.token,
                json: #"{"reason":"Our ROAs for 193.0.0.0/21 were published a week before this snapshot; the VRPs used are stale."}"#)
            #expect(opened.status == 201, "\(opened.text)")
            #expect(opened.json["status"] as? String == "open")
            let again = try await api.call(.post, path, token: fixture.applicant.token, json: #"{"reason":"Again."}"#)
            #expect(again.status == 409)
            // The auditors are told of the new item (the application's submission told them of that one before).
            let told = try await fixture.db.pool.query(
                """
                SELECT count(*) FROM outbox WHERE event_kind = 'review.item_opened' AND email = 'auditor@example.org'
                  AND payload->'data'->>'summary' LIKE '%dispute of a check result%'
                """)[0].decode(0, as: Int.self)
            #expect(told == 1)

            // The queue lists it with its subject in words, filtered by kind.
            let item = try await Self.item(api, fixture, kind: .dispute, token: fixture.auditor.token)
            let shown = try await api.call(.get, "/api/v1/review-queue/\(item)", token: fixture.auditor.token)
            #expect((shown.json["subject"] as? String)?.contains("Dispute of the failed check rpki_coverage on netops.4") == true)
            // The participant's member cannot take it.
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.applicant.token).status == 403)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token).status == 200)
            // Request changes means nothing for a dispute; accepting needs reasons.
            let decision = "/api/v1/review-queue/\(item)/decision"
            #expect(try await api.call(.post, decision, token: fixture.auditor.token, json: #"{"decision":"approve"}"#).status == 422)
            let accepted = try await api.call(
                .post, decision, token: fixture.auditor.token,
                json: #"{"decision":"approve","reasons":"The VRP snapshot predates the ROAs: a false positive."}"#)
            #expect(accepted.status == 200, "\(accepted.text)")
            #expect(accepted.json["status"] as? String == "closed")

            #expect(try await Self.status(fixture) == .active)
            let voids = try await ReviewStore(database: fixture.db.pool).voids(of: [failed])
            #expect(voids[failed]?.reason == "The VRP snapshot predates the ROAs: a false positive.")
            let causes = try await fixture.db.pool.query(
                "SELECT cause FROM enforcement_transitions WHERE certification_id = \(fixture.certification) ORDER BY at"
            ).map { try $0.decode(0, as: String.self) }
            #expect(causes == ["check_failed", "dispute_accepted"])
            let notices = try await fixture.db.pool.query(
                "SELECT count(*) FROM outbox WHERE event_kind = 'dispute.accepted' AND email = 'applicant@example.org'")[0].decode(0, as: Int.self)
            #expect(notices == 1)
            // Told once: the review's outcome, not also the enforcement notice of the same change.
            let summary = try await fixture.db.pool.query(
                "SELECT payload->'data'->>'summary' FROM outbox WHERE event_kind LIKE '%dispute%' AND email = 'applicant@example.org'"
            ).map { try $0.decode(0, as: String.self) }
            #expect(
                summary == [
                    "The auditors accepted your dispute: the result is void, and the warned status it caused is undone. Your certification's status is now active."
                ])
            let audited = try await fixture.db.pool.query(
                """
                SELECT action FROM audit_events
                WHERE action IN ('review.dispute_opened', 'review.decided', 'check_result.voided', 'certification.active') ORDER BY id
                """
            ).map { try $0.decode(0, as: String.self) }
            #expect(audited.suffix(4) == ["review.dispute_opened", "review.decided", "check_result.voided", "certification.active"])

            let listed = try await api.call(.get, "/api/v1/participants/\(own)/disputes", token: fixture.applicant.token)
            let first = (listed.json["items"] as? [[String: Any]])?.first
            #expect(first?["status"] as? String == "accepted")
            // A voided result cannot be disputed again; a passing one never.
            #expect(try await api.call(.post, path, token: fixture.applicant.token, json: #"{"reason":"Again."}"#).status == 409)
            let passing = try await Self.result(fixture, verdict: .pass, at: measured)
            let refused = try await api.call(
                .post, "/api/v1/participants/\(own)/results/\(passing.uuidString.lowercased())/disputes", token: fixture.applicant.token,
                json: #"{"reason":"Why not."}"#)
            #expect(refused.status == 409)
            #expect((refused.json["detail"] as? String)?.contains("Only a failed check result can be disputed") == true)
        }
    }

    @Test("a rejected dispute leaves the result and the warning; the participant is told")
    func disputeRejected() async throws {
        try await APIFixture.run { fixture, api in
            try await Self.plus(fixture)
            let measured = Date().addingTimeInterval(-86_400)
            let failed = try await Self.result(fixture, verdict: .fail, at: measured)
            _ = try await EnforcementStore(database: fixture.db.pool).apply(
                .checkFailed(results: [failed]), to: fixture.certification, by: .scheduler, context: .system(at: measured))
            let own = fixture.own.id.uuidString.lowercased()
            #expect(
                try await api.call(
                    .post, "/api/v1/participants/\(own)/results/\(failed.uuidString.lowercased())/disputes", token: fixture.applicant.token,
                    json: #"{"reason":"We think it is wrong."}"#
                ).status == 201)
            let item = try await Self.item(api, fixture, kind: .dispute, token: fixture.auditor.token)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token).status == 200)
            let rejected = try await api.call(
                .post, "/api/v1/review-queue/\(item)/decision", token: fixture.auditor.token,
                json: #"{"decision":"reject","reasons":"The ROAs were missing in three independent VRP sets."}"#)
            #expect(rejected.status == 200)
            #expect(try await Self.status(fixture) == .warned)
            #expect(try await ReviewStore(database: fixture.db.pool).voids(of: [failed]).isEmpty)
            let notices = try await fixture.db.pool.query(
                "SELECT count(*) FROM outbox WHERE event_kind = 'dispute.rejected' AND email = 'applicant@example.org'")[0].decode(0, as: Int.self)
            #expect(notices == 1)
        }
    }

    @Test(
        "enforcement tasks open once per certification and kind; a finding warns; an appeal is decided only by an auditor who took no part; a reinstatement reinstates"
    )
    func tasksAppealsReinstatement() async throws {
        try await APIFixture.run { fixture, api in
            try await Self.plus(fixture)
            let pool = fixture.db.pool
            let at = Date().addingTimeInterval(-3 * 86_400)
            let opened = try await pool.transaction { connection in
                let first = try await EnforcementAuditorTasks.open(
                    .insufficientData, certification: fixture.certification, participant: fixture.own.id, context: .system(at: at), on: connection)
                let second = try await EnforcementAuditorTasks.open(
                    .insufficientData, certification: fixture.certification, participant: fixture.own.id, context: .system(at: at), on: connection)
                return (first, second)
            }
            #expect(opened.0 != nil && opened.1 == nil)
            // The auditor finds the participant not conforming: a warning, decided by this auditor.
            let task = try await Self.item(api, fixture, kind: .insufficientData, token: fixture.auditor.token)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(task)/claim", token: fixture.auditor.token).status == 200)
            let finding = try await api.call(
                .post, "/api/v1/review-queue/\(task)/decision", token: fixture.auditor.token,
                json: #"{"decision":"reject","reasons":"No routes seen for two months and no answer from the NOC."}"#)
            #expect(finding.status == 200, "\(finding.text)")
            #expect(try await Self.status(fixture) == .warned)

            // The participant appeals; the auditor who warned may not decide it.
            let certification = fixture.certification.uuidString.lowercased()
            let appeal = try await api.call(
                .post, "/api/v1/certifications/\(certification)/appeals", token: fixture.applicant.token,
                json: #"{"reason":"Our routes are announced through our upstream AS3333; see the looking glass."}"#)
            #expect(appeal.status == 201, "\(appeal.text)")
            #expect(appeal.json["kind"] as? String == "appeal")
            let appealItem = try #require(appeal.json["id"] as? String)
            let refused = try await api.call(.post, "/api/v1/review-queue/\(appealItem)/claim", token: fixture.auditor.token)
            #expect(refused.status == 403)
            #expect(refused.json["detail"] as? String == "An appeal is decided by auditors who took no part in what is appealed.")
            // The timers stand still while it is open.
            let held = try await pool.query("SELECT appeal_opened_at FROM certifications WHERE id = \(fixture.certification)")[0]
            #expect(try held.decode(0, as: Date?.self) != nil)

            let users = UserStore(database: pool, passwords: Passwords(cost: 4))
            let other = try await users.create(
                email: "third-auditor@example.org", displayName: "Third auditor", role: .auditor, password: "a long test password",
                context: .system(at: Date()))
            let (_, token) = try await users.createToken(
                for: other.id, name: "t", scopes: [.read, .write], expiresAt: nil, context: .system(at: Date()))
            #expect(try await api.call(.post, "/api/v1/review-queue/\(appealItem)/claim", token: token).status == 200)
            let granted = try await api.call(
                .post, "/api/v1/review-queue/\(appealItem)/decision", token: token,
                json: #"{"decision":"approve","reasons":"The routes are visible through AS3333; the finding does not hold."}"#)
            #expect(granted.status == 200, "\(granted.text)")
            #expect(try await Self.status(fixture) == .active)

            // Suspended by an admin's override (with its reason), then passing checks: the
            // reinstatement item is decided by an auditor.
            #expect(
                try await api.call(
                    .post, "/api/v1/certifications/\(certification)/override", token: fixture.admin.token,
                    json: #"{"status":"suspended","reason":""}"#
                ).status == 422)
            let overridden = try await api.call(
                .post, "/api/v1/certifications/\(certification)/override", token: fixture.admin.token,
                json: #"{"status":"suspended","reason":"Hijack reported by two transit providers; under investigation."}"#)
            #expect(overridden.status == 200, "\(overridden.text)")
            #expect(try await Self.status(fixture) == .suspended)
            _ = try await Self.result(fixture, verdict: .pass, at: Date().addingTimeInterval(-60))
            _ = try await EnforcementStore(database: pool).apply(
                .checksPassed(results: []), to: fixture.certification, by: .scheduler, context: .system(at: Date().addingTimeInterval(-30)))
            let reinstatement = try await Self.item(api, fixture, kind: .reinstatement, token: fixture.auditor.token)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(reinstatement)/claim", token: fixture.auditor.token).status == 200)
            let reinstated = try await api.call(
                .post, "/api/v1/review-queue/\(reinstatement)/decision", token: fixture.auditor.token,
                json: #"{"decision":"approve","reasons":"The checks pass again and the hijack was a leak by a customer, now filtered."}"#)
            #expect(reinstated.status == 200, "\(reinstated.text)")
            #expect(try await Self.status(fixture) == .active)
        }
    }

    @Test(
        "the dispute page shows the result and its form; the form opens the dispute as the API does and refuses alike; the auditor's page and queue show it in words"
    )
    func disputePages() async throws {
        try await APIFixture.run { fixture, api in
            let failed = try await Self.result(fixture, verdict: .fail, at: Date().addingTimeInterval(-86_400))
            let page = "/participants/\(fixture.own.id.uuidString.lowercased())/results/\(failed.uuidString.lowercased())/dispute"
            let member = try await PagesTests.cookie(fixture, .applicant)
            let shown = try await api.call(.get, page, headers: member)
            #expect(shown.status == 200)
            #expect(shown.text.contains("42 % of the prefixes are covered") && shown.text.contains("Send the dispute"))
            #expect(try await api.call(.get, page, headers: try await PagesTests.cookie(fixture, .otherApplicant)).status == 403)
            let csrf = try #require(PagesTests.csrf(in: shown.text))
            let empty = try await PagesTests.post(api, page, member, ["csrf": csrf, "reason": " "])
            #expect(empty.status == 422)
            #expect(empty.headers[HTTPField.Name("X-Refusal")!] == "reason=required")
            let sent = try await PagesTests.post(api, page, member, ["csrf": csrf, "reason": "The VRPs are a day older than our ROAs."])
            #expect(sent.status == 303)
            let after = try await api.call(.get, page, headers: member)
            #expect(after.text.contains("The VRPs are a day older than our ROAs.") && !after.text.contains("Send the dispute"))

            let auditor = try await PagesTests.cookie(fixture, .auditor)
            let queue = try await api.call(.get, "/queue?kind=dispute", headers: auditor)
            #expect(queue.status == 200)
            #expect(queue.text.contains("dispute of a check result") && queue.text.contains("Dispute of the failed check rpki_coverage"))
            let item = try await Self.item(api, fixture, kind: .dispute, token: fixture.auditor.token)
            #expect(try await api.call(.post, "/api/v1/review-queue/\(item)/claim", token: fixture.auditor.token).status == 200)
            let review = try await api.call(.get, "/review/\(item)", headers: auditor)
            #expect(review.status == 200)
            #expect(review.text.contains("The VRPs are a day older than our ROAs.") && review.text.contains("accept the dispute"))
        }
    }

    @Test(
        "the certification's enforcement page: an admin overrides only with a reason, an auditor revokes a suspended certification for cause, a member appeals, each as the API does"
    )
    func enforcementPages() async throws {
        try await APIFixture.run { fixture, api in
            let page = "/certifications/\(fixture.certification.uuidString.lowercased())/enforcement"
            let admin = try await PagesTests.cookie(fixture, .admin)
            let shown = try await api.call(.get, page, headers: admin)
            #expect(shown.status == 200)
            #expect(shown.text.contains("Set the status") && !shown.text.contains("Send the appeal"))
            #expect(try await api.call(.get, page, headers: try await PagesTests.cookie(fixture, .otherApplicant)).status == 403)
            let csrf = try #require(PagesTests.csrf(in: shown.text))
            let override = "/certifications/\(fixture.certification.uuidString.lowercased())/override"
            let empty = try await PagesTests.post(api, override, admin, ["csrf": csrf, "status": "suspended", "reason": " "])
            #expect(empty.status == 422)
            #expect(empty.headers[HTTPField.Name("X-Refusal")!] == "reason=required")
            #expect(try await Self.status(fixture) == .active)
            let set = try await PagesTests.post(
                api, override, admin, ["csrf": csrf, "status": "suspended", "reason": "Hijack reported by two transit providers."])
            #expect(set.status == 303)
            #expect(try await Self.status(fixture) == .suspended)

            // The member may not revoke; the auditor may, with a cause.
            let member = try await PagesTests.cookie(fixture, .applicant)
            let memberPage = try await api.call(.get, page, headers: member)
            #expect(memberPage.text.contains("Send the appeal") && !memberPage.text.contains("Revoke the certification"))
            let memberCSRF = try #require(PagesTests.csrf(in: memberPage.text))
            let revocation = "/certifications/\(fixture.certification.uuidString.lowercased())/revocation"
            #expect(try await PagesTests.post(api, revocation, member, ["csrf": memberCSRF, "reason": "No."]).status == 403)
            let auditor = try await PagesTests.cookie(fixture, .auditor)
            let auditorPage = try await api.call(.get, page, headers: auditor)
            #expect(auditorPage.text.contains("Revoke the certification"))
            let auditorCSRF = try #require(PagesTests.csrf(in: auditorPage.text))
            let revoked = try await PagesTests.post(
                api, revocation, auditor, ["csrf": auditorCSRF, "reason": "The hijack was confirmed by the RIR."])
            #expect(revoked.status == 303)
            #expect(try await Self.status(fixture) == .revoked)

            // The member appeals against the revocation through the form: an appeal item.
            let appeal = "/certifications/\(fixture.certification.uuidString.lowercased())/appeal"
            let sent = try await PagesTests.post(
                api, appeal, member, ["csrf": memberCSRF, "reason": "The announcement was a customer's leak, now filtered."])
            #expect(sent.status == 303)
            _ = try await Self.item(api, fixture, kind: .appeal, token: fixture.auditor.token)
        }
    }

    @Test("a withdrawn certification leaves nothing to decide in the queue: its open enforcement task closes, with an audit event")
    func withdrawalClosesMootItems() async throws {
        try await APIFixture.run { fixture, api in
            try await Self.plus(fixture)
            let pool = fixture.db.pool
            let at = Date().addingTimeInterval(-3 * 86_400)
            let task = try await pool.transaction { connection in
                try await EnforcementAuditorTasks.open(
                    .insufficientData, certification: fixture.certification, participant: fixture.own.id, context: .system(at: at), on: connection)
            }
            let item = try #require(task)
            _ = try await Self.item(api, fixture, kind: .insufficientData, token: fixture.auditor.token)
            let withdrawn = try await api.call(
                .post, "/api/v1/certifications/\(fixture.certification.uuidString.lowercased())/withdrawal", token: fixture.applicant.token,
                json: #"{"reason":"We sold the network; the new owner applies on its own."}"#)
            #expect(withdrawn.status == 200, "\(withdrawn.text)")
            #expect(try await Self.status(fixture) == .withdrawn)
            let queue = try await api.call(.get, "/api/v1/review-queue?kind=insufficient_data", token: fixture.auditor.token)
            #expect((queue.json["items"] as? [[String: Any]])?.isEmpty == true)
            let row = try await pool.query("SELECT status FROM review_items WHERE id = \(item)")[0]
            #expect(try row.decode(0, as: String.self) == "closed")
            let events = try await pool.query(
                "SELECT action FROM audit_events WHERE entity_id = \(item.uuidString.lowercased()) ORDER BY id"
            ).map { try $0.decode(0, as: String.self) }
            #expect(events == ["review.opened", "review.closed"])
            // Deciding it now is refused as decided, not carried out on a withdrawn certification.
            let late = try await api.call(.post, "/api/v1/review-queue/\(item.uuidString.lowercased())/claim", token: fixture.auditor.token)
            #expect(late.status == 409, "\(late.text)")
        }
    }

    @Test("auditors are told once per item and threshold when an item is near (one working day) or past its due time")
    func dueReminders() async throws {
        try await APIFixture.run { fixture, api in
            let pool = fixture.db.pool
            let at = Date(timeIntervalSince1970: 1_600_000_000)  // fixed, before every item the fixture opens
            let item = try await pool.transaction { connection in
                try await EnforcementAuditorTasks.open(
                    .insufficientData, certification: fixture.certification, participant: fixture.own.id, context: .system(at: at), on: connection)
            }
            let id = try #require(item)
            let due = try await pool.query("SELECT due_at FROM review_items WHERE id = \(id)")[0].decode(0, as: Date.self)
            let reviews = ReviewStore(database: pool)
            #expect(try await reviews.remindAuditors(at: at) == 0)
            #expect(try await reviews.remindAuditors(at: due.addingTimeInterval(-3600)) == 1)
            #expect(try await reviews.remindAuditors(at: due.addingTimeInterval(-1800)) == 0)
            #expect(try await reviews.remindAuditors(at: due.addingTimeInterval(60)) == 1)
            #expect(try await reviews.remindAuditors(at: due.addingTimeInterval(86_400)) == 0)
            let emails = try await pool.query(
                "SELECT count(*) FROM outbox WHERE event_kind = 'review.item_due' AND email = 'auditor@example.org'")[0].decode(0, as: Int.self)
            #expect(emails == 2)
        }
    }
}
