import Domain
import Foundation
import Postgres

/// What one run of the enforcement timers did.
public struct EnforcementTimerSummary: Sendable, Equatable {
    /// Certifications whose deadline or validity ended, and time was let pass for.
    public var advanced = 0
    /// Reminders written into the outbox.
    public var reminders = 0

    public init() {}
}

/// The enforcement timers (issue 12 §4): at the run's time, `.timePassed` for every
/// certification in force whose escalation deadline (not held by an appeal) or validity ended
/// (warned → suspended, suspended → revoked, → expired, each recorded at its own time by
/// `EnforcementMachine`), and the reminders `EnforcementReminders` says are due, each sent once.
public struct EnforcementTimerStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    public func run(at time: Date) async throws -> EnforcementTimerSummary {
        var summary = EnforcementTimerSummary()
        let context = ChangeContext.system(at: time)
        let ended = try await database.query(
            """
            SELECT id FROM certifications
            WHERE status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[])
              AND ((enforcement_deadline <= \(time) AND appeal_opened_at IS NULL) OR valid_until <= \(time))
            ORDER BY id
            """
        ).map { try $0.decode("id", as: UUID.self) }
        for id in ended {
            let effects = try await database.transaction { connection in
                try await EnforcementStore.apply(.timePassed, to: id, by: .scheduler, context: context, on: connection)
            }
            if effects.contains(where: { if case .record = $0 { true } else { false } }) { summary.advanced += 1 }
        }

        let week = EnforcementReminders.Kind.deadlineWeek.lead
        let month = EnforcementReminders.Kind.expiryMonth.lead
        let upcoming = try await database.query(
            """
            SELECT id, participant_id, program_code, tier, status, valid_until, enforcement_deadline FROM certifications
            WHERE status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[])
              AND ((enforcement_deadline > \(time) AND enforcement_deadline <= \(time.addingTimeInterval(week)) AND appeal_opened_at IS NULL)
                   OR (valid_until > \(time) AND valid_until <= \(time.addingTimeInterval(month))))
            ORDER BY id
            """)
        for row in upcoming {
            let id = try row.decode("id", as: UUID.self)
            let tier = try row.decode("tier", as: Tier.self)
            let participant = try row.decode("participant_id", as: UUID.self)
            let program = try row.decode("program_code", as: String.self)
            let state = EnforcementState(
                status: try row.decode("status", as: CertificationStatus.self), validUntil: try row.decode("valid_until"),
                deadline: try row.decode("enforcement_deadline", as: Date?.self))
            for reminder in EnforcementReminders.due(state, at: time) {
                let sent = try await database.transaction { connection in
                    let inserted = try await connection.execute(
                        """
                        INSERT INTO enforcement_reminders (certification_id, kind, about, sent_at)
                        VALUES (\(id), \(reminder.kind.rawValue), \(reminder.about), \(time)) ON CONFLICT DO NOTHING
                        """)
                    guard inserted > 0 else { return false }
                    try await EnforcementNotices.remind(
                        reminder, certification: id, participant: participant, program: program, tier: tier, context: context, on: connection)
                    return true
                }
                if sent { summary.reminders += 1 }
            }
        }
        return summary
    }
}
