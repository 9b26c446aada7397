import Foundation

/// What a review item is about. Applications are reviewed per round; every other kind is about a
/// certification (and the check result or transition it names).
public enum ReviewKind: String, Sendable, Codable, CaseIterable {
    case application
    /// A participant disputes a failed check result as a false positive.
    case dispute
    /// A participant appeals against a warning, suspension or revocation.
    case appeal
    /// A suspended certification passes its checks again: reinstate it or not.
    case reinstatement
    /// Two checks in a row could not be decided for lack of data.
    case insufficientData = "insufficient_data"
    /// A resource in the certification's recorded scope lost its verification or its holder.
    case scopeChanged = "scope_changed"
    /// The yearly confirmation of statements and evidence.
    case reattestation
    /// The certification comes to the end of the catalog's period.
    case recertification

    /// How many working days an auditor has for an item that enforcement opens (as for an
    /// application's review by default).
    public static let taskWorkingDays = 10

    /// The item an enforcement task opens.
    public init(_ task: AuditorTask) {
        switch task {
        case .reinstatementReady: self = .reinstatement
        case .appeal: self = .appeal
        case .insufficientData: self = .insufficientData
        case .scopeChanged: self = .scopeChanged
        }
    }

    /// The kind in words, for the queue ("dispute of a check result").
    public var label: String {
        switch self {
        case .application: "application"
        case .dispute: "dispute of a check result"
        case .appeal: "appeal"
        case .reinstatement: "reinstatement"
        case .insufficientData: "insufficient data"
        case .scopeChanged: "scope changed"
        case .reattestation: "re-attestation"
        case .recertification: "recertification"
        }
    }

    /// Whether an open item of this kind has nothing left to decide once its certification is
    /// `status`: renewals and enforcement tasks end with a certification that expired or was
    /// withdrawn, and a revoked one can no longer be reinstated or warned (an appeal is its way
    /// back). Disputes and appeals stay open: their outcome still changes the public history.
    public func isMoot(once status: CertificationStatus) -> Bool {
        switch status {
        case .expired, .withdrawn: ![.application, .dispute, .appeal].contains(self)
        case .revoked: [.reinstatement, .insufficientData, .scopeChanged].contains(self)
        default: false
        }
    }

    /// Whether a MANRS+ item needs two independent approvals (granting a mark, or keeping it);
    /// disputes, appeals and enforcement tasks are decided by one independent auditor.
    public var needsTwoApprovals: Bool { [.application, .reattestation, .recertification].contains(self) }

    /// The decisions an auditor may take on this kind.
    public var decisions: [Decision] {
        switch self {
        case .application, .reattestation, .recertification: [.approve, .requestChanges, .reject]
        case .dispute, .appeal, .reinstatement, .insufficientData, .scopeChanged: [.approve, .reject]
        }
    }

    /// What a decision means for this kind, in words ("accept the dispute").
    public func words(_ decision: Decision) -> String {
        switch (self, decision) {
        case (.dispute, .approve): "accept the dispute: void the result and undo what it caused"
        case (.dispute, _): "reject the dispute: the result stands"
        case (.appeal, .approve): "grant the appeal: restore the state before what is appealed"
        case (.appeal, _): "reject the appeal: the timers run again from where they stood"
        case (.reinstatement, .approve): "reinstate the certification"
        case (.reinstatement, _): "do not reinstate: it stays suspended"
        case (.insufficientData, .approve), (.scopeChanged, .approve): "no finding: nothing changes"
        case (.insufficientData, _), (.scopeChanged, _): "finding: the participant is not conforming (a warning under MANRS+)"
        case (_, .approve): "approve"
        case (_, .requestChanges): "request changes"
        case (_, .reject): "reject"
        }
    }

    /// Why `decision` with these `reasons` is not a decision on this kind; empty when it is.
    /// Every decision other than on an application or its renewals gives its reasons, which the
    /// participant is told.
    public func decisionRefusals(_ decision: Decision, reasons: String) -> [FieldRefusal] {
        guard decisions.contains(decision) else {
            let allowed = decisions.map { words($0) }.joined(separator: "; or ")
            return [FieldRefusal("decision", "invalid", "A \(label) is decided with one of: \(allowed).")]
        }
        if !needsTwoApprovals && reasons.isEmpty {
            return [FieldRefusal("reasons", "required", "Give the reasons for this decision; the participant is told them.")]
        }
        return []
    }
}

/// What a participant writes to open a dispute or an appeal.
public enum ReviewRequestRules {
    /// The reason a participant gives (`field` names it in refusals).
    public static func statement(_ text: String, field: String = "reason") -> [FieldRefusal] {
        InputRules.text(field, text, Limits.reviewStatement, label: "The reason")
    }

    /// Only a failed result can be disputed, once, while it stands.
    public static func disputeRefusal(verdict: CheckVerdict, voided: Bool) -> Refusal? {
        if voided { return Refusal("result-voided", "This result was already voided; there is nothing left to dispute.") }
        guard verdict == .fail else {
            return Refusal(
                "not-failed", "Only a failed check result can be disputed; this one is \(verdict.rawValue.replacingOccurrences(of: "_", with: " ")).")
        }
        return nil
    }

    /// The refusal when an auditor who took part in what is appealed would decide the appeal;
    /// the enforcement machine refuses the same with the same words.
    public static let notIndependent = Refusal(
        "not-independent", "An appeal is decided by auditors who took no part in what is appealed.")
}
