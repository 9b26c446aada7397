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
///   before that. It has no missed event of its own: validity ending is expiry. Accepted, it
///   extends validity by the catalog's period from the old end (`CertificationRules.renew`),
///   which starts a new cycle: its re-attestations count from the grant, skipping each cycle's
///   end (the recertification's).
/// - **Catch-up**: a re-attestation the server did not open in its window (the jobs did not run)
///   opens late, and its deadline is then `reattestationLead` after it opened
///   (`deadline(openedAt:)`), so a participant never loses time to the server's absence. Only the
///   latest one opens (one confirmation covers earlier periods), and none once the recertification
///   has opened (it asks for everything a re-attestation does).
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

        /// The participant's deadline when the item opens at `openedAt`: the due date, or for a
        /// re-attestation opened late, `reattestationLead` after it opened. A recertification's
        /// deadline is validity's end, which only an accepted recertification moves.
        public func deadline(openedAt: Date) -> Date {
            kind == .reattestation ? max(dueAt, openedAt.addingTimeInterval(RenewalRules.reattestationLead)) : dueAt
        }
    }

    /// The re-attestations of a certification granted at `grantedAt` and valid until
    /// `validUntil`, every `months` months, in order: each due strictly before validity ends, and
    /// none at the end of a `cycleMonths` cycle (a recertification was due then). Empty when
    /// `months` is not positive.
    public static func reattestations(grantedAt: Date, validUntil: Date, months: Int, cycleMonths: Int? = nil) -> [Due] {
        guard months > 0 else { return [] }
        var dues: [Due] = []
        var previous = grantedAt
        var step = 1
        while let due = adding(months: months * step, to: grantedAt), due < validUntil {
            if let cycleMonths, cycleMonths > 0, (months * step) % cycleMonths == 0 {
                previous = due
                step += 1
                continue
            }
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

    /// The renewals whose item should be open at `time` for a certification in force (the
    /// store opens each once): the latest re-attestation that has opened (an earlier one is done,
    /// missed, or covered by this one), also after its due date when the server did not open it
    /// in time, unless the recertification has opened by then; and the recertification once it
    /// has opened, before validity ends.
    public static func opening(grantedAt: Date, validUntil: Date, cadence: Cadence?, status: CertificationStatus, at time: Date) -> [Due] {
        guard status.isInForce, let cadence, time < validUntil else { return [] }
        var dues: [Due] = []
        let recertification = recertification(grantedAt: grantedAt, validUntil: validUntil)
        if let current = reattestations(
            grantedAt: grantedAt, validUntil: validUntil, months: cadence.reattestationMonths, cycleMonths: cadence.recertificationMonths
        ).last(where: { $0.opensAt <= time }), time < current.dueAt || time < recertification.opensAt {
            dues.append(current)
        }
        if recertification.opensAt <= time { dues.append(recertification) }
        return dues
    }

    /// Whether a re-attestation with this `deadline` (`Due.deadline(openedAt:)`) is missed at
    /// `time`: the deadline has come, the participant had not confirmed by then, and the
    /// auditors had not accepted it.
    public static func isMissed(deadline: Date, confirmedAt: Date?, accepted: Bool = false, at time: Date) -> Bool {
        guard deadline <= time, !accepted else { return false }
        guard let confirmedAt else { return true }
        return confirmedAt > deadline
    }
}

/// What the auditors' final decision on a re-attestation or recertification does (ISO/IEC
/// 17021-1: the certification body decides on renewal; a lapse is expiry, a nonconformity found
/// in surveillance is handled as any other finding). One rule for the API, the pages and the
/// store; the store carries it out on the decision's transaction and tells the participant.
public enum RenewalDecision: Sendable, Equatable {
    /// A recertification accepted: validity runs on to this date (from the old end), the mark
    /// keeps its id and gets a new credential.
    case renewed(validUntil: Date)
    /// A re-attestation accepted: recorded as done; it can no longer be missed.
    case reattested
    /// A re-attestation rejected: an auditor's finding (`EnforcementEvent.auditorFinding`: warned
    /// under an enforcing tier, the participant told under a notify-only one).
    case finding
    /// A recertification rejected: nothing changes now, and validity ends at its date (expiry).
    case lapses(on: Date)
    /// Changes requested: the confirmation is withdrawn and the participant confirms again by
    /// `deadline` (a re-attestation: at least `reattestationLead` from the decision; a
    /// recertification: validity's end, as before).
    case confirmAgain(deadline: Date)

    /// The decision `event` on a renewal of `kind` at `time`, for a certification valid until
    /// `validUntil` whose renewal deadline is `deadline`, under `catalog` at `tier`. Accepting a
    /// recertification once validity has ended is refused: the certification has expired, and
    /// only a new application certifies again (rejecting it is still possible).
    public static func decide(
        _ event: ApplicationEvent, kind: ReviewKind, catalog: CatalogDocument, tier: Tier, validUntil: Date, deadline: Date, at time: Date
    ) -> Result<RenewalDecision, Refusal> {
        switch (kind, event) {
        case (.recertification, .approve):
            return CertificationRules.renew(catalog, tier: tier, validUntil: validUntil, at: time).map { .renewed(validUntil: $0) }
        case (.reattestation, .approve): return .success(.reattested)
        case (.reattestation, .reject): return .success(.finding)
        case (.recertification, .reject): return .success(.lapses(on: validUntil))
        case (.reattestation, .requestChanges):
            return .success(.confirmAgain(deadline: max(deadline, time.addingTimeInterval(RenewalRules.reattestationLead))))
        case (.recertification, .requestChanges): return .success(.confirmAgain(deadline: validUntil))
        default:
            return .failure(Refusal("not-a-renewal-decision", "A \(kind.label) is decided by approving, requesting changes or rejecting it."))
        }
    }

    /// What the participant is told, in a sentence (`program` names the certification; times in UTC).
    public func summary(kind: ReviewKind, program: String) -> String {
        let words = kind.label
        switch self {
        case .renewed(let until):
            return "The auditors accepted your recertification for \(program): your certification is now valid until "
                + "\(SurveillanceRules.moment(until)), under the same mark, with a new signed credential."
        case .reattested:
            return "The auditors accepted your yearly re-attestation for \(program): nothing else is needed until the next one."
        case .finding:
            return
                "The auditors rejected your \(words) for \(program): this counts as a finding that your certification does not conform, and a separate message says what it changes."
        case .lapses(let on):
            return "The auditors rejected your recertification for \(program): your certification ends on \(SurveillanceRules.moment(on))."
        case .confirmAgain(let deadline):
            return "The auditors ask for changes to your \(words) for \(program): update your statements and evidence and confirm "
                + "again by \(SurveillanceRules.moment(deadline))."
        }
    }
}
