import Foundation

/// Re-attestation and recertification (issue 12 §3): when each is due, when its review item
/// opens and the participant is told, and when a re-attestation counts as missed. Pure; the
/// times come from the certification's grant, its validity and its catalog's cadence.
///
/// - A **re-attestation** is due every `reattestationMonths` after the grant (calendar months,
///   UTC), while the certification is still valid then: the last period is covered by the
///   recertification. Its item opens `reattestationLead` before the due date (never before the
///   grant or the previous due date); the due date is the participant's deadline. Not confirmed
///   by then, it is missed (`EnforcementEvent.reattestationMissed`).
/// - A **recertification** is due when validity ends; its item opens `recertificationLead`
///   before that. It has no missed event of its own: validity ending is expiry.
public enum RenewalRules {
    /// How long before a re-attestation's due date the participant is asked.
    public static let reattestationLead: TimeInterval = 30 * 86_400
    /// How long before validity ends the participant is asked to recertify.
    public static let recertificationLead: TimeInterval = 90 * 86_400

    /// `time` plus `months` calendar months in UTC (the 31st becomes the month's last day);
    /// nil when `months` is out of range of the calendar.
    public static func adding(months: Int, to time: Date) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(byAdding: .month, value: months, to: time)
    }

    /// One renewal: what it is, its due date (the participant's deadline) and when its item opens.
    public struct Due: Sendable, Equatable {
        public let kind: ReviewKind
        public let dueAt: Date
        public let opensAt: Date

        public init(kind: ReviewKind, dueAt: Date, opensAt: Date) {
            self.kind = kind
            self.dueAt = dueAt
            self.opensAt = opensAt
        }
    }

    /// The re-attestations of a certification granted at `grantedAt` and valid until
    /// `validUntil`, every `months` months, in order: each due strictly before validity ends.
    /// Empty when `months` is not positive.
    public static func reattestations(grantedAt: Date, validUntil: Date, months: Int) -> [Due] {
        guard months > 0 else { return [] }
        var dues: [Due] = []
        var previous = grantedAt
        var step = 1
        while let due = adding(months: months * step, to: grantedAt), due < validUntil {
            dues.append(Due(kind: .reattestation, dueAt: due, opensAt: max(previous, due.addingTimeInterval(-reattestationLead))))
            previous = due
            step += 1
        }
        return dues
    }

    /// The recertification of a certification granted at `grantedAt` and valid until
    /// `validUntil`: due when validity ends, opening `recertificationLead` before (not before
    /// the grant).
    public static func recertification(grantedAt: Date, validUntil: Date) -> Due {
        Due(kind: .recertification, dueAt: validUntil, opensAt: max(grantedAt, validUntil.addingTimeInterval(-recertificationLead)))
    }

    /// The renewals whose item should be open at `time` for a certification in force: the
    /// latest re-attestation that has opened (an earlier one is either done or already missed)
    /// and the recertification once it has opened. Both only before their due date.
    public static func opening(grantedAt: Date, validUntil: Date, cadence: Cadence?, status: CertificationStatus, at time: Date) -> [Due] {
        guard status.isInForce, let cadence, time < validUntil else { return [] }
        var dues: [Due] = []
        if let current = reattestations(grantedAt: grantedAt, validUntil: validUntil, months: cadence.reattestationMonths)
            .last(where: { $0.opensAt <= time }), time < current.dueAt
        {
            dues.append(current)
        }
        let recertification = recertification(grantedAt: grantedAt, validUntil: validUntil)
        if recertification.opensAt <= time { dues.append(recertification) }
        return dues
    }

    /// Whether a re-attestation due at `dueAt` is missed at `time`: its due date has come and
    /// the participant had not confirmed by then.
    public static func isMissed(dueAt: Date, confirmedAt: Date?, at time: Date) -> Bool {
        guard dueAt <= time else { return false }
        guard let confirmedAt else { return true }
        return confirmedAt > dueAt
    }
}
