import Domain
import Foundation
import Testing

/// The enforcement state machine: every event in every state, timers paused by appeals, and the
/// boundaries around each deadline.
@Suite("Enforcement machine")
struct EnforcementTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let day: TimeInterval = 86_400
    static let policy = EnforcementPolicy(mode: .enforce, warningGraceDays: 30, maxSuspensionDays: 180)
    static let auditor = UUID()
    static let otherAuditor = UUID()
    static let admin = UUID()
    static let validUntil = now.addingTimeInterval(365 * day)

    /// The transition that made each status, a day ago.
    static func latest(_ status: CertificationStatus) -> EnforcementTransition {
        let at = now.addingTimeInterval(-day)
        return switch status {
        case .active: EnforcementTransition(from: .warned, fromDeadline: at.addingTimeInterval(10 * day), to: .active, at: at)
        case .warned: EnforcementTransition(from: .active, fromDeadline: nil, to: .warned, at: at, deciders: [auditor])
        case .suspended:
            EnforcementTransition(from: .warned, fromDeadline: at.addingTimeInterval(5 * day), to: .suspended, at: at, deciders: [admin])
        case .revoked:
            EnforcementTransition(from: .suspended, fromDeadline: at.addingTimeInterval(50 * day), to: .revoked, at: at, deciders: [auditor])
        case .expired, .withdrawn: EnforcementTransition(from: .active, fromDeadline: nil, to: status, at: at)
        }
    }

    /// A certification in `status`, with the timers that status has.
    static func state(_ status: CertificationStatus, appealed: Bool = false) -> EnforcementState {
        let deadline: Date? =
            switch status {
            case .warned: now.addingTimeInterval(10 * day)
            case .suspended: now.addingTimeInterval(100 * day)
            default: nil
            }
        return EnforcementState(
            status: status, validUntil: validUntil, deadline: deadline,
            appeal: appealed ? OpenAppeal(against: latest(status), openedAt: now.addingTimeInterval(-3600)) : nil)
    }

    /// The override target used for each status in the table.
    static func overrideTarget(_ status: CertificationStatus) -> CertificationStatus { status == .active ? .suspended : .active }

    /// One sample of each event kind, with the actor allowed to cause it and the state it meets.
    static func sample(_ kind: EnforcementEvent.Kind, in status: CertificationStatus) -> (EnforcementEvent, EnforcementActor, EnforcementState) {
        let plain = state(status)
        switch kind {
        case .checkFailed: return (.checkFailed(results: [UUID()]), .scheduler, plain)
        case .reattestationMissed: return (.reattestationMissed, .scheduler, plain)
        case .auditorFinding: return (.auditorFinding(decision: UUID()), .auditor(otherAuditor), plain)
        case .checksPassed: return (.checksPassed(results: [UUID()]), .scheduler, plain)
        case .timePassed: return (.timePassed, .scheduler, plain)
        case .reinstate: return (.reinstate(decision: UUID(), checksPass: true), .auditor(otherAuditor), plain)
        case .revokeForCause: return (.revokeForCause(decision: UUID()), .auditor(otherAuditor), plain)
        case .withdraw: return (.withdraw, .participant, plain)
        case .disputeAccepted: return (.disputeAccepted(decision: UUID(), overturning: latest(status)), .auditor(otherAuditor), plain)
        case .appealOpened: return (.appealOpened(against: latest(status)), .participant, plain)
        case .appealDecided:
            let appealable: Set<CertificationStatus> = [.warned, .suspended, .revoked]
            return (.appealDecided(decision: UUID(), granted: true), .auditor(otherAuditor), state(status, appealed: appealable.contains(status)))
        case .override: return (.override(to: overrideTarget(status), reason: "Registry error corrected."), .admin(admin), plain)
        }
    }

    enum Expect: Equatable, CustomStringConvertible {
        case to(CertificationStatus)
        case refused(String)

        var description: String {
            switch self {
            case .to(let status): "→ \(status.rawValue)"
            case .refused(let code): "refused \(code)"
            }
        }
    }

    /// The table: each status's outcome for each event kind, in `EnforcementEvent.Kind.allCases` order:
    /// checkFailed, reattestationMissed, auditorFinding, checksPassed, timePassed, reinstate, revokeForCause,
    /// withdraw, disputeAccepted, appealOpened, appealDecided (granted), override.
    static let table: [CertificationStatus: [Expect]] = [
        .active: [
            .to(.warned), .to(.warned), .to(.warned), .to(.active), .to(.active), .refused("not-suspended"), .refused("not-suspended"),
            .to(.withdrawn), .to(.warned), .refused("not-appealable"), .refused("no-appeal"), .to(.suspended),
        ],
        .warned: [
            .to(.warned), .to(.warned), .to(.warned), .to(.active), .to(.warned), .refused("not-suspended"), .refused("not-suspended"),
            .to(.withdrawn), .to(.active), .to(.warned), .to(.active), .to(.active),
        ],
        .suspended: [
            .to(.suspended), .to(.suspended), .to(.suspended), .to(.suspended), .to(.suspended), .to(.active), .to(.revoked),
            .to(.withdrawn), .to(.warned), .to(.suspended), .to(.warned), .to(.active),
        ],
        .revoked: [
            .refused("revoked"), .refused("revoked"), .refused("revoked"), .refused("revoked"), .to(.revoked), .refused("revoked"),
            .refused("revoked"), .refused("revoked"), .refused("revoked"), .to(.revoked), .to(.suspended), .refused("revoked"),
        ],
        .expired: [
            .refused("final"), .refused("final"), .refused("final"), .refused("final"), .to(.expired), .refused("final"), .refused("final"),
            .refused("final"), .refused("final"), .refused("final"), .refused("final"), .refused("final"),
        ],
        .withdrawn: [
            .refused("final"), .refused("final"), .refused("final"), .refused("final"), .to(.withdrawn), .refused("final"), .refused("final"),
            .refused("final"), .refused("final"), .refused("final"), .refused("final"), .refused("final"),
        ],
    ]

    static func refusal(_ result: Result<EnforcementMachine.Outcome, Refusal>) -> String? {
        if case .failure(let refusal) = result { return refusal.code }
        return nil
    }

    static func records(_ effects: [EnforcementEffect]) -> [EnforcementRecord] {
        effects.compactMap {
            if case .record(let record) = $0 { return record }
            return nil
        }
    }

    @Test("every event in every state", arguments: CertificationStatus.allCases)
    func everyEventInEveryState(status: CertificationStatus) throws {
        let expected = try #require(Self.table[status])
        #expect(expected.count == EnforcementEvent.Kind.allCases.count)
        for (kind, expectation) in zip(EnforcementEvent.Kind.allCases, expected) {
            let (event, actor, state) = Self.sample(kind, in: status)
            let result = EnforcementMachine.apply(event, to: state, by: actor, at: Self.now, policy: Self.policy)
            let outcome: Expect =
                switch result {
                case .success(let (next, _)): .to(next.status)
                case .failure(let refusal): .refused(refusal.code)
                }
            #expect(outcome == expectation, "\(kind) in \(status)")
            // A status change is always recorded, and a recorded change is always a status change.
            if case .success(let (next, effects)) = result {
                let recorded = Self.records(effects)
                if let last = recorded.last { #expect(last.to == next.status, "\(kind) in \(status)") }
                #expect(recorded.isEmpty == (next.status == status), "\(kind) in \(status)")
                #expect(recorded.allSatisfy { $0.at == Self.now }, "\(kind) in \(status)")
            }
        }
    }

    @Test("each event is caused only by its actor: the scheduler, an auditor, the participant or an admin")
    func actors() {
        let warned = Self.state(.warned)
        func code(_ event: EnforcementEvent, _ actor: EnforcementActor) -> String? {
            if case .failure(let refusal) = EnforcementMachine.apply(event, to: warned, by: actor, at: Self.now, policy: Self.policy) {
                return refusal.code
            }
            return nil
        }
        #expect(code(.checkFailed(results: []), .participant) == "not-scheduler")
        #expect(code(.timePassed, .admin(Self.admin)) == "not-scheduler")
        #expect(code(.auditorFinding(decision: UUID()), .admin(Self.admin)) == "not-auditor")
        #expect(code(.withdraw, .auditor(Self.auditor)) == "not-participant")
        #expect(code(.override(to: .active, reason: "x"), .auditor(Self.auditor)) == "not-admin")
    }

    @Test("a confirmed failure warns with the catalog's grace period; notify-only tiers only tell the participant")
    func warning() throws {
        let failed = UUID()
        let (warned, effects) = try EnforcementMachine.apply(
            .checkFailed(results: [failed]), to: Self.state(.active), by: .scheduler, at: Self.now, policy: Self.policy
        ).get()
        let deadline = Self.now.addingTimeInterval(30 * Self.day)
        #expect(warned.status == .warned && warned.deadline == deadline)
        #expect(
            effects == [
                .record(EnforcementRecord(from: .active, to: .warned, at: Self.now, deadline: deadline, cause: .checkFailed(results: [failed]))),
                // A warned mark is on the suspension list (reversible) while it must fix the failure.
                .setStatusListBit(.suspension, true),
                .notifyParticipant(.warned, deadline: deadline),
            ])
        let notifyOnly = EnforcementPolicy(mode: .notifyOnly, warningGraceDays: 30, maxSuspensionDays: 180)
        let (unchanged, told) = try EnforcementMachine.apply(
            .checkFailed(results: [failed]), to: Self.state(.active), by: .scheduler, at: Self.now, policy: notifyOnly
        ).get()
        #expect(unchanged == Self.state(.active))
        #expect(told == [.notifyParticipant(.checkFailed, deadline: nil)])
    }

    @Test("the remediation deadline: one second before it the warning stands, at it and after it the certification is suspended")
    func warningDeadline() throws {
        let deadline = Self.now.addingTimeInterval(10 * Self.day)
        func tick(_ time: Date) throws -> (EnforcementState, [EnforcementEffect]) {
            try EnforcementMachine.apply(.timePassed, to: Self.state(.warned), by: .scheduler, at: time, policy: Self.policy).get()
        }
        let (before, none) = try tick(deadline.addingTimeInterval(-1))
        #expect(before.status == .warned && none.isEmpty)
        for time in [deadline, deadline.addingTimeInterval(1)] {
            let (after, effects) = try tick(time)
            let end = deadline.addingTimeInterval(180 * Self.day)
            #expect(after.status == .suspended && after.deadline == end)
            #expect(
                effects == [
                    // A warned certification's suspension bit is set already.
                    .record(EnforcementRecord(from: .warned, to: .suspended, at: deadline, deadline: end, cause: .deadlinePassed)),
                    .notifyParticipant(.suspended, deadline: end),
                ])
        }
        // Passing checks one second before the deadline lift the warning; at the deadline they come too late.
        let fixed = try EnforcementMachine.apply(
            .checksPassed(results: []), to: Self.state(.warned), by: .scheduler, at: deadline.addingTimeInterval(-1), policy: Self.policy
        ).get()
        #expect(fixed.state.status == .active && fixed.state.deadline == nil)
        let late = try EnforcementMachine.apply(
            .checksPassed(results: []), to: Self.state(.warned), by: .scheduler, at: deadline, policy: Self.policy
        )
        .get()
        #expect(late.state.status == .suspended)
        #expect(late.effects.last == .queueForAuditors(.reinstatementReady))
    }

    @Test("the maximum suspension and the validity end: one second before nothing happens, at them and after the certification is revoked or expires")
    func suspensionAndValidity() throws {
        let end = Self.now.addingTimeInterval(100 * Self.day)
        for (offset, status) in [(-1.0, CertificationStatus.suspended), (0, .revoked), (1, .revoked)] {
            let next = try EnforcementMachine.apply(
                .timePassed, to: Self.state(.suspended), by: .scheduler, at: end.addingTimeInterval(offset), policy: Self.policy
            ).get()
            #expect(next.state.status == status)
            if status == .revoked {
                #expect(
                    Self.records(next.effects) == [
                        EnforcementRecord(from: .suspended, to: .revoked, at: end, deadline: nil, cause: .maxSuspensionPassed)
                    ])
                #expect(next.effects.contains(.setStatusListBit(.suspension, false)) && next.effects.contains(.setStatusListBit(.revocation, true)))
            }
        }
        for status in [CertificationStatus.active, .warned, .suspended] {
            var state = Self.state(status)
            state.validUntil = Self.now.addingTimeInterval(5 * Self.day)
            for (offset, expected) in [(-1.0, status), (0, .expired), (1, .expired)] {
                let next = try EnforcementMachine.apply(
                    .timePassed, to: state, by: .scheduler, at: state.validUntil.addingTimeInterval(offset), policy: Self.policy
                ).get()
                #expect(next.state.status == expected, "\(status) at validity end \(offset)")
            }
        }
    }

    @Test("catching up after downtime applies each timer at its own time, earliest first")
    func catchUp() throws {
        let deadline = Self.now.addingTimeInterval(10 * Self.day)
        let suspensionEnd = deadline.addingTimeInterval(180 * Self.day)
        let next = try EnforcementMachine.apply(
            .timePassed, to: Self.state(.warned), by: .scheduler, at: suspensionEnd.addingTimeInterval(Self.day), policy: Self.policy
        ).get()
        #expect(next.state.status == .revoked)
        #expect(
            Self.records(next.effects) == [
                EnforcementRecord(from: .warned, to: .suspended, at: deadline, deadline: suspensionEnd, cause: .deadlinePassed),
                EnforcementRecord(from: .suspended, to: .revoked, at: suspensionEnd, deadline: nil, cause: .maxSuspensionPassed),
            ])
    }

    @Test("an open appeal pauses the escalation timers; a rejected appeal resumes them with the time that was left")
    func appealPausesTimers() throws {
        let deadline = Self.now.addingTimeInterval(10 * Self.day)
        let opened = deadline.addingTimeInterval(-5 * Self.day)
        let appealing = try EnforcementMachine.apply(
            .appealOpened(against: Self.latest(.warned)), to: Self.state(.warned), by: .participant, at: opened, policy: Self.policy
        ).get()
        #expect(appealing.effects.contains(.queueForAuditors(.appeal)))
        // Long past the deadline, the warning stands while the appeal is open.
        let decidedAt = deadline.addingTimeInterval(20 * Self.day)
        let paused = try EnforcementMachine.apply(.timePassed, to: appealing.state, by: .scheduler, at: decidedAt, policy: Self.policy).get()
        #expect(paused.state.status == .warned && paused.effects.isEmpty)
        // The auditor who gave the warning cannot decide the appeal against it.
        let own = EnforcementMachine.apply(
            .appealDecided(decision: UUID(), granted: false), to: paused.state, by: .auditor(Self.auditor), at: decidedAt, policy: Self.policy)
        #expect(Self.refusal(own) == "not-independent")
        let rejected = try EnforcementMachine.apply(
            .appealDecided(decision: UUID(), granted: false), to: paused.state, by: .auditor(Self.otherAuditor), at: decidedAt, policy: Self.policy
        ).get()
        let resumed = decidedAt.addingTimeInterval(5 * Self.day)
        #expect(rejected.state.status == .warned && rejected.state.deadline == resumed && rejected.state.appeal == nil)
        for (offset, status) in [(-1.0, CertificationStatus.warned), (0, .suspended), (1, .suspended)] {
            let next = try EnforcementMachine.apply(
                .timePassed, to: rejected.state, by: .scheduler, at: resumed.addingTimeInterval(offset), policy: Self.policy
            ).get()
            #expect(next.state.status == status)
        }
    }

    @Test("a granted appeal against a revocation restores the suspension with the time it had left; revoked is otherwise final")
    func appealAgainstRevocation() throws {
        let suspended = Self.state(.suspended)
        let revokedAt = Self.now
        let revocation = try EnforcementMachine.apply(
            .revokeForCause(decision: UUID()), to: suspended, by: .auditor(Self.auditor), at: revokedAt, policy: Self.policy
        ).get()
        #expect(revocation.state.status == .revoked)
        #expect(
            Self.refusal(
                EnforcementMachine.apply(.checksPassed(results: []), to: revocation.state, by: .scheduler, at: revokedAt, policy: Self.policy))
                == "revoked")
        let transition = EnforcementTransition(
            from: .suspended, fromDeadline: suspended.deadline, to: .revoked, at: revokedAt, deciders: [Self.auditor])
        let appealedAt = revokedAt.addingTimeInterval(7 * Self.day)
        let appeal = try EnforcementMachine.apply(
            .appealOpened(against: transition), to: revocation.state, by: .participant, at: appealedAt, policy: Self.policy
        ).get()
        let grantedAt = appealedAt.addingTimeInterval(14 * Self.day)
        let granted = try EnforcementMachine.apply(
            .appealDecided(decision: UUID(), granted: true), to: appeal.state, by: .auditor(Self.otherAuditor), at: grantedAt, policy: Self.policy
        ).get()
        #expect(granted.state.status == .suspended)
        #expect(granted.state.deadline == grantedAt.addingTimeInterval(100 * Self.day))
        // The revocation bit is never cleared: the mark gets a new credential instead.
        #expect(!granted.effects.contains(.setStatusListBit(.revocation, false)))
        #expect(granted.effects.contains(.issueNewCredential) && granted.effects.contains(.setStatusListBit(.suspension, true)))
    }

    @Test("the status lists: suspension covers warned and suspended and is cleared again; revocation is set only by a final end")
    func statusListBits() throws {
        let suspension = CertificationStatus.allCases.filter { StatusListPurpose.suspension.isSet(for: $0) }
        let revocation = CertificationStatus.allCases.filter { StatusListPurpose.revocation.isSet(for: $0) }
        #expect(suspension == [.warned, .suspended])
        #expect(revocation == [.revoked, .withdrawn])
        // A failed check warns (bit set); passing checks lift the warning (bit cleared).
        let policy = Self.policy
        let warned = try EnforcementMachine.apply(
            .checkFailed(results: [UUID()]), to: Self.state(.active), by: .scheduler, at: Self.now, policy: policy
        ).get()
        #expect(warned.state.status == .warned)
        #expect(warned.effects.contains(.setStatusListBit(.suspension, true)))
        let restored = try EnforcementMachine.apply(
            .checksPassed(results: []), to: warned.state, by: .scheduler, at: Self.now.addingTimeInterval(Self.day), policy: policy
        ).get()
        #expect(restored.state.status == .active)
        #expect(restored.effects.contains(.setStatusListBit(.suspension, false)))
        #expect(!restored.effects.contains(.issueNewCredential))
    }

    @Test("an accepted dispute undoes the warning it caused; overturning a deadline's suspension starts the grace period afresh")
    func disputes() throws {
        let warning = EnforcementTransition(from: .active, fromDeadline: nil, to: .warned, at: Self.now.addingTimeInterval(-Self.day))
        let undone = try EnforcementMachine.apply(
            .disputeAccepted(decision: UUID(), overturning: warning), to: Self.state(.warned), by: .auditor(Self.auditor), at: Self.now,
            policy: Self.policy
        ).get()
        #expect(undone.state.status == .active && undone.state.deadline == nil)
        // Only the transition behind the current status can be overturned.
        let stale = EnforcementTransition(from: .active, fromDeadline: nil, to: .warned, at: Self.now)
        #expect(
            Self.refusal(
                EnforcementMachine.apply(
                    .disputeAccepted(decision: UUID(), overturning: stale), to: Self.state(.suspended), by: .auditor(Self.auditor), at: Self.now,
                    policy: Self.policy)) == "not-latest")
        let deadline = Self.now.addingTimeInterval(-2 * Self.day)
        let byDeadline = EnforcementTransition(from: .warned, fromDeadline: deadline, to: .suspended, at: deadline)
        let restored = try EnforcementMachine.apply(
            .disputeAccepted(decision: UUID(), overturning: byDeadline), to: Self.state(.suspended), by: .auditor(Self.auditor), at: Self.now,
            policy: Self.policy
        ).get()
        #expect(restored.state.status == .warned && restored.state.deadline == Self.now.addingTimeInterval(30 * Self.day))
    }

    @Test("an override needs a reason, and cannot lift a revocation")
    func overrides() throws {
        let blank = EnforcementMachine.apply(
            .override(to: .active, reason: "  "), to: Self.state(.warned), by: .admin(Self.admin), at: Self.now, policy: Self.policy)
        #expect(Self.refusal(blank) == "reason-required")
        let lifted = EnforcementMachine.apply(
            .override(to: .active, reason: "Settled."), to: Self.state(.revoked), by: .admin(Self.admin), at: Self.now, policy: Self.policy)
        #expect(Self.refusal(lifted) == "revoked")
        let suspended = try EnforcementMachine.apply(
            .override(to: .suspended, reason: "Hijack confirmed by the RIR."), to: Self.state(.active), by: .admin(Self.admin), at: Self.now,
            policy: Self.policy
        ).get()
        #expect(suspended.state.deadline == Self.now.addingTimeInterval(180 * Self.day))
        #expect(Self.records(suspended.effects).first?.cause == .override(reason: "Hijack confirmed by the RIR."))
    }
}
