import Domain
import Foundation
import Testing

/// Re-attestation and recertification times: when each is due, when its item opens, when a
/// re-attestation is missed, at the boundaries (exactly at a time, one second before and after).
@Suite("Renewal rules")
struct RenewalTests {
    static func utc(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static let granted = utc("2027-01-15T08:00:00Z")
    static let validUntil = utc("2030-01-15T08:00:00Z")
    static let cadence = Cadence(automatedCheckDays: 30, reattestationMonths: 12, recertificationMonths: 36)
    static let month: TimeInterval = 30 * 86_400

    @Test("re-attestations are due every period after the grant, while the certification is still valid; the last period is the recertification's")
    func yearly() {
        let dues = RenewalRules.reattestations(grantedAt: Self.granted, validUntil: Self.validUntil, months: 12)
        #expect(dues.map(\.dueAt) == [Self.utc("2028-01-15T08:00:00Z"), Self.utc("2029-01-15T08:00:00Z")])
        #expect(dues.map(\.opensAt) == dues.map { $0.dueAt.addingTimeInterval(-Self.month) })
        #expect(dues.allSatisfy { $0.kind == .reattestation })
        // One second more of validity makes no third: a due date at validity's end is the recertification's.
        #expect(RenewalRules.reattestations(grantedAt: Self.granted, validUntil: Self.validUntil.addingTimeInterval(1), months: 12).count == 3)
        #expect(RenewalRules.reattestations(grantedAt: Self.granted, validUntil: Self.validUntil, months: 0).isEmpty)
    }

    @Test("calendar months from the grant do not drift (the 31st), and an item never opens before the grant or the previous due date")
    func calendarMonths() {
        let granted = Self.utc("2027-01-31T00:00:00Z")
        let dues = RenewalRules.reattestations(grantedAt: granted, validUntil: Self.utc("2027-04-30T00:00:00Z"), months: 1)
        #expect(dues.map(\.dueAt) == [Self.utc("2027-02-28T00:00:00Z"), Self.utc("2027-03-31T00:00:00Z")])
        #expect(dues[0].opensAt == granted)
        #expect(dues[1].opensAt == Self.utc("2027-03-01T00:00:00Z"))
    }

    @Test("the recertification is due when validity ends and opens 90 days before")
    func recertification() {
        let due = RenewalRules.recertification(grantedAt: Self.granted, validUntil: Self.validUntil)
        #expect(due == .init(kind: .recertification, dueAt: Self.validUntil, opensAt: Self.validUntil.addingTimeInterval(-90 * 86_400)))
        let short = RenewalRules.recertification(grantedAt: Self.granted, validUntil: Self.granted.addingTimeInterval(86_400))
        #expect(short.opensAt == Self.granted)
    }

    @Test("an item is open from its opening time until its due date, only while the certification is in force")
    func opening() {
        let first = Self.utc("2028-01-15T08:00:00Z")
        let opens = first.addingTimeInterval(-Self.month)
        func kinds(_ time: Date, _ status: CertificationStatus = .active) -> [ReviewKind] {
            RenewalRules.opening(grantedAt: Self.granted, validUntil: Self.validUntil, cadence: Self.cadence, status: status, at: time).map(\.kind)
        }
        #expect(kinds(opens.addingTimeInterval(-1)).isEmpty)
        #expect(kinds(opens) == [.reattestation])
        #expect(kinds(first.addingTimeInterval(-1)) == [.reattestation])
        // After its due date it is still returned: opened already, the store opens it once;
        // not opened (the jobs did not run), it opens late (catch-up).
        #expect(kinds(first) == [.reattestation])
        #expect(kinds(opens, .warned) == [.reattestation])
        #expect(kinds(opens, .revoked).isEmpty)
        #expect(kinds(opens, .expired).isEmpty)
        // The recertification opens 90 days before validity ends and stays until then.
        let recertifies = Self.validUntil.addingTimeInterval(-90 * 86_400)
        // The second re-attestation (2029-01-15), late, until the recertification opens.
        #expect(kinds(recertifies.addingTimeInterval(-1)) == [.reattestation])
        #expect(kinds(recertifies) == [.recertification])
        #expect(kinds(Self.validUntil.addingTimeInterval(-1)) == [.recertification])
        #expect(kinds(Self.validUntil).isEmpty)
        // No cadence, no renewals.
        #expect(
            RenewalRules.opening(grantedAt: Self.granted, validUntil: Self.validUntil, cadence: nil, status: .active, at: recertifies).isEmpty)
    }

    @Test("a re-attestation is missed when its due date comes unconfirmed, not a second before; confirming in time keeps it")
    func missed() {
        let due = Self.utc("2028-01-15T08:00:00Z")
        #expect(!RenewalRules.isMissed(deadline: due, confirmedAt: nil, at: due.addingTimeInterval(-1)))
        #expect(RenewalRules.isMissed(deadline: due, confirmedAt: nil, at: due))
        #expect(RenewalRules.isMissed(deadline: due, confirmedAt: nil, at: due.addingTimeInterval(1)))
        #expect(!RenewalRules.isMissed(deadline: due, confirmedAt: due, at: due.addingTimeInterval(86_400)))
        #expect(!RenewalRules.isMissed(deadline: due, confirmedAt: due.addingTimeInterval(-86_400), at: due.addingTimeInterval(86_400)))
        #expect(RenewalRules.isMissed(deadline: due, confirmedAt: due.addingTimeInterval(1), at: due.addingTimeInterval(86_400)))
    }

    @Test("catch-up: a re-attestation opened late gives the participant the full lead from its opening, never less than its due date")
    func lateOpening() {
        let due = RenewalRules.reattestations(grantedAt: Self.granted, validUntil: Self.validUntil, months: 12)[0]
        // On time (at its opening, or any time up to a lead before its due date): the due date.
        #expect(due.deadline(openedAt: due.opensAt) == due.dueAt)
        #expect(due.deadline(openedAt: due.opensAt.addingTimeInterval(-86_400)) == due.dueAt)
        // One second late: one second more.
        #expect(due.deadline(openedAt: due.opensAt.addingTimeInterval(1)) == due.dueAt.addingTimeInterval(1))
        // Opened two months after its due date (the server was down): 30 days from then.
        let late = due.dueAt.addingTimeInterval(60 * 86_400)
        #expect(due.deadline(openedAt: late) == late.addingTimeInterval(RenewalRules.reattestationLead))
        #expect(!RenewalRules.isMissed(deadline: due.deadline(openedAt: late), confirmedAt: nil, at: late.addingTimeInterval(29 * 86_400)))
        // A recertification's deadline is validity's end, however late it opens.
        let recertification = RenewalRules.recertification(grantedAt: Self.granted, validUntil: Self.validUntil)
        #expect(recertification.deadline(openedAt: Self.validUntil.addingTimeInterval(-3600)) == Self.validUntil)
        // An accepted re-attestation is never missed.
        #expect(!RenewalRules.isMissed(deadline: due.dueAt, confirmedAt: nil, accepted: true, at: due.dueAt.addingTimeInterval(1)))
    }

    @Test("after downtime over both yearly windows only the latest re-attestation opens; none once the recertification has opened")
    func catchUpOpensTheLatest() {
        let afterSecond = Self.utc("2029-03-01T00:00:00Z")
        let open = RenewalRules.opening(grantedAt: Self.granted, validUntil: Self.validUntil, cadence: Self.cadence, status: .active, at: afterSecond)
        #expect(open.map(\.dueAt) == [Self.utc("2029-01-15T08:00:00Z")])
        let recertifies = Self.validUntil.addingTimeInterval(-90 * 86_400)
        #expect(
            RenewalRules.opening(grantedAt: Self.granted, validUntil: Self.validUntil, cadence: Self.cadence, status: .active, at: recertifies)
                .map(\.kind) == [.recertification])
    }

    @Test("a recertified certification's cycle: re-attestations every year from the grant, none at a cycle's end")
    func secondCycle() {
        let renewed = Self.utc("2033-01-15T08:00:00Z")
        let dues = RenewalRules.reattestations(grantedAt: Self.granted, validUntil: renewed, months: 12, cycleMonths: 36)
        #expect(
            dues.map(\.dueAt) == ["2028-01-15", "2029-01-15", "2031-01-15", "2032-01-15"].map { Self.utc($0 + "T08:00:00Z") })
        // The first after the cycle's end opens a lead before its due date, as every other.
        #expect(dues[2].opensAt == dues[2].dueAt.addingTimeInterval(-Self.month))
    }

    static let catalog = CatalogDocument(actions: [], admission: [:], cadence: [.plus: Self.cadence], enforcement: [:])

    @Test("accepting a recertification extends validity by the catalog's period from the old end, whenever it is decided; month ends stay month ends")
    func renew() throws {
        func renewed(_ until: String, at time: String) -> Result<Date, Refusal> {
            CertificationRules.renew(Self.catalog, tier: .plus, validUntil: Self.utc(until), at: Self.utc(time))
        }
        #expect(try renewed("2030-01-15T08:00:00Z", at: "2029-11-01T00:00:00Z").get() == Self.utc("2033-01-15T08:00:00Z"))
        // Decided a second before the end: the same new end, not 36 months from the decision.
        #expect(try renewed("2030-01-15T08:00:00Z", at: "2030-01-15T07:59:59Z").get() == Self.utc("2033-01-15T08:00:00Z"))
        // The 31st: calendar months from the old end (2030-01-31 + 36 months = 2033-01-31; 2029-08-31 + 36 = 2032-08-31).
        #expect(try renewed("2030-01-31T00:00:00Z", at: "2029-12-01T00:00:00Z").get() == Self.utc("2033-01-31T00:00:00Z"))
        #expect(try renewed("2028-02-29T00:00:00Z", at: "2028-01-01T00:00:00Z").get() == Self.utc("2031-02-28T00:00:00Z"))
        // At the end exactly, or after: expired, refused.
        #expect(throws: Refusal.self) { try renewed("2030-01-15T08:00:00Z", at: "2030-01-15T08:00:00Z").get() }
        #expect(throws: Refusal.self) { try renewed("2030-01-15T08:00:00Z", at: "2030-01-15T08:00:01Z").get() }
        // No period for the tier: refused, as a grant is.
        #expect(throws: Refusal.self) {
            try CertificationRules.renew(Self.catalog, tier: .baseline, validUntil: Self.validUntil, at: Self.granted).get()
        }
    }

    @Test("what each final decision on a renewal does")
    func decisions() throws {
        let now = Self.utc("2029-12-01T00:00:00Z")
        let deadline = Self.utc("2029-12-10T00:00:00Z")
        func decide(_ event: ApplicationEvent, _ kind: ReviewKind) throws -> RenewalDecision {
            try RenewalDecision.decide(
                event, kind: kind, catalog: Self.catalog, tier: .plus, validUntil: Self.validUntil, deadline: deadline, at: now
            ).get()
        }
        #expect(try decide(.approve, .recertification) == .renewed(validUntil: Self.utc("2033-01-15T08:00:00Z")))
        #expect(try decide(.reject, .recertification) == .lapses(on: Self.validUntil))
        #expect(try decide(.requestChanges, .recertification) == .confirmAgain(deadline: Self.validUntil))
        #expect(try decide(.approve, .reattestation) == .reattested)
        #expect(try decide(.reject, .reattestation) == .finding)
        // Changes requested: at least the lead from the decision, to confirm again.
        #expect(try decide(.requestChanges, .reattestation) == .confirmAgain(deadline: now.addingTimeInterval(RenewalRules.reattestationLead)))
        #expect(try decide(.approve, .recertification).summary(kind: .recertification, program: "netops").contains("15 January 2033, 08:00 UTC"))
        #expect(throws: Refusal.self) {
            try RenewalDecision.decide(
                .approve, kind: .recertification, catalog: Self.catalog, tier: .plus, validUntil: Self.validUntil, deadline: deadline,
                at: Self.validUntil
            ).get()
        }
    }
}

/// An auditor cannot decide a renewal the participant has not confirmed.
@Suite("Renewal decisions in the review machine")
struct RenewalReviewTests {
    @Test("a renewal item waiting for the participant is refused as a conflict, before the claim is looked at; once confirmed it is decided")
    func notConfirmed() {
        let auditor = Reviewer(userID: UUID(), role: .auditor, affiliations: [], memberships: [])
        let at = Date(timeIntervalSince1970: 1_900_000_000)
        func state(awaiting: Bool) -> ReviewState {
            ReviewState(
                status: .open, claim: ReviewClaim(holder: auditor.userID, expiresAt: at.addingTimeInterval(3600)),
                subject: ReviewSubject(
                    participantID: UUID(), tier: .plus, submittedBy: nil, decisions: [], flaggedForAdmin: false, kind: .recertification,
                    awaitingParticipant: awaiting))
        }
        #expect(
            throws: ReviewRefusal.conflict(ReviewMachine.notConfirmed(.recertification))
        ) { try ReviewMachine.decide(state(awaiting: true), .approve, by: auditor, at: at).get() }
        #expect(ReviewMachine.notConfirmed(.recertification).code == "renewal-not-confirmed")
        #expect((try? ReviewMachine.decide(state(awaiting: false), .approve, by: auditor, at: at).get().1) == .awaitingSecondApproval)
    }
}
