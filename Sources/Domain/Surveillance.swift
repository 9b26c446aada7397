import Foundation

/// The periodic conformance checks of certifications in force (issue 12 §3): when a check is
/// due, which checks a certification answers for, and what its verdicts make happen. Pure; the
/// check runner (`Store/Certifications/CheckRunStore.swift`) measures and records.
public enum SurveillanceRules {
    /// Whether a certification last checked at `lastChecked` (nil: never) is due at `time` under
    /// its tier's cadence. Never checked is due; so is a certification whose catalog sets no cadence
    /// (it is checked at every run rather than never). A warned or suspended one is checked daily,
    /// so that a fix is seen before its deadline (the cadence alone could first look at it then).
    public static func isDue(lastChecked: Date?, cadence: Cadence?, status: CertificationStatus = .active, at time: Date) -> Bool {
        guard let lastChecked else { return true }
        if status == .warned || status == .suspended { return lastChecked.addingTimeInterval(remediationInterval) <= time }
        guard let cadence, cadence.automatedCheckDays > 0 else { return true }
        return lastChecked.addingTimeInterval(TimeInterval(cadence.automatedCheckDays) * 86_400) <= time
    }

    /// How often a warned or suspended certification is checked.
    public static let remediationInterval: TimeInterval = 86_400

    /// The actions a certification answers for: those it committed to, and every action
    /// mandatory at its tier.
    public static func actions(of catalog: CatalogDocument, committed: [String], tier: Tier) -> [Action] {
        let committed = Set(committed)
        return catalog.actions.filter { $0.tier <= tier && (committed.contains($0.code) || $0.isMandatory(at: tier)) }
    }

    /// What a run's verdicts make happen. `verdicts` are this run's, by check key;
    /// `previouslyFailing` the keys of the checks that failed at the previous run.
    /// A failure is `.checkFailed`; no failure, with every check that failed before now passing,
    /// is `.checksPassed` (for a warned or suspended certification: the machine decides what
    /// that means); otherwise nothing. Insufficient data is never a failure. A warning the checks
    /// did not cause (`warnedByChecks` false: a missed re-attestation, an auditor's finding) is
    /// not lifted by passing checks: it runs to its deadline, and only an auditor reinstates.
    public static func event(
        verdicts: [String: CheckVerdict], previouslyFailing: Set<String>, status: CertificationStatus, warnedByChecks: Bool = true
    ) -> Outcome {
        if verdicts.values.contains(.fail) { return .failed }
        guard status == .suspended || (status == .warned && warnedByChecks) else { return .none }
        guard verdicts.values.contains(.pass), previouslyFailing.allSatisfy({ verdicts[$0] == .pass }) else { return .none }
        return .passed
    }

    /// The recorded causes (`enforcement_transitions.cause`) of a warning that passing checks do
    /// not lift: the checks did not cause it, so passing them fixes nothing.
    public static let warningCausesChecksDoNotLift: Set<String> = ["reattestation_missed", "auditor_finding"]

    public enum Outcome: Sendable, Equatable {
        case failed, passed, none
    }

    /// Whether a check's latest verdicts (latest first) open an auditor task: two insufficient in
    /// a row, once per streak (the third in a row opens nothing new).
    public static func opensInsufficientDataTask(latestFirst verdicts: [CheckVerdict]) -> Bool {
        guard verdicts.count >= 2, verdicts[0] == .insufficientData, verdicts[1] == .insufficientData else { return false }
        return verdicts.count == 2 || verdicts[2] != .insufficientData
    }

    /// A check's identity across runs of one certification: its action and its definition.
    public static func key(action: String, check: Check) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let definition = (try? encoder.encode(check)).map { String(decoding: $0, as: UTF8.self) } ?? check.kind.rawValue
        return action + " " + definition
    }

    /// The sentence a result carries about its inputs: when the routes and the RPKI data were
    /// taken and how far apart.
    public static func inputsNote(routesTakenAt routes: Date, vrpsTakenAt vrps: Date) -> String {
        let apart = abs(routes.timeIntervalSince(vrps))
        let style = Date.FormatStyle(date: .long, time: .omitted, timeZone: TimeZone(identifier: "UTC")!)
        let when = "Routing table of \(routes.formatted(style)), RPKI data of \(vrps.formatted(style))"
        return apart < 3_600 ? when + "." : when + ", taken \(FreshnessPolicy.span(apart)) apart."
    }
}

/// Reminders before an enforcement deadline (7 days and 1 day before) and before a
/// certification's validity ends (30 days before), each sent once.
public enum EnforcementReminders {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case deadlineWeek = "deadline_7d"
        case deadlineDay = "deadline_1d"
        case expiryMonth = "expiry_30d"

        /// How long before its date the reminder is sent.
        public var lead: TimeInterval {
            switch self {
            case .deadlineWeek: 7 * 86_400
            case .deadlineDay: 86_400
            case .expiryMonth: 30 * 86_400
            }
        }
    }

    /// A reminder to send: of what, about which date.
    public struct Reminder: Sendable, Equatable {
        public let kind: Kind
        public let about: Date

        public init(kind: Kind, about: Date) {
            self.kind = kind
            self.about = about
        }
    }

    /// The reminders whose time has come at `time` for a certification in `state`: a deadline's
    /// (not while an appeal holds it) and the validity's end, each only before its date. When
    /// both of a deadline's reminders have come (a late run), only the nearer one is sent.
    public static func due(_ state: EnforcementState, at time: Date) -> [Reminder] {
        guard state.status.isInForce else { return [] }
        var reminders: [Reminder] = []
        if let deadline = state.deadline, state.appeal == nil, state.status == .warned || state.status == .suspended, time < deadline,
            deadline <= state.validUntil
        {
            if deadline.addingTimeInterval(-Kind.deadlineDay.lead) <= time {
                reminders.append(Reminder(kind: .deadlineDay, about: deadline))
            } else if deadline.addingTimeInterval(-Kind.deadlineWeek.lead) <= time {
                reminders.append(Reminder(kind: .deadlineWeek, about: deadline))
            }
        }
        if time < state.validUntil, state.validUntil.addingTimeInterval(-Kind.expiryMonth.lead) <= time {
            reminders.append(Reminder(kind: .expiryMonth, about: state.validUntil))
        }
        return reminders
    }
}

extension CertificationRules {
    /// A new application (or grant) never ends a suspension or revocation: refused while the
    /// participant's latest certification for the program is suspended or revoked. The way back
    /// is reinstatement, or an appeal.
    public static func newApplicationRefusal(program: String, latestStatus: CertificationStatus?) -> Refusal? {
        switch latestStatus {
        case .suspended:
            return Refusal(
                "certification-suspended",
                "Your certification for \(program) is suspended. A new application does not end a suspension: fix what the checks found "
                    + "and ask the auditors to reinstate it, or appeal the suspension.")
        case .revoked:
            return Refusal(
                "certification-revoked",
                "Your certification for \(program) was revoked. A new application does not undo a revocation; only a successful appeal "
                    + "against it does.")
        default:
            return nil
        }
    }
}

extension CheckResult {
    /// The same check as insufficient data, for `reason` (the inputs could not be used).
    public func insufficient(because reason: String) -> CheckResult {
        CheckResult(action: action, check: check, verdict: .insufficientData, value: nil, explanation: reason, evidence: [])
    }

    /// The same result with `note` (about its inputs) after its explanation.
    public func noting(_ note: String) -> CheckResult {
        CheckResult(action: action, check: check, verdict: verdict, value: value, explanation: explanation + " " + note, evidence: evidence)
    }
}

extension SurveillanceRules {
    /// A moment in words for participants, in UTC: "19 December 2026, 11:06 UTC".
    public static func moment(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }
}

/// The window of routes snapshots a windowed check reads (issue 12 §3, `rov_invalid_carried`):
/// the run's own routes snapshot is its end; its start is the newest routes snapshot taken at
/// least `days` before the end. Snapshots older than twice `days` before the end are never
/// read, so a months-old table does not stand for "a week ago": with none in reach, the window
/// starts at the oldest snapshot it has and is too short, which the check reports as
/// insufficient data. Pure; the check runner reads the candidates once per run.
public enum RoutesWindowRule {
    /// A routes snapshot with AS paths: its id and when it was taken.
    public struct Snapshot: Sendable, Equatable {
        public let id: Int
        public let takenAt: Date

        public init(id: Int, takenAt: Date) {
            self.id = id
            self.takenAt = takenAt
        }
    }

    /// The days the run's window covers: the longest window among the windowed checks of
    /// `actions` at `tier` (alternatives included); nil when none is windowed.
    public static func days(of actions: [Action], at tier: Tier) -> Int? {
        func windows(_ check: Check) -> [Int] { [check.measured.window?.days].compactMap { $0 } + (check.anyOf ?? []).flatMap(windows) }
        return actions.filter { $0.tier <= tier }.flatMap { $0.checks.filter { $0.applies(at: tier) }.flatMap(windows) }.max()
    }

    /// Whether `check` (or one of its alternatives), as measured (`Check.measured`), reads a window.
    public static func isWindowed(_ check: Check) -> Bool { check.measured.window != nil || (check.anyOf ?? []).contains(where: isWindowed) }

    /// The window's snapshots, oldest first, `end` last: from its start to its end, every
    /// candidate between them included (they count towards the check's minimum number).
    public static func select(_ candidates: [Snapshot], end: Snapshot, days: Int) -> [Snapshot] {
        let span = TimeInterval(days) * 86_400
        let reach = candidates.filter {
            $0.id != end.id && $0.takenAt <= end.takenAt && $0.takenAt >= end.takenAt.addingTimeInterval(-2 * span)
        }.sorted { ($0.takenAt, $0.id) < ($1.takenAt, $1.id) }
        guard let start = reach.last(where: { $0.takenAt <= end.takenAt.addingTimeInterval(-span) }) ?? reach.first else { return [end] }
        return reach.filter { ($0.takenAt, $0.id) >= (start.takenAt, start.id) } + [end]
    }
}
