import Domain
import Foundation
import Postgres

extension RenewalStore {
    /// Carries out the auditors' final decision `event` on a re-attestation or recertification
    /// item (`RenewalDecision.decide`), on the decision's transaction: a recertification accepted
    /// extends validity from the old end and gives the mark a new credential under the same id
    /// (`MarkIssuance.renewed`); a re-attestation accepted is recorded as done; a rejected
    /// re-attestation is an auditor's finding (`EnforcementStore.apply(.auditorFinding)`); a
    /// rejected recertification lets validity end at its date; changes requested send it back to
    /// the participant with a new item round. Each with its audit event, and the participant told
    /// (`certification.renewal_decided`).
    static func decided(
        _ item: ReviewItem, event: ApplicationEvent, decision: UUID, reasons: String, auditor: EnforcementActor, issuer: MarkIssuer?,
        context: ChangeContext, on connection: PostgresConnection
    ) async throws {
        guard let certification = item.certificationID,
            let row = try await connection.query(
                """
                SELECT r.due_at, r.deadline_at, c.valid_until, c.tier, c.status, c.program_code, c.participant_id, v.document
                FROM renewals r JOIN certifications c ON c.id = r.certification_id
                JOIN catalog_versions v ON v.program_code = c.program_code AND v.version = c.catalog_version
                WHERE r.review_item_id = \(item.id) AND r.confirmed_at IS NOT NULL AND r.decided_at IS NULL AND r.missed_at IS NULL
                ORDER BY r.due_at DESC LIMIT 1 FOR UPDATE OF r, c
                """
            ).single
        else { throw StoreError.conflict(slug: ReviewMachine.notConfirmed(item.kind).code, detail: ReviewMachine.notConfirmed(item.kind).message) }
        let dueAt = try row.decode("due_at", as: Date.self)
        let validUntil = try row.decode("valid_until", as: Date.self)
        let tier = try row.decode("tier", as: Tier.self)
        let program = try row.decode("program_code", as: String.self)
        let participant = try row.decode("participant_id", as: UUID.self)
        let outcome: RenewalDecision
        switch RenewalDecision.decide(
            event, kind: item.kind, catalog: try row.decode("document", as: JSONB<CatalogDocument>.self).value, tier: tier, validUntil: validUntil,
            deadline: try row.decode("deadline_at"), at: context.at)
        {
        case .success(let decided): outcome = decided
        case .failure(let refusal): throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        let renewal: SQL = "certification_id = \(certification) AND kind = \(item.kind.rawValue) AND due_at = \(dueAt)"
        let entity = certification.uuidString.lowercased()
        var data = EnforcementNotices.data(program: program, tier: tier, certification: certification, participant: participant)
        data["kind"] = item.kind.rawValue
        data["decision"] = event.rawValue
        data["summary"] = outcome.summary(kind: item.kind, program: program)
        if !reasons.isEmpty { data["reasons"] = reasons }
        var audit = ["kind": item.kind.rawValue, "due_at": EnforcementNotices.timestamp(dueAt), "decision": decision.uuidString.lowercased()]

        // Accepted or rejected, the renewal is settled the same way; only what follows differs.
        let settled: String? =
            switch outcome {
            case .renewed, .reattested: "accepted"
            case .finding, .lapses: "rejected"
            case .confirmAgain: nil
            }
        if let settled {
            try await connection.execute(
                "UPDATE renewals SET decided_at = \(context.at), decision_id = \(decision), outcome = \(settled) WHERE \(renewal)")
            audit["outcome"] = settled
            try await AuditLog.append(
                "renewal.decided", entity: "certification", id: entity, participant: participant, after: audit, context: context, on: connection)
        }
        switch outcome {
        case .reattested: break
        case .renewed(let until):
            try await connection.execute("UPDATE certifications SET valid_until = \(until) WHERE id = \(certification)")
            try await AuditLog.append(
                "certification.renewed", entity: "certification", id: entity, participant: participant,
                before: ["valid_until": EnforcementNotices.timestamp(validUntil)],
                after: ["valid_until": EnforcementNotices.timestamp(until), "decision": decision.uuidString.lowercased()], context: context,
                on: connection)
            try await MarkIssuance.renewed(
                certification, status: try row.decode("status", as: CertificationStatus.self), issuer: issuer, context: context, on: connection)
            data["deadline"] = EnforcementNotices.timestamp(until)
        case .lapses(let on):
            data["deadline"] = EnforcementNotices.timestamp(on)
        case .finding:
            _ = try await EnforcementStore.apply(
                .auditorFinding(decision: decision), to: certification, by: auditor, issuer: issuer, context: context, on: connection)
        case .confirmAgain(let deadline):
            try await connection.execute(
                "UPDATE renewals SET confirmed_at = NULL, confirmed_by = NULL, deadline_at = \(deadline) WHERE \(renewal)")
            audit["outcome"] = "changes_requested"
            audit["deadline"] = EnforcementNotices.timestamp(deadline)
            try await AuditLog.append(
                "renewal.decided", entity: "certification", id: entity, participant: participant, after: audit, context: context, on: connection)
            // The next round waits for the participant's new confirmation (this one is closed).
            let next = try await connection.query(
                """
                INSERT INTO review_items (kind, certification_id, round, participant_id, program_code, tier, due_at, created_at)
                VALUES (\(item.kind.rawValue), \(certification), \(item.round + 1), \(participant), \(program), \(tier.rawValue),
                        \(WorkingDays.add(ReviewKind.taskWorkingDays, to: deadline)), \(context.at))
                RETURNING id
                """)[0].decode(0, as: UUID.self)
            try await connection.execute("UPDATE renewals SET review_item_id = \(next) WHERE \(renewal)")
            try await AuditLog.append(
                "review.opened", entity: "review_item", id: next.uuidString.lowercased(), participant: participant,
                after: ["kind": item.kind.rawValue, "certification_id": entity, "round": String(item.round + 1)], context: context, on: connection)
            data["deadline"] = EnforcementNotices.timestamp(deadline)
        }
        try await Notifications.enqueue(.certificationRenewalDecided, participant: participant, data: data, context: context, on: connection)
    }
}
