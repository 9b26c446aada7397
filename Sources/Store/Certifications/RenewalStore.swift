import Domain
import Foundation
import Postgres

/// What one run of the renewals did.
public struct RenewalSummary: Sendable, Equatable {
    /// Re-attestations and recertifications opened (review item, participant and auditors told).
    public var opened = 0
    /// Re-attestations whose due date passed unconfirmed (`.reattestationMissed` applied).
    public var missed = 0

    public init() {}
}

/// Re-attestation and recertification (issue 12 §3) at the run's time: each renewal
/// `RenewalRules.opening` says is open gets its review item once (`renewals`), and the
/// participant's owners and the auditors are told; a re-attestation whose due date passed
/// unconfirmed fires `.reattestationMissed` through `EnforcementStore.apply`, with its notice.
public struct RenewalStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    public func run(at time: Date) async throws -> RenewalSummary {
        var summary = RenewalSummary()
        let context = ChangeContext.system(at: time)
        let rows = try await database.query(
            """
            SELECT c.id, c.participant_id, c.program_code, c.tier, c.status, c.granted_at, c.valid_until, v.document
            FROM certifications c JOIN catalog_versions v ON v.program_code = c.program_code AND v.version = c.catalog_version
            WHERE c.status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[]) AND c.granted_at <= \(time) AND c.valid_until > \(time)
            ORDER BY c.granted_at, c.id
            """)
        for row in rows {
            let id = try row.decode("id", as: UUID.self)
            let participant = try row.decode("participant_id", as: UUID.self)
            let program = try row.decode("program_code", as: String.self)
            let tier = try row.decode("tier", as: Tier.self)
            let catalog = try row.decode("document", as: JSONB<CatalogDocument>.self).value
            let dues = RenewalRules.opening(
                grantedAt: try row.decode("granted_at"), validUntil: try row.decode("valid_until"), cadence: catalog.cadence[tier],
                status: try row.decode("status", as: CertificationStatus.self), at: time)
            for due in dues {
                let opened = try await database.transaction { connection in
                    try await Self.open(due, certification: id, participant: participant, program: program, context: context, on: connection)
                }
                if opened { summary.opened += 1 }
            }
        }

        let missed = try await database.query(
            """
            SELECT r.certification_id, r.due_at, r.deadline_at, r.review_item_id FROM renewals r JOIN certifications c ON c.id = r.certification_id
            WHERE r.kind = 'reattestation' AND r.confirmed_at IS NULL AND r.missed_at IS NULL AND r.decided_at IS NULL AND r.deadline_at <= \(time)
              AND c.status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[])
            ORDER BY r.deadline_at, r.certification_id
            """)
        for row in missed {
            let id = try row.decode("certification_id", as: UUID.self)
            let dueAt = try row.decode("due_at", as: Date.self)
            guard RenewalRules.isMissed(deadline: try row.decode("deadline_at"), confirmedAt: nil, at: time) else { continue }
            let item = try row.decode("review_item_id", as: UUID?.self)
            let applied = try await database.transaction { connection in
                let marked = try await connection.execute(
                    """
                    UPDATE renewals SET missed_at = \(time)
                    WHERE certification_id = \(id) AND kind = 'reattestation' AND due_at = \(dueAt) AND confirmed_at IS NULL AND missed_at IS NULL
                      AND decided_at IS NULL
                    """)
                guard marked > 0 else { return false }
                if let item { try await Self.closeIfSettled(item, context: context, on: connection) }
                _ = try await EnforcementStore.apply(.reattestationMissed, to: id, by: .scheduler, context: context, on: connection)
                return true
            }
            if applied { summary.missed += 1 }
        }

        return summary
    }

    /// Closes a renewal's review item once nothing is left for the auditors on it (every renewal
    /// it carries was missed or decided): a missed re-attestation is handled by enforcement, so
    /// its item leaves the queue, with its audit event.
    static func closeIfSettled(_ item: UUID, context: ChangeContext, on connection: PostgresConnection) async throws {
        guard
            let row = try await connection.query(
                """
                UPDATE review_items SET status = \(ReviewStatus.closed.rawValue), closed_at = \(context.at), claimed_by = NULL, claim_expires_at = NULL
                WHERE id = \(item) AND status <> \(ReviewStatus.closed.rawValue)
                  AND NOT EXISTS (SELECT 1 FROM renewals w WHERE w.review_item_id = \(item) AND w.missed_at IS NULL AND w.decided_at IS NULL)
                RETURNING participant_id
                """
            ).single
        else { return }
        try await AuditLog.append(
            "review.closed", entity: "review_item", id: item.uuidString.lowercased(), participant: try row.decode(0, as: UUID.self),
            after: ["reason": "missed"], context: context, on: connection)
    }

    /// Opens `due` for certification `id` once: its `renewals` row with its deadline (later than
    /// the due date when it opens late, `Due.deadline(openedAt:)`), its review item (or the item
    /// of its kind still open for the certification, which carries it on), the participant's
    /// owners and the auditors told. Returns whether this call opened it.
    static func open(
        _ due: RenewalRules.Due, certification id: UUID, participant: UUID, program: String, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> Bool {
        let deadline = due.deadline(openedAt: context.at)
        let inserted = try await connection.execute(
            """
            INSERT INTO renewals (certification_id, kind, due_at, deadline_at, opened_at)
            VALUES (\(id), \(due.kind.rawValue), \(due.dueAt), \(deadline), \(context.at))
            ON CONFLICT DO NOTHING
            """)
        guard inserted > 0 else { return false }
        let item = try await connection.query(
            """
            INSERT INTO review_items (kind, certification_id, round, participant_id, program_code, tier, due_at, created_at)
            SELECT \(due.kind.rawValue), c.id, 1, c.participant_id, c.program_code, c.tier,
                   \(WorkingDays.add(ReviewKind.taskWorkingDays, to: deadline)), \(context.at)
            FROM certifications c WHERE c.id = \(id)
            ON CONFLICT (certification_id, kind) WHERE status <> 'closed' AND kind NOT IN ('application', 'dispute') DO NOTHING
            RETURNING id
            """
        ).single?.decode(0, as: UUID.self)
        if item == nil {
            try await connection.execute(
                """
                UPDATE renewals SET review_item_id = (SELECT r.id FROM review_items r WHERE r.certification_id = \(id) AND r.kind = \(due.kind.rawValue)
                                                      AND r.status <> \(ReviewStatus.closed.rawValue) ORDER BY r.created_at DESC LIMIT 1)
                WHERE certification_id = \(id) AND kind = \(due.kind.rawValue) AND due_at = \(due.dueAt)
                """)
        }
        if let item {
            try await connection.execute(
                "UPDATE renewals SET review_item_id = \(item) WHERE certification_id = \(id) AND kind = \(due.kind.rawValue) AND due_at = \(due.dueAt)"
            )
            try await AuditLog.append(
                "review.opened", entity: "review_item", id: item.uuidString.lowercased(), participant: participant,
                after: ["kind": due.kind.rawValue, "certification_id": id.uuidString.lowercased()], context: context, on: connection)
            try await AuditorNotices.itemOpened(item, kind: due.kind, participant: participant, context: context, on: connection)
        }
        let deadlineText = ISO8601DateFormatter().string(from: deadline)
        let summary =
            due.kind == .reattestation
            ? "Your yearly re-attestation for \(program) is due by \(deadlineText): confirm or update your statements and evidence. "
                + "Without it by then, your certification is warned."
            : "Your certification for \(program) ends on \(deadlineText): confirm or update your statements and evidence to recertify."
        try await Notifications.enqueue(
            due.kind == .reattestation ? .certificationReattestationDue : .certificationRecertificationDue, participant: participant,
            data: [
                "participant_id": participant.uuidString.lowercased(), "certification_id": id.uuidString.lowercased(), "program": program,
                "due_at": deadlineText, "summary": summary,
            ], context: context, on: connection)
        return true
    }

    /// The participant confirms (or updates, in `statement`) its statements and evidence for the
    /// open re-attestation or recertification of certification `id`: recorded on the renewal and
    /// on its review item, with its audit event. Refused when nothing is open or it is already
    /// confirmed, or its due date has passed. The caller has authorised the actor.
    public func confirm(_ kind: ReviewKind, certification id: UUID, statement: String, context: ChangeContext) async throws {
        guard let actor = context.actor else {
            throw StoreError.refused(slug: "not-member", detail: "Only a member of the participant confirms a renewal.")
        }
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    SELECT r.due_at, r.deadline_at, r.review_item_id, r.confirmed_at, c.participant_id
                    FROM renewals r JOIN certifications c ON c.id = r.certification_id
                    WHERE r.certification_id = \(id) AND r.kind = \(kind.rawValue) AND r.missed_at IS NULL AND r.decided_at IS NULL
                    ORDER BY r.due_at DESC LIMIT 1 FOR UPDATE OF r
                    """
                ).single
            else { throw StoreError.notFound("There is no \(kind.label) open for this certification.") }
            let dueAt = try row.decode("due_at", as: Date.self)
            if try row.decode("confirmed_at", as: Date?.self) != nil {
                throw StoreError.conflict(
                    slug: "already-confirmed", detail: "This \(kind.label) is already confirmed; the auditors are reviewing it.")
            }
            if RenewalRules.isMissed(deadline: try row.decode("deadline_at"), confirmedAt: nil, at: context.at) && kind == .reattestation {
                throw StoreError.conflict(slug: "renewal-missed", detail: "The due date of this \(kind.label) has passed.")
            }
            let participant = try row.decode("participant_id", as: UUID.self)
            try await connection.execute(
                """
                UPDATE renewals SET confirmed_at = \(context.at), confirmed_by = \(actor.userID)
                WHERE certification_id = \(id) AND kind = \(kind.rawValue) AND due_at = \(dueAt)
                """)
            if let item = try row.decode("review_item_id", as: UUID?.self) {
                try await connection.execute("UPDATE review_items SET statement = \(statement) WHERE id = \(item)")
            }
            try await AuditLog.append(
                "renewal.confirmed", entity: "certification", id: id.uuidString.lowercased(), participant: participant,
                after: ["kind": kind.rawValue, "due_at": ISO8601DateFormatter().string(from: dueAt)], context: context, on: connection)
        }
    }
}

/// A renewal waiting for the participant's confirmation.
public struct OpenRenewal: Sendable, Equatable {
    public let kind: ReviewKind
    /// The participant's deadline (the due date, or later when it opened late or changes were requested).
    public let dueAt: Date
}

extension RenewalStore {
    /// The certification's renewals open at `time` and not yet confirmed, nearest due first.
    public func open(certification id: UUID, at time: Date) async throws -> [OpenRenewal] {
        try await database.query(
            """
            SELECT kind, deadline_at FROM renewals
            WHERE certification_id = \(id) AND confirmed_at IS NULL AND missed_at IS NULL AND decided_at IS NULL AND opened_at <= \(time)
              AND deadline_at > \(time)
            ORDER BY deadline_at, kind
            """
        ).map { OpenRenewal(kind: try $0.decode("kind", as: ReviewKind.self), dueAt: try $0.decode("deadline_at")) }
    }
}

extension ReviewStore {
    /// The certification's renewals waiting for the participant (`RenewalStore.open`).
    public func openRenewals(certification: UUID, at time: Date) async throws -> [OpenRenewal] {
        try await RenewalStore(database: database).open(certification: certification, at: time)
    }

    /// The participant confirms its open re-attestation or recertification (`RenewalStore.confirm`).
    public func confirmRenewal(_ kind: ReviewKind, certification: UUID, statement: String, context: ChangeContext) async throws {
        try await RenewalStore(database: database).confirm(kind, certification: certification, statement: statement, context: context)
    }
}
