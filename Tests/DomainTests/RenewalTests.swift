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
        #expect(kinds(first).isEmpty)
        #expect(kinds(opens, .warned) == [.reattestation])
        #expect(kinds(opens, .revoked).isEmpty)
        #expect(kinds(opens, .expired).isEmpty)
        // The recertification opens 90 days before validity ends and stays until then.
        let recertifies = Self.validUntil.addingTimeInterval(-90 * 86_400)
        #expect(kinds(recertifies.addingTimeInterval(-1)).isEmpty)
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
        #expect(!RenewalRules.isMissed(dueAt: due, confirmedAt: nil, at: due.addingTimeInterval(-1)))
        #expect(RenewalRules.isMissed(dueAt: due, confirmedAt: nil, at: due))
        #expect(RenewalRules.isMissed(dueAt: due, confirmedAt: nil, at: due.addingTimeInterval(1)))
        #expect(!RenewalRules.isMissed(dueAt: due, confirmedAt: due, at: due.addingTimeInterval(86_400)))
        #expect(!RenewalRules.isMissed(dueAt: due, confirmedAt: due.addingTimeInterval(-86_400), at: due.addingTimeInterval(86_400)))
        #expect(RenewalRules.isMissed(dueAt: due, confirmedAt: due.addingTimeInterval(1), at: due.addingTimeInterval(86_400)))
    }
}
