import Domain
import Foundation
import Postgres
import Store
import Testing

/// The certifications' store and the stores' reading of enums, against a real PostgreSQL.
@Suite("Certification storage")
struct CertificationStoreTests {
    @Test("a new approval supersedes the mark in force for the same participant and program, and is valid for the catalog's period")
    func superseding() async throws {
        try await APIFixture.run { fixture, _ in
            let users = UserStore(database: fixture.db.pool, passwords: Passwords(cost: 4))
            let applications = ApplicationStore(database: fixture.db.pool)
            let reviews = ReviewStore(database: fixture.db.pool)
            let certifications = CertificationStore(database: fixture.db.pool)
            let earlier = try await certifications.certification(fixture.certification)
            #expect(earlier.status == .active)
            // A year later, by the clock the changes carry.
            let later = earlier.grantedAt.addingTimeInterval(365 * 86_400)
            let applicant = ChangeContext(actor: try await users.actor(for: fixture.applicant.user.id), requestID: nil, at: later)
            let auditorActor = try #require(try await users.actor(for: fixture.auditor.user.id))
            let auditor = ChangeContext(actor: auditorActor, requestID: nil, at: later)
            let application = try await fixture.db.pool.transaction { connection in
                try await applications.create(participant: fixture.own.id, program: "netops", tier: .baseline, context: applicant, on: connection)
            }
            _ = try await applications.setCommitment(application.id, action: "netops.1", statement: "Filters on all sessions.", context: applicant)
            _ = try await applications.addEvidence(
                application.id, action: "netops.1",
                NewEvidence(
                    content: .document(
                        fileName: "filters.pdf", declaredType: "application/pdf", sniffedType: "application/pdf", bytes: APIFixture.pdf),
                    effectiveFrom: "2026-01-01", effectiveUntil: nil, supersedes: nil),
                context: applicant)
            let detail = try await applications.detail(application.id)
            _ = try await applications.submit(application.id, expectedVersion: detail.application.version, context: applicant)
            let item = try #require(try await reviews.queue(QueueFilter(asOf: later), limit: 10).first { $0.applicationID == application.id })
            let reviewer = try await reviews.reviewer(auditorActor)
            _ = try await reviews.claim(item.id, reviewer: reviewer, context: auditor)
            let (closed, outcome) = try await reviews.decide(
                item.id, decision: .approve, actionComments: [:], reasons: "", reviewer: reviewer, context: auditor)
            #expect(closed.status == .closed && outcome == .final(.approve))

            let marks = try await certifications.certifications(participants: [fixture.own.id], limit: 10)
            #expect(marks.count == 2)
            let current = try #require(marks.first { $0.applicationID == application.id })
            #expect(current.status == .active && current.grantedAt == later)
            let catalog = try await CatalogStore(database: fixture.db.pool).version(current.catalogVersion, of: "netops")
            let grant = try CertificationRules.grant(catalog.document, tier: .baseline, at: later).get()
            #expect(current.validUntil == grant.validUntil)
            let superseded = try await certifications.certification(fixture.certification)
            #expect(superseded.status == .expired)
            let reason = try await fixture.db.pool.query("SELECT status_reason FROM certifications WHERE id = \(fixture.certification)")[0]
                .decode(0, as: String?.self)
            #expect(reason == CertificationRules.supersededReason)
            // The decision, the closing and the application's decision carry the change's time, not the database's.
            let times = try await fixture.db.pool.query(
                "SELECT r.closed_at, a.decided_at FROM review_items r JOIN applications a ON a.id = r.application_id WHERE r.id = \(item.id)")[0]
            #expect(try times.decode("closed_at", as: Date?.self) == later && times.decode("decided_at", as: Date?.self) == later)
        }
    }

    @Test("a stored value no enum knows is an error (the server's fault, a 500), never a default such as a rejection")
    func unknownEnum() async throws {
        try await APIFixture.run { fixture, _ in
            try await fixture.db.pool.execute("ALTER TABLE decisions DROP CONSTRAINT decisions_decision_check")
            try await fixture.db.pool.execute("UPDATE decisions SET decision = 'maybe' WHERE application_id = \(fixture.approved)")
            await #expect(throws: StoreError.unreadable("Column decision holds maybe, which is not a known Decision.")) {
                _ = try await ReviewStore(database: fixture.db.pool).decisions(ofApplication: fixture.approved)
            }
            #expect(StoreError.unreadable("").isInternal)
        }
    }
}
