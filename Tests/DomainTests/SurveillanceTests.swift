import Domain
import Foundation
import Testing

/// The periodic checks' pure rules: when a check is due, what its verdicts make happen,
/// when an auditor task opens, the reminders, and that a new application never ends a
/// suspension or revocation.
@Suite("Surveillance rules")
struct SurveillanceTests {
    static let t = Date(timeIntervalSince1970: 1_800_000_000)
    static let cadence = Cadence(automatedCheckDays: 30, reattestationMonths: 12, recertificationMonths: 36)

    @Test("never checked is due; otherwise due exactly when the cadence has passed, daily while warned or suspended")
    func due() {
        #expect(SurveillanceRules.isDue(lastChecked: nil, cadence: Self.cadence, at: Self.t))
        let last = Self.t.addingTimeInterval(-30 * 86_400)
        #expect(SurveillanceRules.isDue(lastChecked: last, cadence: Self.cadence, at: Self.t))
        #expect(!SurveillanceRules.isDue(lastChecked: last.addingTimeInterval(1), cadence: Self.cadence, at: Self.t))
        // Warned or suspended: daily, so a fix is seen before the deadline.
        let yesterday = Self.t.addingTimeInterval(-86_400)
        #expect(SurveillanceRules.isDue(lastChecked: yesterday, cadence: Self.cadence, status: .warned, at: Self.t))
        #expect(!SurveillanceRules.isDue(lastChecked: yesterday.addingTimeInterval(1), cadence: Self.cadence, status: .suspended, at: Self.t))
        #expect(!SurveillanceRules.isDue(lastChecked: yesterday, cadence: Self.cadence, status: .active, at: Self.t))
    }

    @Test("a failure fails; insufficient data is not a failure; checks pass again only when every check that failed passes")
    func outcomes() {
        #expect(SurveillanceRules.event(verdicts: ["a": .pass, "b": .fail], previouslyFailing: [], status: .active) == .failed)
        #expect(SurveillanceRules.event(verdicts: ["a": .insufficientData], previouslyFailing: [], status: .active) == .none)
        #expect(SurveillanceRules.event(verdicts: ["a": .pass, "b": .insufficientData], previouslyFailing: ["a"], status: .warned) == .passed)
        #expect(SurveillanceRules.event(verdicts: ["a": .pass, "b": .insufficientData], previouslyFailing: ["b"], status: .warned) == .none)
        #expect(SurveillanceRules.event(verdicts: ["a": .pass], previouslyFailing: [], status: .active) == .none)
        #expect(SurveillanceRules.event(verdicts: ["a": .pass], previouslyFailing: ["a"], status: .suspended) == .passed)
        // A warning for a missed re-attestation or an auditor's finding is not lifted by passing checks; a suspension still asks the auditors.
        #expect(SurveillanceRules.event(verdicts: ["a": .pass], previouslyFailing: [], status: .warned, warnedByChecks: false) == .none)
        #expect(SurveillanceRules.event(verdicts: ["a": .pass], previouslyFailing: [], status: .suspended, warnedByChecks: false) == .passed)
    }

    @Test("two insufficient verdicts in a row open one auditor task per streak")
    func insufficientStreak() {
        #expect(!SurveillanceRules.opensInsufficientDataTask(latestFirst: [.insufficientData]))
        #expect(SurveillanceRules.opensInsufficientDataTask(latestFirst: [.insufficientData, .insufficientData]))
        #expect(SurveillanceRules.opensInsufficientDataTask(latestFirst: [.insufficientData, .insufficientData, .pass]))
        #expect(!SurveillanceRules.opensInsufficientDataTask(latestFirst: [.insufficientData, .insufficientData, .insufficientData]))
        #expect(!SurveillanceRules.opensInsufficientDataTask(latestFirst: [.insufficientData, .fail]))
    }

    @Test("reminders 7 days and 1 day before a deadline, 30 days before the end of validity; none while an appeal holds the deadline")
    func reminders() {
        let deadline = Self.t.addingTimeInterval(10 * 86_400)
        let until = Self.t.addingTimeInterval(400 * 86_400)
        let warned = EnforcementState(status: .warned, validUntil: until, deadline: deadline)
        #expect(EnforcementReminders.due(warned, at: Self.t).isEmpty)
        #expect(EnforcementReminders.due(warned, at: deadline.addingTimeInterval(-7 * 86_400)) == [.init(kind: .deadlineWeek, about: deadline)])
        #expect(EnforcementReminders.due(warned, at: deadline.addingTimeInterval(-86_400)) == [.init(kind: .deadlineDay, about: deadline)])
        #expect(EnforcementReminders.due(warned, at: deadline).isEmpty)
        var appealed = warned
        appealed.appeal = OpenAppeal(against: EnforcementTransition(from: .active, fromDeadline: nil, to: .warned, at: Self.t), openedAt: Self.t)
        #expect(EnforcementReminders.due(appealed, at: deadline.addingTimeInterval(-86_400)).isEmpty)
        let active = EnforcementState(status: .active, validUntil: until)
        #expect(EnforcementReminders.due(active, at: until.addingTimeInterval(-30 * 86_400)) == [.init(kind: .expiryMonth, about: until)])
        #expect(EnforcementReminders.due(active, at: until.addingTimeInterval(-30 * 86_400 - 1)).isEmpty)
        #expect(EnforcementReminders.due(EnforcementState(status: .expired, validUntil: until), at: until.addingTimeInterval(-86_400)).isEmpty)
    }

    @Test("a new application is refused while the latest certification is suspended or revoked, with the way back in words")
    func noEscapeByApplying() {
        #expect(CertificationRules.newApplicationRefusal(program: "netops", latestStatus: .suspended)?.code == "certification-suspended")
        #expect(CertificationRules.newApplicationRefusal(program: "netops", latestStatus: .revoked)?.message.contains("appeal") == true)
        for status in [nil, CertificationStatus.active, .warned, .expired, .withdrawn] {
            #expect(CertificationRules.newApplicationRefusal(program: "netops", latestStatus: status) == nil)
        }
    }

    @Test("the inputs note says how far apart the routes and the RPKI data were taken")
    func inputsNote() throws {
        let note = SurveillanceRules.inputsNote(
            routesTakenAt: try Date("2024-04-06T00:00:00Z", strategy: .iso8601), vrpsTakenAt: try Date("2025-07-20T09:31:33Z", strategy: .iso8601))
        #expect(note.contains("15 months apart"))
    }

    @Test("a window of routes snapshots: from the newest at least its days before the run's own, never older than twice that")
    func routesWindow() {
        let day: TimeInterval = 86_400
        func snapshot(_ id: Int, daysBefore: Double) -> RoutesWindowRule.Snapshot {
            RoutesWindowRule.Snapshot(id: id, takenAt: Self.t.addingTimeInterval(-daysBefore * day))
        }
        let end = snapshot(10, daysBefore: 0)
        let daily = (1...20).map { snapshot($0, daysBefore: Double($0)) }
        // Daily snapshots: the start is the one 7 days before, and the 6 between them count.
        #expect(RoutesWindowRule.select(daily, end: end, days: 7).map(\.id) == [7, 6, 5, 4, 3, 2, 1, 10])
        // Only older ones within reach: the newest at least 7 days before (here 9 days).
        #expect(RoutesWindowRule.select([snapshot(1, daysBefore: 9), snapshot(2, daysBefore: 12)], end: end, days: 7).map(\.id) == [1, 10])
        // Too old to stand for "a week ago": the run's own snapshot alone.
        #expect(RoutesWindowRule.select([snapshot(1, daysBefore: 15)], end: end, days: 7).map(\.id) == [10])
        // Only newer than 7 days: a window too short, which the check reports as insufficient data.
        #expect(RoutesWindowRule.select([snapshot(1, daysBefore: 3)], end: end, days: 7).map(\.id) == [1, 10])
        // Snapshots taken after the run's own are not its window's.
        #expect(RoutesWindowRule.select([snapshot(1, daysBefore: -1)], end: end, days: 7).map(\.id) == [10])
    }

    @Test("the run's window is the longest any windowed check of the certification asks for, alternatives included")
    func windowDays() {
        func action(_ tier: Tier, _ checks: [Check]) -> Action {
            Action(code: "a", title: "a", description: "", tier: tier, mandatory: [:], evidence: [.measurement], checks: checks)
        }
        let week = Check(kind: .rovInvalidCarried, max: 0, window: CheckWindow(days: 7, snapshots: 2))
        let fortnight = Check(kind: .anyOf, anyOf: [Check(kind: .rovInvalidCarried, max: 0, window: CheckWindow(days: 14, snapshots: 3))])
        #expect(RoutesWindowRule.days(of: [action(.baseline, [week]), action(.plus, [fortnight])], at: .plus) == 14)
        #expect(RoutesWindowRule.days(of: [action(.baseline, [week]), action(.plus, [fortnight])], at: .baseline) == 7)
        #expect(RoutesWindowRule.days(of: [action(.baseline, [Check(kind: .rpkiInvalid, max: 0)])], at: .plus) == nil)
        #expect(RoutesWindowRule.isWindowed(fortnight) && !RoutesWindowRule.isWindowed(Check(kind: .rpkiInvalid, max: 0)))
    }
}
