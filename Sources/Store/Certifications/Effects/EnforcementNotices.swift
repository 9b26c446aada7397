import Domain
import Foundation
import Postgres

/// The participant's notifications of an enforcement transition (`.notifyParticipant`), written
/// into the outbox on the transition's transaction: one email per owner and one message per
/// webhook endpoint (`Notifications.enqueue`).
enum EnforcementNotices {
    static func enqueue(_ notice: EnforcementNotice, deadline: Date?, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        // An accepted dispute is told once, by the review's outcome (`dispute.accepted`, sent by
        // `ReviewStore` on the same transaction): it carries the auditor's reasons and says which
        // status was undone, and it is sent whether or not the result had caused any.
        if notice == .disputeAccepted { return }
        // A failure already told is not told again at every check: only a new failed check is.
        if notice == .checkFailed, try await !hasNewFailure(scope.certification, at: scope.context.at, on: connection) { return }
        var data = data(program: scope.program, tier: scope.tier, certification: scope.certification, participant: scope.participant)
        data["status"] = scope.after.status.rawValue
        if let deadline { data["deadline"] = timestamp(deadline) }
        if notice == .checkFailed || notice == .warned, let failed = try await failedChecks(scope.certification, at: scope.context.at, on: connection)
        {
            data["failed_checks"] = failed
        }
        try await Notifications.enqueue(
            NotificationEvent.forEnforcement(notice), participant: scope.participant, data: data, context: scope.context, on: connection)
    }

    /// A reminder before a deadline or the end of validity (sent by the timers job).
    static func remind(
        _ reminder: EnforcementReminders.Reminder, certification: UUID, participant: UUID, program: String, tier: Tier, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws {
        var data = data(program: program, tier: tier, certification: certification, participant: participant)
        data["deadline"] = timestamp(reminder.about)
        data["reminder"] = reminder.kind.rawValue
        let event: NotificationEvent = reminder.kind == .expiryMonth ? .certificationExpiryUpcoming : .certificationDeadlineReminder
        try await Notifications.enqueue(event, participant: participant, data: data, context: context, on: connection)
    }

    static func data(program: String, tier: Tier, certification: UUID, participant: UUID) -> [String: String] {
        [
            "program": program, "tier": tier.rawValue, "certification_id": certification.uuidString.lowercased(),
            "participant_id": participant.uuidString.lowercased(),
        ]
    }

    /// The explanations of the checks that failed at `time` (this run's), one per line.
    static func failedChecks(_ certification: UUID, at time: Date, on connection: PostgresConnection) async throws -> String? {
        let lines = try await connection.query(
            """
            SELECT action_code, explanation FROM check_results
            WHERE certification_id = \(certification) AND measured_at = \(time) AND verdict = 'fail' ORDER BY action_code, id
            """
        ).map { "\(try $0.decode("action_code", as: String.self)): \(try $0.decode("explanation", as: String.self))" }
        return lines.isEmpty ? nil : lines.joined(separator: "\n")
    }

    /// Whether a check failed at `time` that had not failed at the check before.
    static func hasNewFailure(_ certification: UUID, at time: Date, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            """
            SELECT EXISTS (
                SELECT 1 FROM check_results r
                WHERE r.certification_id = \(certification) AND r.measured_at = \(time) AND r.verdict = 'fail'
                  AND NOT EXISTS (
                      SELECT 1 FROM check_results p
                      WHERE p.certification_id = r.certification_id AND p.verdict = 'fail' AND p.action_code = r.action_code
                        AND p.check_definition = r.check_definition
                        AND p.measured_at = (SELECT max(q.measured_at) FROM check_results q
                                             WHERE q.certification_id = r.certification_id AND q.measured_at < \(time))))
            """)[0].decode(0, as: Bool.self)
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
