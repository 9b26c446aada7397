import Domain
import Foundation
import Jobs
import Outbox
import Postgres
import Store
import TestSupport
import Testing

/// Re-attestation and recertification against the real PostgreSQL: the `renewals` job opens the
/// review item once when due and tells the participant and the auditors; a confirmation before
/// the due date keeps the certification as it is; a missed one warns it (MANRS+), once.
@Suite("Re-attestation and recertification")
struct RenewalStoreTests {
    /// The world's certification (netops, granted at `DeliveryTests.at`, made MANRS+), its first
    /// re-attestation as the rules compute it, and the store.
    static func run(_ body: (DeliveryTests.World, UUID, RenewalRules.Due, RenewalStore) async throws -> Void) async throws {
        try await DeliveryTests.run { world in
            try await DeliveryTests.decide(.approve, reasons: "", in: world)
            let row = try await world.db.pool.query(
                "SELECT id, granted_at, valid_until FROM certifications WHERE participant_id = \(world.participant)")[0]
            let certification = try row.decode("id", as: UUID.self)
            try await world.db.pool.execute("UPDATE certifications SET tier = 'plus' WHERE id = \(certification)")
            try await world.db.pool.execute("DELETE FROM outbox")
            let first = try #require(
                RenewalRules.reattestations(grantedAt: try row.decode("granted_at"), validUntil: try row.decode("valid_until"), months: 12).first)
            try await body(world, certification, first, RenewalStore(database: world.db.pool))
        }
    }

    static func count(_ world: DeliveryTests.World, _ sql: SQL) async throws -> Int {
        try await world.db.pool.query(sql)[0].decode(0, as: Int.self)
    }

    static func status(_ world: DeliveryTests.World, _ id: UUID) async throws -> String {
        try await world.db.pool.query("SELECT status FROM certifications WHERE id = \(id)")[0].decode(0, as: String.self)
    }

    @Test("a year after the grant the re-attestation opens once, the owner and the auditors are told; confirmed in time, nothing is missed")
    func confirmedInTime() async throws {
        try await Self.run { world, certification, due, store in
            #expect(try await store.run(at: due.opensAt.addingTimeInterval(-1)) == RenewalSummary())
            var opened = RenewalSummary()
            opened.opened = 1
            #expect(try await store.run(at: due.opensAt) == opened)
            // Running again (a second worker, a later run) opens nothing twice.
            #expect(try await store.run(at: due.opensAt.addingTimeInterval(3600)) == RenewalSummary())
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM review_items WHERE certification_id = \(certification) AND kind = 'reattestation' AND status = 'open'")
                    == 1)
            let owner = try await world.db.pool.query(
                "SELECT payload->'data'->>'summary' FROM outbox WHERE event_kind = 'certification.reattestation_due' AND email = 'owner@example.org'")
            #expect(owner.count == 1)
            #expect(try owner.first?.decode(0, as: String.self).contains("confirm or update your statements and evidence") == true)
            #expect(
                try await Self.count(
                    world, "SELECT count(*) FROM outbox WHERE event_kind = 'review.item_opened' AND email = 'auditor@example.org'") == 1)

            // The owner confirms a day before the due date; a second confirmation is refused.
            let confirm = ChangeContext(actor: world.owner, requestID: nil, at: due.dueAt.addingTimeInterval(-86_400))
            try await ReviewStore(database: world.db.pool).confirmRenewal(
                .reattestation, certification: certification, statement: "Our filters and ROAs are unchanged since the grant.", context: confirm)
            await #expect(
                throws: StoreError.conflict(
                    slug: "already-confirmed", detail: "This re-attestation is already confirmed; the auditors are reviewing it.")
            ) {
                try await store.confirm(.reattestation, certification: certification, statement: "Again.", context: confirm)
            }
            let statement = try await world.db.pool.query(
                "SELECT statement FROM review_items WHERE certification_id = \(certification) AND kind = 'reattestation'")[0].decode(
                    0, as: String?.self)
            #expect(statement == "Our filters and ROAs are unchanged since the grant.")
            // The due date passes: nothing is missed, the certification stays active.
            #expect(try await store.run(at: due.dueAt.addingTimeInterval(86_400)).missed == 0)
            #expect(try await Self.status(world, certification) == "active")
        }
    }

    @Test("a re-attestation not confirmed by its due date warns the MANRS+ certification once, the owner told; a late confirmation is refused")
    func missed() async throws {
        try await Self.run { world, certification, due, store in
            _ = try await store.run(at: due.opensAt)
            // One second before the due date: not yet missed.
            #expect(try await store.run(at: due.dueAt.addingTimeInterval(-1)).missed == 0)
            #expect(try await Self.status(world, certification) == "active")
            #expect(try await store.run(at: due.dueAt).missed == 1)
            #expect(try await Self.status(world, certification) == "warned")
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM enforcement_transitions WHERE certification_id = \(certification) AND cause = 'reattestation_missed' AND to_status = 'warned'"
                ) == 1)
            #expect(
                try await Self.count(
                    world, "SELECT count(*) FROM outbox WHERE event_kind = 'certification.warned' AND email = 'owner@example.org'") == 1
            )
            // Missed once: a later run does not miss it again.
            #expect(try await store.run(at: due.dueAt.addingTimeInterval(3600)).missed == 0)
            let late = ChangeContext(actor: world.owner, requestID: nil, at: due.dueAt.addingTimeInterval(3600))
            await #expect(throws: StoreError.self) {
                try await store.confirm(.reattestation, certification: certification, statement: "Late.", context: late)
            }
        }
    }

    @Test("the recertification opens 90 days before validity ends, once, and is confirmed like a re-attestation")
    func recertification() async throws {
        try await Self.run { world, certification, _, store in
            let validUntil = try await world.db.pool.query("SELECT granted_at, valid_until FROM certifications WHERE id = \(certification)")[0]
            let due = RenewalRules.recertification(grantedAt: try validUntil.decode("granted_at"), validUntil: try validUntil.decode("valid_until"))
            let summary = try await store.run(at: due.opensAt)
            // No re-attestation is open then (the last one was due a year before): only the recertification opens.
            #expect(summary.opened == 1)
            #expect(
                try await Self.count(
                    world, "SELECT count(*) FROM outbox WHERE event_kind = 'certification.recertification_due' AND email = 'owner@example.org'") == 1)
            #expect(try await store.run(at: due.opensAt.addingTimeInterval(60)).opened == 0)
            try await store.confirm(
                .recertification, certification: certification, statement: "We renew our commitments as they are.",
                context: ChangeContext(actor: world.owner, requestID: nil, at: due.opensAt.addingTimeInterval(120)))
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM renewals WHERE certification_id = \(certification) AND kind = 'recertification' AND confirmed_at IS NOT NULL"
                )
                    == 1)
            // Validity ends before the auditors decided: the expiry (the scheduler's transition)
            // closes the item, confirmed or not: an expired certification cannot be renewed.
            _ = try await EnforcementStore(database: world.db.pool).apply(
                .timePassed, to: certification, by: .scheduler, context: .system(at: due.dueAt.addingTimeInterval(60)))
            #expect(
                try await world.db.pool.query("SELECT status FROM certifications WHERE id = \(certification)")[0].decode(0, as: String.self)
                    == "expired")
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM review_items WHERE certification_id = \(certification) AND kind = 'recertification' AND status = 'open'")
                    == 0)
            #expect(try await Self.count(world, "SELECT count(*) FROM audit_events WHERE action = 'review.closed'") == 1)
        }
    }

    /// The world's auditor claims and decides the certification's open item of `kind` at `time`.
    static func decide(_ kind: ReviewKind, _ decision: Decision, reasons: String, world: DeliveryTests.World, at time: Date) async throws {
        let reviews = ReviewStore(database: world.db.pool)
        let item = try #require(try await reviews.queue(QueueFilter(kind: kind, asOf: time), limit: 10).first)
        let reviewer = try await reviews.reviewer(world.auditor)
        let context = ChangeContext(actor: world.auditor, requestID: nil, at: time)
        _ = try await reviews.claim(item.id, reviewer: reviewer, context: context)
        _ = try await reviews.decide(item.id, decision: decision, actionComments: [:], reasons: reasons, reviewer: reviewer, context: context)
    }

    static func confirm(_ world: DeliveryTests.World, _ certification: UUID, kind: ReviewKind = .reattestation, at time: Date) async throws {
        try await RenewalStore(database: world.db.pool).confirm(
            kind, certification: certification, statement: "Unchanged since the grant.",
            context: ChangeContext(actor: world.owner, requestID: nil, at: time))
    }

    @Test("catch-up: a re-attestation the jobs never opened opens late with 30 days from then; missed only when those have passed, its item closed")
    func catchUp() async throws {
        try await Self.run { world, certification, due, store in
            // The server was down from before the window opened until two months after the due date.
            let back = due.dueAt.addingTimeInterval(60 * 86_400)
            #expect(try await store.run(at: back).opened == 1)
            let deadline = try await world.db.pool.query(
                "SELECT deadline_at FROM renewals WHERE certification_id = \(certification) AND kind = 'reattestation'")[0].decode(0, as: Date.self)
            #expect(deadline == back.addingTimeInterval(RenewalRules.reattestationLead))
            let told = try await world.db.pool.query(
                "SELECT payload->'data'->>'due_at' FROM outbox WHERE event_kind = 'certification.reattestation_due' AND email = 'owner@example.org'")
            #expect(try told.map { try $0.decode(0, as: String.self) } == [ISO8601DateFormatter().string(from: deadline)])
            #expect(try await store.open(certification: certification, at: back).map(\.dueAt) == [deadline])
            // One second before the new deadline: not missed, and a confirmation is still taken.
            #expect(try await store.run(at: deadline.addingTimeInterval(-1)).missed == 0)
            #expect(try await Self.status(world, certification) == "active")
            #expect(try await store.run(at: deadline).missed == 1)
            #expect(try await Self.status(world, certification) == "warned")
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM review_items WHERE certification_id = \(certification) AND kind = 'reattestation' AND status = 'closed'")
                    == 1)
            #expect(try await Self.count(world, "SELECT count(*) FROM audit_events WHERE action = 'review.closed'") == 1)
        }
    }

    @Test("a re-attestation approved is done and never missed; rejected, it is an auditor's finding that warns; the owner is told each decision")
    func decisions() async throws {
        try await Self.run { world, certification, due, store in
            _ = try await store.run(at: due.opensAt)
            // Not confirmed yet: the auditor is refused.
            await #expect(throws: StoreError.conflict(slug: "renewal-not-confirmed", detail: ReviewMachine.notConfirmed(.reattestation).message)) {
                try await Self.decide(.reattestation, .approve, reasons: "", world: world, at: due.opensAt.addingTimeInterval(60))
            }
            try await Self.confirm(world, certification, at: due.opensAt.addingTimeInterval(120))
            // Rejected: a finding, which warns the MANRS+ certification.
            try await Self.decide(
                .reattestation, .reject, reasons: "The filter evidence is from 2024.", world: world, at: due.opensAt.addingTimeInterval(180))
            #expect(try await Self.status(world, certification) == "warned")
            #expect(
                try await Self.count(
                    world,
                    "SELECT count(*) FROM enforcement_transitions WHERE certification_id = \(certification) AND cause = 'auditor_finding'") == 1)
            let told = try await world.db.pool.query(
                """
                SELECT payload->'data'->>'summary', payload->'data'->>'reasons' FROM outbox
                WHERE event_kind = 'certification.renewal_decided' AND email = 'owner@example.org'
                """)
            #expect(told.count == 1)
            #expect(try told[0].decode(0, as: String.self).contains("rejected your re-attestation"))
            #expect(try told[0].decode(1, as: String.self) == "The filter evidence is from 2024.")
            // Decided: after the due date nothing is missed.
            #expect(try await store.run(at: due.dueAt.addingTimeInterval(86_400)).missed == 0)
        }
    }

    @Test("changes requested: the member confirms again in a new round, with at least 30 days; then accepted (baseline: one approval), never missed")
    func changesThenAccepted() async throws {
        try await Self.run { world, certification, due, store in
            try await world.db.pool.execute("UPDATE certifications SET tier = 'baseline' WHERE id = \(certification)")
            _ = try await store.run(at: due.opensAt)
            try await Self.confirm(world, certification, at: due.opensAt.addingTimeInterval(60))
            // Asked for changes a day before the due date: 30 days from the decision to confirm again.
            let asked = due.dueAt.addingTimeInterval(-86_400)
            try await Self.decide(.reattestation, .requestChanges, reasons: "Attach the 2027 filter audit.", world: world, at: asked)
            let deadline = try await world.db.pool.query(
                "SELECT deadline_at FROM renewals WHERE certification_id = \(certification) AND kind = 'reattestation'")[0].decode(0, as: Date.self)
            #expect(deadline == asked.addingTimeInterval(RenewalRules.reattestationLead))
            let rounds = try await world.db.pool.query(
                "SELECT round, status FROM review_items WHERE certification_id = \(certification) AND kind = 'reattestation' ORDER BY round"
            ).map { "\(try $0.decode(0, as: Int.self)) \(try $0.decode(1, as: String.self))" }
            #expect(rounds == ["1 closed", "2 open"])
            // The due date passes: not missed (the new deadline holds).
            #expect(try await store.run(at: due.dueAt.addingTimeInterval(3600)).missed == 0)
            try await Self.confirm(world, certification, at: due.dueAt.addingTimeInterval(7200))
            try await Self.decide(.reattestation, .approve, reasons: "", world: world, at: due.dueAt.addingTimeInterval(10_800))
            #expect(try await store.run(at: deadline.addingTimeInterval(86_400)).missed == 0)
            #expect(try await Self.status(world, certification) == "active")
            let outcomes = try await world.db.pool.query(
                "SELECT outcome FROM renewals WHERE certification_id = \(certification)"
            ).map { try $0.decode(0, as: String?.self) }
            #expect(outcomes == ["accepted"])
            #expect(
                try await Self.count(
                    world, "SELECT count(*) FROM outbox WHERE event_kind = 'certification.renewal_decided' AND email = 'owner@example.org'") == 2)
        }
    }
}
