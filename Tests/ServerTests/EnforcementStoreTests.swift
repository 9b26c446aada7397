import Domain
import Foundation
import Postgres
import Store
import Testing

/// Enforcement's storage against a real PostgreSQL: each transition with its cause, actor, time
/// and deadline, in the transaction of its audit event; immutable rows.
@Suite("Enforcement storage")
struct EnforcementStoreTests {
    @Test("a failure warns a MANRS+ certification, the deadline suspends it, each with its transition row and audit event; baseline only notifies")
    func transitions() async throws {
        try await APIFixture.run { fixture, _ in
            let store = EnforcementStore(database: fixture.db.pool)
            let certifications = CertificationStore(database: fixture.db.pool)
            let granted = try await certifications.certification(fixture.certification)
            #expect(granted.tier == .baseline)
            let at = granted.grantedAt.addingTimeInterval(86_400)
            let result = UUID()
            // Baseline notifies only: the status stays, nothing is recorded.
            let told = try await store.apply(
                .checkFailed(results: [result]), to: fixture.certification, by: .scheduler, context: ChangeContext(actor: nil, requestID: nil, at: at)
            )
            #expect(told == [.notifyParticipant(.checkFailed, deadline: nil)])
            #expect(try await certifications.certification(fixture.certification).status == .active)

            try await fixture.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(fixture.certification)")
            let effects = try await store.apply(
                .checkFailed(results: [result]), to: fixture.certification, by: .scheduler, context: ChangeContext(actor: nil, requestID: nil, at: at)
            )
            let deadline = at.addingTimeInterval(30 * 86_400)
            #expect(effects.contains(.notifyParticipant(.warned, deadline: deadline)))
            #expect(try await certifications.certification(fixture.certification).status == .warned)

            // The scheduler comes a day late: the suspension is recorded at the deadline.
            _ = try await store.apply(
                .timePassed, to: fixture.certification, by: .scheduler,
                context: ChangeContext(actor: nil, requestID: nil, at: deadline.addingTimeInterval(86_400)))
            #expect(try await certifications.certification(fixture.certification).status == .suspended)
            let history = try await store.transitions(of: fixture.certification)
            #expect(history.map(\.to) == [.suspended, .warned])
            #expect(history.first?.at == deadline && history.first?.fromDeadline == deadline)
            let rows = try await fixture.db.pool.query(
                """
                SELECT cause, cause_results, actor_role, deadline FROM enforcement_transitions
                WHERE certification_id = \(fixture.certification) ORDER BY at
                """)
            #expect(try rows.map { try $0.decode("cause", as: String.self) } == ["check_failed", "deadline_passed"])
            #expect(try rows[0].decode("cause_results", as: [UUID].self) == [result])
            #expect(try rows.map { try $0.decode("actor_role", as: String.self) } == ["scheduler", "scheduler"])
            #expect(try rows[1].decode("deadline", as: Date?.self) == deadline.addingTimeInterval(180 * 86_400))
            let audited = try await fixture.db.pool.query(
                """
                SELECT action FROM audit_events WHERE entity_type = 'certification' AND entity_id = \(fixture.certification.uuidString.lowercased())
                  AND action IN ('certification.warned', 'certification.suspended') ORDER BY id
                """
            ).map { try $0.decode(0, as: String.self) }
            #expect(audited == ["certification.warned", "certification.suspended"])

            // Rows are immutable; refusals write nothing.
            await #expect(throws: (any Error).self) {
                try await fixture.db.pool.execute("UPDATE enforcement_transitions SET reason = 'x' WHERE certification_id = \(fixture.certification)")
            }
            await #expect(throws: StoreError.refused(slug: "not-admin", detail: "Only an admin can override enforcement.")) {
                _ = try await store.apply(
                    .override(to: .active, reason: "Mistake."), to: fixture.certification, by: .scheduler,
                    context: ChangeContext(actor: nil, requestID: nil, at: deadline.addingTimeInterval(2 * 86_400)))
            }
            #expect(try await store.transitions(of: fixture.certification).count == 2)
            _ = try await certifications.scope(of: fixture.certification)
        }
    }
}
