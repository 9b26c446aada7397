import Foundation

/// An auditor's declared link with a participant, for a period.
public struct Affiliation: Sendable, Equatable {
    public let participantID: UUID
    public let from: Date
    /// Nil while it lasts.
    public let until: Date?

    public init(participantID: UUID, from: Date, until: Date?) {
        self.participantID = participantID
        self.from = from
        self.until = until
    }

    public func covers(_ time: Date) -> Bool { from <= time && (until.map { time < $0 } ?? true) }
}

/// Someone who reviews: an auditor, or an admin settling a disagreement.
public struct Reviewer: Sendable, Equatable {
    public let userID: UUID
    public let role: UserRole
    public let affiliations: [Affiliation]
    /// Participants the person is a member of (their own organisation).
    public let memberships: Set<UUID>

    public init(userID: UUID, role: UserRole, affiliations: [Affiliation], memberships: Set<UUID>) {
        self.userID = userID
        self.role = role
        self.affiliations = affiliations
        self.memberships = memberships
    }
}

/// What a reviewer decides.
public enum Decision: String, Sendable, Codable, CaseIterable {
    case approve
    case requestChanges = "request_changes"
    case reject

    public var event: ApplicationEvent {
        switch self {
        case .approve: .approve
        case .requestChanges: .requestChanges
        case .reject: .reject
        }
    }
}

/// A decision already recorded in the current review round.
public struct RecordedDecision: Sendable, Equatable {
    public let reviewerID: UUID
    public let decision: Decision

    public init(reviewerID: UUID, decision: Decision) {
        self.reviewerID = reviewerID
        self.decision = decision
    }
}

/// The review item as the policy sees it.
public struct ReviewSubject: Sendable, Equatable {
    public let participantID: UUID
    public let tier: Tier
    /// Who submitted the application.
    public let submittedBy: UUID?
    /// Decisions of this round, oldest first.
    public let decisions: [RecordedDecision]
    /// Sent to an admin after two reviewers disagreed.
    public let flaggedForAdmin: Bool
    /// What the item is about.
    public let kind: ReviewKind
    /// People who took part in what an appeal is against: they may not decide it.
    public let excluded: Set<UUID>
    /// A re-attestation or recertification the participant has not confirmed yet: there is
    /// nothing to decide until it has.
    public let awaitingParticipant: Bool

    public init(
        participantID: UUID, tier: Tier, submittedBy: UUID?, decisions: [RecordedDecision], flaggedForAdmin: Bool, kind: ReviewKind = .application,
        excluded: Set<UUID> = [], awaitingParticipant: Bool = false
    ) {
        self.awaitingParticipant = awaitingParticipant
        self.participantID = participantID
        self.tier = tier
        self.submittedBy = submittedBy
        self.decisions = decisions
        self.flaggedForAdmin = flaggedForAdmin
        self.kind = kind
        self.excluded = excluded
    }
}

/// Where a decision leaves the review.
public enum ReviewOutcome: Sendable, Equatable {
    /// The application moves on with this event (approve, request changes, reject).
    case final(ApplicationEvent)
    /// MANRS+: one approval recorded; the item waits in the queue for a second auditor.
    case awaitingSecondApproval
    /// The second reviewer disagreed with the first: an admin settles it.
    case flaggedForAdmin
}

/// Independence and four-eyes rules of the review queue.
public enum ReviewPolicy {
    /// Why `reviewer` may not take or decide this item at `time`, naming the rule; nil when they may.
    public static func independenceRefusal(_ reviewer: Reviewer, subject: ReviewSubject, at time: Date) -> Refusal? {
        if subject.flaggedForAdmin {
            guard reviewer.role == .admin else {
                return Refusal("flagged-for-admin", "The reviewers disagreed; an admin settles this item.")
            }
        } else if reviewer.role != .auditor {
            return Refusal("not-auditor", "Only auditors review \(subject.kind == .application ? "applications" : "the queue's items").")
        }
        if reviewer.memberships.contains(subject.participantID) {
            return Refusal("own-organisation", "Conflict of interest: you are a member of this participant.")
        }
        if subject.submittedBy == reviewer.userID {
            return subject.kind == .application
                ? Refusal("own-application", "Conflict of interest: you submitted this application.")
                : Refusal("own-request", "Conflict of interest: you opened this item.")
        }
        if subject.excluded.contains(reviewer.userID) { return ReviewRequestRules.notIndependent }
        if let affiliation = reviewer.affiliations.first(where: { $0.participantID == subject.participantID && $0.covers(time) }) {
            let until = affiliation.until.map { " until \(day($0))" } ?? ""
            return Refusal(
                "conflict-of-interest",
                "Conflict of interest: you declared an affiliation with this participant from \(day(affiliation.from))\(until).")
        }
        return nil
    }

    /// Four eyes: who decided this round does not take or decide it again (an admin settling a
    /// flagged item decides after the auditors, never twice).
    public static func fourEyesRefusal(_ reviewer: Reviewer, subject: ReviewSubject) -> Refusal? {
        guard !subject.flaggedForAdmin, subject.decisions.contains(where: { $0.reviewerID == reviewer.userID }) else { return nil }
        return Refusal("four-eyes", "Four eyes: you already decided this round; the second decision comes from another auditor.")
    }

    /// The outcome of `decision` by `reviewer`, or the rule that refuses it.
    public static func decide(_ decision: Decision, by reviewer: Reviewer, subject: ReviewSubject, at time: Date) -> Result<ReviewOutcome, Refusal> {
        if let refusal = independenceRefusal(reviewer, subject: subject, at: time) { return .failure(refusal) }
        if subject.flaggedForAdmin { return .success(.final(decision.event)) }
        if let refusal = fourEyesRefusal(reviewer, subject: subject) { return .failure(refusal) }
        guard subject.tier == .plus, subject.kind.needsTwoApprovals else { return .success(.final(decision.event)) }
        // MANRS+: granting needs two independent approvals; refusing or sending back needs one.
        guard subject.decisions.contains(where: { $0.decision == .approve }) else {
            return .success(decision == .approve ? .awaitingSecondApproval : .final(decision.event))
        }
        return .success(decision == .approve ? .final(.approve) : .flaggedForAdmin)
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}

/// Service levels counted in working days (Monday to Friday, UTC).
public enum WorkingDays {
    /// `date` plus `days` working days, at the same time of day.
    public static func add(_ days: Int, to date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var result = date
        var remaining = days
        while remaining > 0 {
            result = calendar.date(byAdding: .day, value: 1, to: result)!
            let weekday = calendar.component(.weekday, from: result)  // 1 = Sunday, 7 = Saturday
            if weekday != 1 && weekday != 7 { remaining -= 1 }
        }
        return result
    }
}
