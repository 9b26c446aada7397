import Foundation

/// Where a review item is in the auditors' queue.
public enum ReviewStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for a reviewer (or being reviewed by the holder of a claim).
    case open
    /// MANRS+: one approval recorded; waiting for a second, independent auditor.
    case awaitingSecond = "awaiting_second"
    /// The two reviewers disagreed: an admin settles it.
    case flagged
    /// Decided; nothing more happens to it.
    case closed

    /// The status as people read it ("awaiting second").
    public var label: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}

/// Someone's hold on a review item, until it expires.
public struct ReviewClaim: Sendable, Equatable {
    public let holder: UUID
    /// The holder's name, for messages; nil when not known.
    public let holderName: String?
    public let expiresAt: Date

    public init(holder: UUID, holderName: String? = nil, expiresAt: Date) {
        self.holder = holder
        self.holderName = holderName
        self.expiresAt = expiresAt
    }

    /// Whether the claim still holds at `time`: the one place this is decided.
    public func isLive(at time: Date) -> Bool { expiresAt > time }
}

/// A review item as its rules see it: its status, its claim, and what the policy needs.
public struct ReviewState: Sendable, Equatable {
    public let status: ReviewStatus
    /// The last claim taken, live or expired; nil when released or never taken.
    public let claim: ReviewClaim?
    public let subject: ReviewSubject

    public init(status: ReviewStatus, claim: ReviewClaim?, subject: ReviewSubject) {
        self.status = status
        self.claim = claim
        self.subject = subject
    }

    /// The claim when it still holds at `time`.
    public func liveClaim(at time: Date) -> ReviewClaim? { claim.flatMap { $0.isLive(at: time) ? $0 : nil } }

    /// Whether `user` holds a live claim at `time`.
    public func isHeld(by user: UUID, at time: Date) -> Bool { liveClaim(at: time)?.holder == user }

    /// Whether anyone may take the item at `time`: not closed and not held.
    public func isClaimable(at time: Date) -> Bool { status != .closed && liveClaim(at: time) == nil }
}

/// Why a review command does not happen: a rule about the person (403) or about the item's
/// current state, which someone else may have just changed (409).
public enum ReviewRefusal: Error, Sendable, Equatable {
    case forbidden(Refusal)
    case conflict(Refusal)

    public var refusal: Refusal {
        switch self {
        case .forbidden(let refusal), .conflict(let refusal): refusal
        }
    }
}

/// What a review command asks of the rest of the system besides the item's new state.
public enum ReviewEffect: Sendable, Equatable {
    /// The first claim of a round starts the application's review (when it is still submitted).
    case startApplicationReview
    /// The round is decided: the application moves on with this event.
    case applicationEvent(ApplicationEvent)
}

/// The review item's transitions: (state, command, person, time) → new state and effects, or
/// why not. The store loads the state, calls one of these and writes what it returns.
public enum ReviewMachine {
    /// `reviewer` takes the item for `lease`. Refused when the reviewer is not independent, the
    /// item is closed, someone else holds a live claim, or the reviewer already decided this round.
    public static func claim(
        _ state: ReviewState, by reviewer: Reviewer, at time: Date, lease: TimeInterval
    ) -> Result<(ReviewState, [ReviewEffect]), ReviewRefusal> {
        if let refusal = ReviewPolicy.independenceRefusal(reviewer, subject: state.subject, at: time) { return .failure(.forbidden(refusal)) }
        guard state.status != .closed else { return .failure(.conflict(Refusal("review-closed", "This review is closed."))) }
        if let claim = state.liveClaim(at: time), claim.holder != reviewer.userID {
            return .failure(
                .conflict(
                    Refusal("already-claimed", "\(claim.holderName ?? "Another reviewer") holds this item until \(timestamp(claim.expiresAt)).")))
        }
        if let refusal = ReviewPolicy.fourEyesRefusal(reviewer, subject: state.subject) { return .failure(.forbidden(refusal)) }
        let claimed = ReviewState(
            status: state.status, claim: ReviewClaim(holder: reviewer.userID, expiresAt: time.addingTimeInterval(lease)), subject: state.subject)
        return .success((claimed, [.startApplicationReview]))
    }

    /// `actor` gives the item back to the queue: its holder (even after the claim expired) or an admin.
    public static func release(_ state: ReviewState, by actor: Actor) -> Result<(ReviewState, [ReviewEffect]), ReviewRefusal> {
        guard let claim = state.claim else { return .failure(.conflict(Refusal("not-claimed", "Nobody holds this item."))) }
        guard claim.holder == actor.userID || actor.role == .admin else {
            return .failure(.forbidden(Refusal("not-holder", "Only the reviewer holding the item, or an admin, can release it.")))
        }
        return .success((ReviewState(status: state.status, claim: nil, subject: state.subject), []))
    }

    /// Whether someone with `role` may be handed an item by an admin: only auditors review.
    public static func assignmentRefusal(assigneeRole role: UserRole?) -> Refusal? { role == .auditor ? nil : notAuditor }

    public static let notAuditor = Refusal("not_auditor", "Items can be assigned only to an active auditor.")

    /// The holder of a live claim decides. Someone who may never decide this item hears why,
    /// whatever its state; then a decided item, or a claim held by nobody or someone else, is a
    /// conflict, so of concurrent attempts one wins and the rest learn it was decided.
    public static func decide(
        _ state: ReviewState, _ decision: Decision, by reviewer: Reviewer, at time: Date
    ) -> Result<(ReviewState, ReviewOutcome), ReviewRefusal> {
        if let refusal = ReviewPolicy.independenceRefusal(reviewer, subject: state.subject, at: time) { return .failure(.forbidden(refusal)) }
        guard state.status != .closed else { return .failure(.conflict(Refusal("review-closed", "This review is already decided."))) }
        if state.subject.awaitingParticipant { return .failure(.conflict(notConfirmed(state.subject.kind))) }
        guard state.isHeld(by: reviewer.userID, at: time) else {
            return .failure(
                .conflict(
                    Refusal("claim-required", "Claim the item before deciding it (or claim it again: your claim has expired or was taken).")))
        }
        switch ReviewPolicy.decide(decision, by: reviewer, subject: state.subject, at: time) {
        case .failure(let refusal): return .failure(.forbidden(refusal))
        case .success(let outcome):
            let status: ReviewStatus =
                switch outcome {
                case .awaitingSecondApproval: .awaitingSecond
                case .flaggedForAdmin: .flagged
                case .final: .closed
                }
            return .success((ReviewState(status: status, claim: nil, subject: state.subject), outcome))
        }
    }

    /// The refusal to decide a renewal the participant has not confirmed (409 `renewal-not-confirmed`).
    public static func notConfirmed(_ kind: ReviewKind) -> Refusal {
        Refusal(
            "renewal-not-confirmed",
            "The participant has not confirmed this \(kind.label) yet: it can be decided once they have confirmed or updated their statements and evidence."
        )
    }

    static func timestamp(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
}
