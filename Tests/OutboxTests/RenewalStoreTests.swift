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
        }
    }
}
