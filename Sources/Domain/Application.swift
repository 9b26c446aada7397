import Foundation

/// Where an application is in its life.
public enum ApplicationState: String, Sendable, Codable, CaseIterable {
    case draft
    case submitted
    case inReview = "in_review"
    case changesRequested = "changes_requested"
    case approved
    case rejected
    case withdrawn

    /// No event moves an application out of these.
    public var isFinal: Bool { self == .approved || self == .rejected || self == .withdrawn }

    /// The applicant may edit commitments and evidence.
    public var isEditable: Bool { self == .draft || self == .changesRequested }
}

/// Something that happens to an application.
public enum ApplicationEvent: String, Sendable, CaseIterable {
    /// The applicant sends a complete application (again, after changes were requested).
    case submit
    /// An auditor claims it from the queue: the review starts.
    case startReview
    /// The review's outcome: back to the applicant with comments.
    case requestChanges
    /// The review's outcome: granted (after the second approval for MANRS+).
    case approve
    /// The review's outcome: refused, with reasons.
    case reject
    /// The applicant gives up, any time before a decision.
    case withdraw
}

/// Who makes an event happen, as the state machine sees them.
public enum ApplicationActor: Sendable, Equatable {
    /// A member of the applying participant.
    case applicant
    /// An auditor (or, for flagged disagreements, an admin) acting through the review queue.
    case reviewer
    /// Someone else.
    case other

    /// How the state machine sees a signed-in person acting on `participant`'s application
    /// directly (not through the review queue): a member is the applicant, anyone else is not.
    public static func direct(_ actor: Actor?, on participant: UUID) -> ApplicationActor {
        actor?.memberships[participant] != nil ? .applicant : .other
    }
}

/// The application state machine: (state, event, actor, time) → new state, or why not. The
/// time is recorded by callers; no rule here depends on the clock.
public enum ApplicationMachine {
    public static func apply(
        _ event: ApplicationEvent, to state: ApplicationState, by actor: ApplicationActor, at time: Date
    ) -> Result<ApplicationState, Refusal> {
        let applicantEvents: Set<ApplicationEvent> = [.submit, .withdraw]
        if applicantEvents.contains(event) && actor != .applicant {
            return .failure(Refusal("not-applicant", "Only the participant's members can \(verb(event)) an application."))
        }
        if !applicantEvents.contains(event) && actor != .reviewer {
            return .failure(Refusal("not-reviewer", "Only a reviewer can \(verb(event)) an application."))
        }
        switch (event, state) {
        case (.submit, .draft), (.submit, .changesRequested): return .success(.submitted)
        case (.startReview, .submitted): return .success(.inReview)
        case (.requestChanges, .inReview): return .success(.changesRequested)
        case (.approve, .inReview): return .success(.approved)
        case (.reject, .inReview): return .success(.rejected)
        case (.withdraw, .draft), (.withdraw, .submitted), (.withdraw, .inReview), (.withdraw, .changesRequested): return .success(.withdrawn)
        default:
            return .failure(
                Refusal(
                    "invalid-transition",
                    "An application that is \(state.rawValue.replacingOccurrences(of: "_", with: " ")) cannot be \(participle(event))."
                ))
        }
    }

    static func verb(_ event: ApplicationEvent) -> String {
        switch event {
        case .submit: "submit"
        case .startReview: "start reviewing"
        case .requestChanges: "request changes to"
        case .approve: "approve"
        case .reject: "reject"
        case .withdraw: "withdraw"
        }
    }

    static func participle(_ event: ApplicationEvent) -> String {
        switch event {
        case .submit: "submitted"
        case .startReview: "taken into review"
        case .requestChanges: "sent back for changes"
        case .approve: "approved"
        case .reject: "rejected"
        case .withdraw: "withdrawn"
        }
    }
}

/// What a commitment holds, for the completeness check.
public struct CommitmentSummary: Sendable, Equatable {
    public let actionCode: String
    public let hasStatement: Bool
    /// Kinds of current (not superseded) evidence attached: `document`, `url`, `statement`.
    public let evidenceKinds: Set<EvidenceKind>

    public init(actionCode: String, hasStatement: Bool, evidenceKinds: Set<EvidenceKind>) {
        self.actionCode = actionCode
        self.hasStatement = hasStatement
        self.evidenceKinds = evidenceKinds
    }
}

/// One thing an application lacks before it can be submitted.
public struct MissingItem: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The action concerned, or nil for the admission rule as a whole.
    public let action: String?
    public let code: String
    public let message: String

    public var description: String { message }
}

extension CatalogDocument {
    /// Everything an application at `tier` with these commitments lacks, action by action: the
    /// admission rule, then for each commitment its statement and the evidence its action asks
    /// for (automated measurements need no upload). Empty when it can be submitted.
    public func missing(at tier: Tier, commitments: [CommitmentSummary]) -> [MissingItem] {
        var items: [MissingItem] = []
        for requirement in missing(at: tier, committed: Set(commitments.map(\.actionCode))) {
            switch requirement {
            case .mandatoryAction(let code, _):
                items.append(MissingItem(action: code, code: "mandatory_action", message: requirement.description))
            case .group:
                items.append(MissingItem(action: nil, code: "admission_group", message: requirement.description))
            }
        }
        let byCode = Dictionary(uniqueKeysWithValues: actions.map { ($0.code, $0) })
        for commitment in commitments.sorted(by: { $0.actionCode < $1.actionCode }) {
            guard let action = byCode[commitment.actionCode], action.tier <= tier else {
                items.append(
                    MissingItem(
                        action: commitment.actionCode, code: "unknown_action",
                        message: "\(commitment.actionCode) is not an action of this catalog at \(tier.rawValue)."))
                continue
            }
            if action.evidence.contains(.statement) && !commitment.hasStatement {
                items.append(MissingItem(action: action.code, code: "statement", message: "\(action.code): describe how you implement it."))
            }
            if action.evidence.contains(.document) && !commitment.evidenceKinds.contains(.document) {
                items.append(MissingItem(action: action.code, code: "document", message: "\(action.code): upload a document as evidence."))
            }
            if action.evidence.contains(.url) && !commitment.evidenceKinds.contains(.url) {
                items.append(MissingItem(action: action.code, code: "url", message: "\(action.code): give a URL as evidence."))
            }
        }
        return items
    }
}
