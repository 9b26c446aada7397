import Foundation

/// How a tier enforces its catalog: MANRS+ warns, suspends and revokes; baseline, as MANRS
/// works today, only tells the participant.
public enum EnforcementMode: String, Sendable, Codable, CaseIterable {
    case enforce
    case notifyOnly = "notify_only"
}

/// The timings and mode a certification is enforced with (the catalog's per-tier enforcement).
public struct EnforcementPolicy: Sendable, Equatable {
    public let mode: EnforcementMode
    /// From a warning to suspension.
    public let warningGrace: TimeInterval
    /// From suspension to revocation.
    public let maxSuspension: TimeInterval

    public init(mode: EnforcementMode, warningGraceDays: Int, maxSuspensionDays: Int) {
        self.mode = mode
        self.warningGrace = TimeInterval(warningGraceDays) * 86_400
        self.maxSuspension = TimeInterval(maxSuspensionDays) * 86_400
    }
}

/// A transition that happened, as later events (a dispute, an appeal) need to see it.
public struct EnforcementTransition: Sendable, Equatable {
    public let from: CertificationStatus
    /// The escalation deadline the certification had before it (nil for none).
    public let fromDeadline: Date?
    public let to: CertificationStatus
    public let at: Date
    /// The people who decided it (auditors, admins); empty when the scheduler did.
    public let deciders: Set<UUID>

    public init(from: CertificationStatus, fromDeadline: Date?, to: CertificationStatus, at: Date, deciders: Set<UUID> = []) {
        self.from = from
        self.fromDeadline = fromDeadline
        self.to = to
        self.at = at
        self.deciders = deciders
    }
}

/// An appeal waiting for its decision; the escalation timers stand still meanwhile.
public struct OpenAppeal: Sendable, Equatable {
    public let against: EnforcementTransition
    public let openedAt: Date

    public init(against: EnforcementTransition, openedAt: Date) {
        self.against = against
        self.openedAt = openedAt
    }
}

/// A certification as enforcement sees it: its status and its timers.
public struct EnforcementState: Sendable, Equatable {
    public var status: CertificationStatus
    /// The end of the certification's validity: it expires then unless recertified.
    public var validUntil: Date
    /// `warned`: the remediation deadline; `suspended`: the end of the maximum suspension.
    /// While an appeal is open this is the deadline as it stood when the appeal was opened.
    public var deadline: Date?
    public var appeal: OpenAppeal?

    public init(status: CertificationStatus, validUntil: Date, deadline: Date? = nil, appeal: OpenAppeal? = nil) {
        self.status = status
        self.validUntil = validUntil
        self.deadline = deadline
        self.appeal = appeal
    }

    /// Whether no event but a granted appeal against a revocation changes it any more.
    public var isFinal: Bool { !status.isInForce }
}

/// Who makes an enforcement event happen.
public enum EnforcementActor: Sendable, Equatable {
    /// The periodic checks and timers.
    case scheduler
    /// A member of the certified participant.
    case participant
    case auditor(UUID)
    case admin(UUID)

    var person: UUID? {
        switch self {
        case .auditor(let id), .admin(let id): id
        case .scheduler, .participant: nil
        }
    }
}

/// Something that happens to a certification.
public enum EnforcementEvent: Sendable, Equatable {
    /// A failed mandatory check, confirmed over the check's window.
    case checkFailed(results: [UUID])
    /// The yearly re-attestation was not made in time.
    case reattestationMissed
    /// An auditor found the participant not conforming.
    case auditorFinding(decision: UUID)
    /// Every failing item passes again.
    case checksPassed(results: [UUID])
    /// Time passed: a remediation deadline, the maximum suspension or the validity may end.
    case timePassed
    /// An auditor reinstates a suspended certification; its checks must pass.
    case reinstate(decision: UUID, checksPass: Bool)
    /// An auditor revokes a suspended certification for cause.
    case revokeForCause(decision: UUID)
    /// The participant gives the certification up.
    case withdraw
    /// An auditor accepted a dispute of the result that caused `overturning`.
    case disputeAccepted(decision: UUID, overturning: EnforcementTransition)
    /// The participant appeals against a warning, suspension or revocation.
    case appealOpened(against: EnforcementTransition)
    /// An auditor who took no part in the appealed transition decides the appeal.
    case appealDecided(decision: UUID, granted: Bool)
    /// An admin sets the status, with a recorded reason.
    case override(to: CertificationStatus, reason: String)

    /// The event without its payload, for tables.
    public enum Kind: String, Sendable, CaseIterable {
        case checkFailed, reattestationMissed, auditorFinding, checksPassed, timePassed, reinstate, revokeForCause, withdraw
        case disputeAccepted, appealOpened, appealDecided, override
    }

    public var kind: Kind {
        switch self {
        case .checkFailed: .checkFailed
        case .reattestationMissed: .reattestationMissed
        case .auditorFinding: .auditorFinding
        case .checksPassed: .checksPassed
        case .timePassed: .timePassed
        case .reinstate: .reinstate
        case .revokeForCause: .revokeForCause
        case .withdraw: .withdraw
        case .disputeAccepted: .disputeAccepted
        case .appealOpened: .appealOpened
        case .appealDecided: .appealDecided
        case .override: .override
        }
    }
}

/// Why a transition happened, recorded with it.
public enum EnforcementCause: Sendable, Equatable {
    case checkFailed(results: [UUID])
    case reattestationMissed
    case auditorFinding(decision: UUID)
    case checksPassed(results: [UUID])
    case deadlinePassed
    case maxSuspensionPassed
    case validityEnded
    case reinstatement(decision: UUID)
    case revokedForCause(decision: UUID)
    case withdrawal
    case disputeAccepted(decision: UUID)
    case appealGranted(decision: UUID)
    case override(reason: String)
}

/// A transition to record, in the same transaction as its audit event.
public struct EnforcementRecord: Sendable, Equatable {
    public let from: CertificationStatus
    public let to: CertificationStatus
    /// When it happened: the event's time, or the timer's end when the scheduler catches up.
    public let at: Date
    /// The new state's escalation deadline, if any.
    public let deadline: Date?
    public let cause: EnforcementCause

    public init(from: CertificationStatus, to: CertificationStatus, at: Date, deadline: Date?, cause: EnforcementCause) {
        self.from = from
        self.to = to
        self.at = at
        self.deadline = deadline
        self.cause = cause
    }
}

/// What the participant is told.
public enum EnforcementNotice: String, Sendable, Equatable {
    /// A failed check under a notify-only policy, or while already warned or suspended.
    case checkFailed = "check_failed"
    case reattestationMissed = "reattestation_missed"
    case auditorFinding = "auditor_finding"
    case warned, suspended, reinstated, revoked, expired, withdrawn
    /// A warning lifted because every failing item passes again.
    case restored
    case disputeAccepted = "dispute_accepted"
    case appealOpened = "appeal_opened"
    case appealGranted = "appeal_granted"
    case appealRejected = "appeal_rejected"
    case overridden
}

/// The two bits a certification's credential has in the published status lists (issue 13).
public enum StatusListPurpose: String, Sendable, Equatable, CaseIterable {
    /// Reversible: set while the certification is warned or suspended, cleared when it is active again.
    case suspension
    /// Final: set when the certification is revoked or withdrawn, and never cleared. A revocation
    /// overturned on appeal issues a new credential instead (`EnforcementEffect.issueNewCredential`).
    case revocation

    /// Whether `status` sets this bit.
    public func isSet(for status: CertificationStatus) -> Bool {
        switch self {
        case .suspension: status == .warned || status == .suspended
        case .revocation: status == .revoked || status == .withdrawn
        }
    }
}

/// Work for the auditors that enforcement creates.
public enum AuditorTask: String, Sendable, Equatable {
    /// A suspended certification passes its checks again: decide on reinstatement.
    case reinstatementReady = "reinstatement_ready"
    /// An appeal to decide, by auditors who took no part in what is appealed.
    case appeal
    /// Two checks in a row could not be decided for lack of data.
    case insufficientData = "insufficient_data"
    /// A resource in the certification's recorded scope lost its verification or its holder.
    case scopeChanged = "scope_changed"
}

/// What the caller must do besides storing the new state.
public enum EnforcementEffect: Sendable, Equatable {
    case record(EnforcementRecord)
    case notifyParticipant(EnforcementNotice, deadline: Date?)
    case setStatusListBit(StatusListPurpose, Bool)
    case queueForAuditors(AuditorTask)
    /// The credential's revocation bit is set and can never be cleared: when a revocation is
    /// overturned, the mark gets a new credential (same mark id, new status-list entries).
    case issueNewCredential
}

/// The enforcement state machine (issue 12 §4): (state, event, actor, time, policy) → new state
/// and effects, or why not. Pure: the time is a parameter, the caller stores what it returns.
///
/// Every event first lets time pass up to `time` (unless an appeal holds the escalation timers),
/// so an event arriving exactly at a deadline meets the state the deadline made.
public enum EnforcementMachine {
    public typealias Outcome = (state: EnforcementState, effects: [EnforcementEffect])

    public static func apply(
        _ event: EnforcementEvent, to state: EnforcementState, by actor: EnforcementActor, at time: Date, policy: EnforcementPolicy
    ) -> Result<Outcome, Refusal> {
        if let refusal = actorRefusal(event, actor) { return .failure(refusal) }
        var current = state
        var effects = catchUp(&current, to: time, policy: policy)
        let applied = handle(event, current, by: actor, at: time, policy: policy)
        switch applied {
        case .failure(let refusal): return .failure(refusal)
        case .success(let (next, more)):
            effects += more
            return .success((next, effects))
        }
    }

    /// Who may cause each event.
    static func actorRefusal(_ event: EnforcementEvent, _ actor: EnforcementActor) -> Refusal? {
        switch (event.kind, actor) {
        case (.checkFailed, .scheduler), (.reattestationMissed, .scheduler), (.checksPassed, .scheduler), (.timePassed, .scheduler): nil
        case (.checkFailed, _), (.reattestationMissed, _), (.checksPassed, _), (.timePassed, _):
            Refusal("not-scheduler", "Only the scheduled checks record check results and the passing of time.")
        case (.auditorFinding, .auditor), (.reinstate, .auditor), (.revokeForCause, .auditor), (.disputeAccepted, .auditor),
            (.appealDecided, .auditor):
            nil
        case (.auditorFinding, _), (.reinstate, _), (.revokeForCause, _), (.disputeAccepted, _), (.appealDecided, _):
            Refusal("not-auditor", "Only an auditor can make this decision.")
        case (.withdraw, .participant), (.appealOpened, .participant): nil
        case (.withdraw, _), (.appealOpened, _): Refusal("not-participant", "Only the certified participant can do this.")
        case (.override, .admin): nil
        case (.override, _): Refusal("not-admin", "Only an admin can override enforcement.")
        }
    }

    /// Applies every timer that ended by `time`, earliest first, each at its own time.
    static func catchUp(_ state: inout EnforcementState, to time: Date, policy: EnforcementPolicy) -> [EnforcementEffect] {
        var effects: [EnforcementEffect] = []
        while state.status.isInForce {
            let escalation = state.appeal == nil ? state.deadline : nil
            if let deadline = escalation, deadline <= state.validUntil, deadline <= time {
                switch state.status {
                case .warned:
                    effects += move(
                        &state, to: .suspended, at: deadline, deadline: deadline.addingTimeInterval(policy.maxSuspension), cause: .deadlinePassed)
                case .suspended:
                    effects += move(&state, to: .revoked, at: deadline, deadline: nil, cause: .maxSuspensionPassed)
                default:
                    state.deadline = nil
                }
            } else if state.validUntil <= time {
                effects += move(&state, to: .expired, at: state.validUntil, deadline: nil, cause: .validityEnded)
            } else {
                break
            }
        }
        return effects
    }

    static func handle(
        _ event: EnforcementEvent, _ state: EnforcementState, by actor: EnforcementActor, at time: Date, policy: EnforcementPolicy
    ) -> Result<Outcome, Refusal> {
        var next = state
        if state.status == .revoked && [.appealOpened, .appealDecided].contains(event.kind) {
            // The one way out of a revocation: an appeal against it that succeeds.
        } else if state.isFinal {
            if event == .timePassed { return .success((state, [])) }
            return .failure(finalRefusal(state.status))
        }
        switch event {
        case .timePassed:
            return .success((state, []))

        case .checkFailed(let results):
            return escalate(state, at: time, policy: policy, cause: .checkFailed(results: results), notice: .checkFailed)
        case .reattestationMissed:
            return escalate(state, at: time, policy: policy, cause: .reattestationMissed, notice: .reattestationMissed)
        case .auditorFinding(let decision):
            return escalate(state, at: time, policy: policy, cause: .auditorFinding(decision: decision), notice: .auditorFinding)

        case .checksPassed(let results):
            switch state.status {
            case .warned:
                let effects = move(&next, to: .active, at: time, deadline: nil, cause: .checksPassed(results: results))
                next.appeal = nil
                return .success((next, effects + [.notifyParticipant(.restored, deadline: nil)]))
            case .suspended:
                return .success((state, [.queueForAuditors(.reinstatementReady)]))
            default:
                return .success((state, []))
            }

        case .reinstate(let decision, let checksPass):
            guard state.status == .suspended else {
                return .failure(Refusal("not-suspended", "Only a suspended certification can be reinstated; this one is \(state.status.rawValue)."))
            }
            guard checksPass else {
                return .failure(Refusal("checks-failing", "A certification is reinstated only once its checks pass again."))
            }
            let effects = move(&next, to: .active, at: time, deadline: nil, cause: .reinstatement(decision: decision))
            next.appeal = nil
            return .success((next, effects + [.notifyParticipant(.reinstated, deadline: nil)]))

        case .revokeForCause(let decision):
            guard state.status == .suspended else {
                return .failure(Refusal("not-suspended", "Only a suspended certification can be revoked; this one is \(state.status.rawValue)."))
            }
            let effects = move(&next, to: .revoked, at: time, deadline: nil, cause: .revokedForCause(decision: decision))
            next.appeal = nil
            return .success((next, effects + [.notifyParticipant(.revoked, deadline: nil)]))

        case .withdraw:
            let effects = move(&next, to: .withdrawn, at: time, deadline: nil, cause: .withdrawal)
            next.appeal = nil
            return .success((next, effects + [.notifyParticipant(.withdrawn, deadline: nil)]))

        case .disputeAccepted(let decision, let overturned):
            if let refusal = overturnRefusal(overturned, state) { return .failure(refusal) }
            return .success(
                restore(state, overturned, at: time, policy: policy, cause: .disputeAccepted(decision: decision), notice: .disputeAccepted))

        case .appealOpened(let against):
            guard [.warned, .suspended, .revoked].contains(against.to) else {
                return .failure(Refusal("not-appealable", "Only a warning, a suspension or a revocation can be appealed."))
            }
            if let refusal = overturnRefusal(against, state) { return .failure(refusal) }
            guard state.appeal == nil else { return .failure(Refusal("appeal-open", "An appeal is already open for this certification.")) }
            next.appeal = OpenAppeal(against: against, openedAt: time)
            return .success((next, [.queueForAuditors(.appeal), .notifyParticipant(.appealOpened, deadline: nil)]))

        case .appealDecided(let decision, let granted):
            guard let appeal = state.appeal else { return .failure(Refusal("no-appeal", "No appeal is open for this certification.")) }
            if let person = actor.person, appeal.against.deciders.contains(person) {
                return .failure(Refusal("not-independent", "An appeal is decided by auditors who took no part in what is appealed."))
            }
            if granted {
                return .success(
                    restore(state, appeal.against, at: time, policy: policy, cause: .appealGranted(decision: decision), notice: .appealGranted))
            }
            // Rejected: the timers run again from where they stood.
            next.appeal = nil
            next.deadline = state.deadline.map { $0.addingTimeInterval(time.timeIntervalSince(appeal.openedAt)) }
            return .success((next, [.notifyParticipant(.appealRejected, deadline: next.deadline)]))

        case .override(let status, let reason):
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .failure(Refusal("reason-required", "An override needs a reason, which is recorded with it."))
            }
            guard status != state.status else {
                return .failure(Refusal("same-status", "The certification is already \(state.status.rawValue)."))
            }
            let deadline: Date? =
                switch status {
                case .warned: time.addingTimeInterval(policy.warningGrace)
                case .suspended: time.addingTimeInterval(policy.maxSuspension)
                default: nil
                }
            var effects = move(&next, to: status, at: time, deadline: deadline, cause: .override(reason: reason))
            next.appeal = nil
            effects.append(.notifyParticipant(.overridden, deadline: deadline))
            return .success((next, effects))
        }
    }

    /// A failure, a missed re-attestation or a finding: an active certification is warned under
    /// an enforcing policy; otherwise the participant is told and nothing changes.
    static func escalate(
        _ state: EnforcementState, at time: Date, policy: EnforcementPolicy, cause: EnforcementCause, notice: EnforcementNotice
    ) -> Result<Outcome, Refusal> {
        guard state.status == .active, policy.mode == .enforce else {
            return .success((state, [.notifyParticipant(notice, deadline: state.appeal == nil ? state.deadline : nil)]))
        }
        var next = state
        let deadline = time.addingTimeInterval(policy.warningGrace)
        var effects = move(&next, to: .warned, at: time, deadline: deadline, cause: cause)
        effects.append(.notifyParticipant(.warned, deadline: deadline))
        return .success((next, effects))
    }

    /// Only the latest transition can be overturned: the one that made the current status.
    static func overturnRefusal(_ transition: EnforcementTransition, _ state: EnforcementState) -> Refusal? {
        guard transition.to == state.status, transition.from != transition.to else {
            return Refusal("not-latest", "Only the transition that gave the certification its current status can be overturned.")
        }
        return nil
    }

    /// Back to the state before `overturned`, with the time its timer had left then. When a
    /// timer's end made the overturned transition (nothing was left), the timer starts afresh:
    /// a granted appeal never escalates again at once.
    static func restore(
        _ state: EnforcementState, _ overturned: EnforcementTransition, at time: Date, policy: EnforcementPolicy, cause: EnforcementCause,
        notice: EnforcementNotice
    ) -> Outcome {
        var next = state
        let deadline = overturned.fromDeadline.map { fromDeadline -> Date in
            let left = fromDeadline.timeIntervalSince(overturned.at)
            if left > 0 { return time.addingTimeInterval(left) }
            return time.addingTimeInterval(overturned.from == .suspended ? policy.maxSuspension : policy.warningGrace)
        }
        var effects = move(&next, to: overturned.from, at: time, deadline: deadline, cause: cause)
        next.appeal = nil
        effects.append(.notifyParticipant(notice, deadline: deadline))
        return (next, effects)
    }

    /// Changes the status and says what follows: the record and the status-list bits that change.
    static func move(
        _ state: inout EnforcementState, to status: CertificationStatus, at time: Date, deadline: Date?, cause: EnforcementCause
    ) -> [EnforcementEffect] {
        let from = state.status
        state.status = status
        state.deadline = deadline
        if !status.isInForce { state.appeal = nil }
        var effects: [EnforcementEffect] = [.record(EnforcementRecord(from: from, to: status, at: time, deadline: deadline, cause: cause))]
        // Revocation first: when it asks for a new credential, the suspension bit that follows is the new one's.
        for purpose in [StatusListPurpose.revocation, .suspension] where purpose.isSet(for: from) != purpose.isSet(for: status) {
            if purpose == .revocation && !purpose.isSet(for: status) {
                effects.append(.issueNewCredential)
            } else {
                effects.append(.setStatusListBit(purpose, purpose.isSet(for: status)))
            }
        }
        switch cause {
        case .deadlinePassed: effects.append(.notifyParticipant(.suspended, deadline: deadline))
        case .maxSuspensionPassed: effects.append(.notifyParticipant(.revoked, deadline: nil))
        case .validityEnded: effects.append(.notifyParticipant(.expired, deadline: nil))
        default: break
        }
        return effects
    }

    static func finalRefusal(_ status: CertificationStatus) -> Refusal {
        switch status {
        case .revoked: Refusal("revoked", "A revoked certification changes only when an appeal against its revocation succeeds.")
        default: Refusal("final", "This certification is \(status.rawValue); nothing more happens to it.")
        }
    }
}
