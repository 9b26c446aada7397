import Domain
import Foundation
import Postgres

/// Work for the auditors about a certification (`.queueForAuditors`, or a check runner's finding):
/// a review item, on the caller's transaction.
public enum EnforcementAuditorTasks {
    /// Opens the review item for `task` on certification `id`, due in `ReviewKind.taskWorkingDays`
    /// working days. There is at most one open item per certification and kind: opening it again
    /// while it is open does nothing. An appeal's item names the transition appealed against (the
    /// certification's latest). Returns the item's id when this call opened it.
    @discardableResult
    public static func open(_ task: AuditorTask, certification id: UUID, participant: UUID, context: ChangeContext, on connection: PostgresConnection)
        async throws -> UUID?
    {
        let kind = ReviewKind(task)
        var transition: UUID?
        if kind == .appeal {
            transition = try await connection.query(
                "SELECT id FROM enforcement_transitions WHERE certification_id = \(id) ORDER BY at DESC, id LIMIT 1"
            ).single?.decode(0, as: UUID.self)
            guard transition != nil else { return nil }
        }
        let opener: UUID? = kind == .appeal ? context.actor?.userID : nil
        guard
            let row = try await connection.query(
                """
                INSERT INTO review_items (kind, certification_id, transition_id, opened_by, round, participant_id, program_code, tier, due_at, created_at)
                SELECT \(kind.rawValue), c.id, \(transition), \(opener), 1, c.participant_id, c.program_code, c.tier,
                       \(WorkingDays.add(ReviewKind.taskWorkingDays, to: context.at)), \(context.at)
                FROM certifications c WHERE c.id = \(id)
                ON CONFLICT (certification_id, kind) WHERE status <> 'closed' AND kind NOT IN ('application', 'dispute') DO NOTHING
                RETURNING id
                """
            ).single
        else { return nil }
        let item = try row.decode(0, as: UUID.self)
        try await AuditLog.append(
            "review.opened", entity: "review_item", id: item.uuidString.lowercased(), participant: participant,
            after: ["kind": kind.rawValue, "certification_id": id.uuidString.lowercased()], context: context, on: connection)
        try await AuditorNotices.itemOpened(item, kind: kind, participant: participant, context: context, on: connection)
        return item
    }

    /// Closes the open items of certification `id` that have nothing left to decide now that it
    /// is `status` (`ReviewKind.isMoot`), each with an audit event saying why, so the auditors'
    /// queue holds no renewal of an expired certification. On the transition's transaction.
    static func closeMoot(
        certification id: UUID, participant: UUID, status: CertificationStatus, context: ChangeContext, on connection: PostgresConnection
    )
        async throws
    {
        let kinds = ReviewKind.allCases.filter { $0.isMoot(once: status) }.map(\.rawValue)
        guard !kinds.isEmpty else { return }
        let closed = try await connection.query(
            """
            UPDATE review_items SET status = \(ReviewStatus.closed.rawValue), closed_at = \(context.at), claimed_by = NULL, claim_expires_at = NULL
            WHERE certification_id = \(id) AND status <> \(ReviewStatus.closed.rawValue) AND kind = ANY(\(kinds))
            RETURNING id, kind
            """)
        for row in closed {
            let item = try row.decode("id", as: UUID.self)
            try await AuditLog.append(
                "review.closed", entity: "review_item", id: item.uuidString.lowercased(), participant: participant,
                after: [
                    "kind": try row.decode("kind", as: String.self), "certification_id": id.uuidString.lowercased(),
                    "reason": "The certification is \(status.rawValue): nothing is left to decide.",
                ], context: context, on: connection)
        }
    }
}
