import Domain
import Foundation
import Postgres

/// A participant's dispute of a failed check result, as the participant sees it.
public struct DisputeRecord: Sendable, Encodable {
    public let id: UUID
    public let checkResultID: UUID
    public let certificationID: UUID
    public let participantID: UUID
    public let reason: String
    /// `open` while the auditors decide, then `accepted` or `rejected`.
    public let status: String
    /// The auditor's reasons, once decided.
    public let decisionReasons: String?
    public let openedAt: Date
    public let decidedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, reason, status
        case checkResultID = "check_result_id"
        case certificationID = "certification_id"
        case participantID = "participant_id"
        case decisionReasons = "decision_reasons"
        case openedAt = "opened_at"
        case decidedAt = "decided_at"
    }

    static let query = """
        SELECT r.id, r.check_result_id, r.certification_id, r.participant_id, r.statement, r.created_at, r.closed_at, d.decision, d.reasons
        FROM review_items r LEFT JOIN decisions d ON d.review_item_id = r.id AND d.final
        """

    init(row: PostgresRow) throws {
        id = try row.decode("id")
        checkResultID = try row.decode("check_result_id")
        certificationID = try row.decode("certification_id")
        participantID = try row.decode("participant_id")
        reason = try row.decode("statement", as: String?.self) ?? ""
        openedAt = try row.decode("created_at")
        decidedAt = try row.decode("closed_at")
        let decision = try row.decode("decision", as: Decision?.self)
        status = decision.map { $0 == .approve ? "accepted" : "rejected" } ?? "open"
        decisionReasons = decision == nil ? nil : try row.decode("reasons", as: String.self)
    }
}

/// A result's void: an accepted dispute's record (the result itself never changes).
public struct CheckResultVoid: Sendable, Encodable, Equatable {
    public let checkResultID: UUID
    public let reason: String
    public let voidedAt: Date

    enum CodingKeys: String, CodingKey {
        case reason
        case checkResultID = "check_result_id"
        case voidedAt = "voided_at"
    }
}

/// A check result as the dispute form shows it.
public struct DisputableResult: Sendable {
    public let id: UUID
    public let certificationID: UUID
    public let action: String
    public let check: String
    public let verdict: CheckVerdict
    public let value: Double?
    public let explanation: String
    public let measuredAt: Date
    /// The accepted dispute's record, when there is one.
    public let void: CheckResultVoid?
}

extension ReviewStore {
    // MARK: Disputes

    /// One of `participant`'s check results, for the dispute form (404 for another's).
    public func result(_ id: UUID, participant: UUID) async throws -> DisputableResult {
        guard
            let row = try await database.query(
                """
                SELECT r.id, r.certification_id, r.action_code, r.check_definition->>'kind' AS check_kind, r.verdict, r.metric_value, r.explanation,
                       r.measured_at, v.reason AS void_reason, v.voided_at
                FROM check_results r JOIN certifications c ON c.id = r.certification_id
                LEFT JOIN check_result_voids v ON v.check_result_id = r.id
                WHERE r.id = \(id) AND c.participant_id = \(participant)
                """
            ).single
        else { throw StoreError.notFound("This participant has no check result \(id.uuidString.lowercased()).") }
        var void: CheckResultVoid?
        if let reason = try row.decode("void_reason", as: String?.self) {
            void = CheckResultVoid(checkResultID: id, reason: reason, voidedAt: try row.decode("voided_at"))
        }
        return DisputableResult(
            id: id, certificationID: try row.decode("certification_id"), action: try row.decode("action_code"),
            check: try row.decode("check_kind", as: String?.self) ?? "", verdict: try row.decode("verdict", as: CheckVerdict.self),
            value: try row.decode("metric_value"), explanation: try row.decode("explanation"), measuredAt: try row.decode("measured_at"), void: void)
    }

    /// Opens a dispute of `result`, a failed check result of one of `participant`'s
    /// certifications, with the member's `reason`: a `dispute` item in the auditors' queue. One
    /// open dispute per result (409 `dispute-open`); only a failed result that stands (409).
    public func openDispute(result: UUID, participant: UUID, reason: String, context: ChangeContext) async throws -> DisputeRecord {
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    SELECT r.certification_id, r.verdict, c.program_code, c.tier,
                           EXISTS (SELECT 1 FROM check_result_voids v WHERE v.check_result_id = r.id) AS voided
                    FROM check_results r JOIN certifications c ON c.id = r.certification_id
                    WHERE r.id = \(result) AND c.participant_id = \(participant)
                    """
                ).single
            else { throw StoreError.notFound("This participant has no check result \(result.uuidString.lowercased()).") }
            if let refusal = ReviewRequestRules.disputeRefusal(
                verdict: try row.decode("verdict", as: CheckVerdict.self), voided: try row.decode("voided"))
            {
                throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
            }
            let certification = try row.decode("certification_id", as: UUID.self)
            guard
                let inserted = try await connection.query(
                    """
                    INSERT INTO review_items (kind, certification_id, check_result_id, statement, opened_by, round, participant_id, program_code, tier,
                                              due_at, created_at)
                    VALUES ('dispute', \(certification), \(result), \(reason), \(context.actor?.userID), 1, \(participant),
                            \(try row.decode("program_code", as: String.self)), \(try row.decode("tier", as: String.self)),
                            \(WorkingDays.add(ReviewKind.taskWorkingDays, to: context.at)), \(context.at))
                    ON CONFLICT (check_result_id) WHERE status <> 'closed' AND kind = 'dispute' DO NOTHING
                    RETURNING id
                    """
                ).single
            else {
                throw StoreError.conflict(slug: "dispute-open", detail: "This result is already disputed; the auditors are deciding.")
            }
            let item = try inserted.decode(0, as: UUID.self)
            try await AuditLog.append(
                "review.dispute_opened", entity: "review_item", id: item.uuidString.lowercased(), participant: participant,
                after: [
                    "check_result_id": result.uuidString.lowercased(), "certification_id": certification.uuidString.lowercased(), "reason": reason,
                ],
                context: context, on: connection)
            try await AuditorNotices.itemOpened(item, kind: .dispute, participant: participant, context: context, on: connection)
            return try await Self.disputes(participant: participant, id: item, on: connection)[0]
        }
    }

    /// A participant's disputes, latest first.
    public func disputes(participant: UUID) async throws -> [DisputeRecord] {
        try await database.withConnection { connection in try await Self.disputes(participant: participant, id: nil, on: connection) }
    }

    static func disputes(participant: UUID, id: UUID?, on connection: PostgresConnection) async throws -> [DisputeRecord] {
        try await connection.query(
            """
            \(unsafeRaw: DisputeRecord.query)
            WHERE r.kind = 'dispute' AND r.participant_id = \(participant) AND (\(id)::uuid IS NULL OR r.id = \(id)::uuid)
            ORDER BY r.created_at DESC, r.id
            """
        ).map(DisputeRecord.init(row:))
    }

    /// The voids of `results` (accepted disputes), by result.
    public func voids(of results: [UUID]) async throws -> [UUID: CheckResultVoid] {
        guard !results.isEmpty else { return [:] }
        let rows = try await database.query(
            "SELECT check_result_id, reason, voided_at FROM check_result_voids WHERE check_result_id = ANY(\(results))")
        var voids: [UUID: CheckResultVoid] = [:]
        for row in rows {
            let void = CheckResultVoid(
                checkResultID: try row.decode("check_result_id"), reason: try row.decode("reason"), voidedAt: try row.decode("voided_at"))
            voids[void.checkResultID] = void
        }
        return voids
    }

    // MARK: Appeals

    /// Opens an appeal against the latest transition of `certification` (a warning, suspension or
    /// revocation), with the member's `reason`: the enforcement machine holds the escalation timers
    /// and opens the `appeal` item (`EnforcementAuditorTasks`), all in one transaction.
    public func openAppeal(certification: UUID, participant: UUID, reason: String, context: ChangeContext) async throws -> ReviewItem {
        try await database.transaction { connection in
            guard
                try await connection.query("SELECT 1 FROM certifications WHERE id = \(certification) AND participant_id = \(participant)").single
                    != nil
            else { throw StoreError.notFound("This participant has no certification \(certification.uuidString.lowercased()).") }
            guard let against = try await EnforcementStore.latest(certification, on: connection) else {
                throw StoreError.conflict(slug: "not-appealable", detail: "Only a warning, a suspension or a revocation can be appealed.")
            }
            _ = try await EnforcementStore.apply(
                .appealOpened(against: against), to: certification, by: .participant, context: context, on: connection)
            guard
                let row = try await connection.query(
                    """
                    UPDATE review_items SET statement = \(reason), opened_by = \(context.actor?.userID)
                    WHERE certification_id = \(certification) AND kind = 'appeal' AND status <> 'closed' RETURNING id
                    """
                ).single
            else { throw StoreError.conflict(slug: "appeal-open", detail: "An appeal is already open for this certification.") }
            let item = try row.decode(0, as: UUID.self)
            try await AuditLog.append(
                "review.appeal_opened", entity: "review_item", id: item.uuidString.lowercased(), participant: participant,
                after: ["certification_id": certification.uuidString.lowercased(), "reason": reason], context: context, on: connection)
            return try await Self.item(item, at: context.at, on: connection)
        }
    }

    // MARK: Decisions on items other than applications

    /// Records a decision on a dispute, appeal, reinstatement, renewal or other enforcement item,
    /// and carries it out on the same transaction: an accepted dispute voids its result and undoes
    /// what it caused, a granted appeal restores the earlier state, a reinstatement reinstates,
    /// a finding warns, a renewal is decided (`RenewalStore.decided`); the participant is told of
    /// a dispute's and a renewal's outcome.
    static func decideTask(
        _ item: ReviewItem, decided: ReviewState, outcome: ReviewOutcome, decision: Decision, actionComments: [String: String], reasons: String,
        reviewer: Reviewer, issuer: MarkIssuer?, context: ChangeContext, on connection: PostgresConnection
    ) async throws {
        let refusals = item.kind.decisionRefusals(decision, reasons: reasons)
        if !refusals.isEmpty { throw StoreError.invalid(refusals) }
        var isFinal = false
        if case .final = outcome { isFinal = true }
        let encodedComments = String(decoding: try JSONEncoder().encode(actionComments), as: UTF8.self)
        let decisionID = try await connection.query(
            """
            INSERT INTO decisions (review_item_id, round, reviewer_id, reviewer_role, decision, action_comments, reasons, final, created_at)
            VALUES (\(item.id), \(item.round), \(reviewer.userID), \(reviewer.role.rawValue), \(decision.rawValue), \(encodedComments)::jsonb,
                    \(reasons), \(isFinal), \(context.at))
            RETURNING id
            """)[0].decode(0, as: UUID.self)
        try await connection.execute(
            """
            UPDATE review_items SET status = \(decided.status.rawValue), claimed_by = NULL, claim_expires_at = NULL,
                   closed_at = CASE WHEN \(decided.status == .closed) THEN \(context.at) END
            WHERE id = \(item.id)
            """)
        try await AuditLog.append(
            "review.decided", entity: "review_item", id: item.id.uuidString.lowercased(), participant: item.participantID,
            after: [
                "kind": item.kind.rawValue, "decision": decision.rawValue, "final": isFinal ? "true" : "false",
                "reviewer_role": reviewer.role.rawValue,
                "reasons": reasons,
            ], context: context, on: connection)
        guard case .final(let event) = outcome, let certification = item.certificationID else { return }
        let approved = event == .approve
        let auditor = EnforcementActor.auditor(reviewer.userID)
        switch item.kind {
        case .dispute:
            guard let result = item.checkResultID else { return }
            var data = [
                "participant_id": item.participantID.uuidString.lowercased(), "certification_id": certification.uuidString.lowercased(),
                "check_result_id": result.uuidString.lowercased(), "reasons": reasons,
            ]
            if approved {
                try await connection.execute(
                    """
                    INSERT INTO check_result_voids (check_result_id, review_item_id, decision_id, reason, voided_by, voided_at)
                    VALUES (\(result), \(item.id), \(decisionID), \(reasons), \(reviewer.userID), \(context.at))
                    """)
                try await AuditLog.append(
                    "check_result.voided", entity: "check_result", id: result.uuidString.lowercased(), participant: item.participantID,
                    after: ["reason": reasons, "decision": decisionID.uuidString.lowercased()], context: context, on: connection)
                if let overturning = try await Self.enforcementCaused(by: result, certification: certification, on: connection) {
                    _ = try await EnforcementStore.apply(
                        .disputeAccepted(decision: decisionID, overturning: overturning), to: certification, by: auditor, context: context,
                        on: connection)
                    let now = try await connection.query("SELECT status FROM certifications WHERE id = \(certification)")[0]
                        .decode(0, as: String.self)
                    data["status"] = now
                    data["summary"] =
                        "The auditors accepted your dispute: the result is void, and the \(overturning.to.rawValue) status it caused is undone. Your certification's status is now \(now)."
                } else {
                    data["summary"] = "The auditors accepted your dispute: the result is void."
                }
            } else {
                data["summary"] = "The auditors rejected your dispute: the result stands."
            }
            try await Notifications.enqueue(
                approved ? .disputeAccepted : .disputeRejected, participant: item.participantID, data: data, context: context, on: connection)
        case .appeal:
            _ = try await EnforcementStore.apply(
                .appealDecided(decision: decisionID, granted: approved), to: certification, by: auditor, issuer: issuer, context: context,
                on: connection)
        case .reinstatement:
            guard approved else { return }
            let checksPass = try await Self.checksPass(certification, on: connection)
            _ = try await EnforcementStore.apply(
                .reinstate(decision: decisionID, checksPass: checksPass), to: certification, by: auditor, context: context, on: connection)
        case .insufficientData, .scopeChanged:
            guard !approved else { return }
            _ = try await EnforcementStore.apply(
                .auditorFinding(decision: decisionID), to: certification, by: auditor, context: context, on: connection)
        case .reattestation, .recertification:
            try await RenewalStore.decided(
                item, event: event, decision: decisionID, reasons: reasons, auditor: auditor, issuer: issuer, context: context, on: connection)
        case .application:
            return
        }
    }

    /// The enforcement a result caused that a dispute can still undo: the latest transition when
    /// the result is among its causes, or the transition it caused followed only by timers that
    /// ran out since (a warning that became a suspension): then everything since is undone at
    /// once, back to the state before the result. Nil when the result caused nothing that stands,
    /// or the certification is no longer in force.
    static func enforcementCaused(by result: UUID, certification: UUID, on connection: PostgresConnection) async throws -> EnforcementTransition? {
        let rows = try await connection.query(
            """
            SELECT t.from_status, t.from_deadline, t.to_status, t.at, t.actor_id, t.cause, \(result) = ANY(t.cause_results) AS caused
            FROM enforcement_transitions t JOIN certifications c ON c.id = t.certification_id
            WHERE t.certification_id = \(certification) AND c.status IN ('active', 'warned', 'suspended')
            ORDER BY t.at DESC, t.id
            """)
        guard let latest = rows.first else { return nil }
        let current = try EnforcementStore.transition(from: latest)
        for row in rows {
            let transition = try EnforcementStore.transition(from: row)
            if try row.decode("caused", as: Bool.self) {
                return EnforcementTransition(
                    from: transition.from, fromDeadline: transition.fromDeadline, to: current.to, at: transition.at, deciders: transition.deciders)
            }
            guard ["deadline_passed", "max_suspension_passed"].contains(try row.decode("cause", as: String.self)) else { return nil }
        }
        return nil
    }

    /// Whether a certification's checks pass: the latest result of each of its checks, voided
    /// results left out, is not a failure.
    static func checksPass(_ certification: UUID, on connection: PostgresConnection) async throws -> Bool {
        try await connection.query(
            """
            SELECT NOT EXISTS (
                SELECT 1 FROM (
                    SELECT DISTINCT ON (r.action_code, r.check_definition) r.verdict FROM check_results r
                    WHERE r.certification_id = \(certification)
                      AND NOT EXISTS (SELECT 1 FROM check_result_voids v WHERE v.check_result_id = r.id)
                    ORDER BY r.action_code, r.check_definition, r.measured_at DESC
                ) latest WHERE latest.verdict = 'fail')
            """)[0].decode(0, as: Bool.self)
    }
}

extension ReviewStore {
    // MARK: Revocation for cause, overrides

    /// An auditor revokes a suspended certification for cause (`.revokeForCause`), with the reason
    /// in the transition's audit trail; refused to auditors who are not independent of the participant.
    public func revokeForCause(_ certification: UUID, reason: String, reviewer: Reviewer, context: ChangeContext) async throws -> Certification {
        try await database.transaction { connection in
            guard
                let row = try await connection.query("SELECT participant_id, tier FROM certifications WHERE id = \(certification)").single
            else { throw StoreError.notFound("There is no certification \(certification.uuidString.lowercased()).") }
            let participant = try row.decode("participant_id", as: UUID.self)
            let subject = ReviewSubject(
                participantID: participant, tier: try row.decode("tier", as: Tier.self), submittedBy: nil, decisions: [], flaggedForAdmin: false,
                kind: .reinstatement)
            if let refusal = ReviewPolicy.independenceRefusal(reviewer, subject: subject, at: context.at) {
                throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            let decision = UUID()
            try await AuditLog.append(
                "certification.revocation_decided", entity: "certification", id: certification.uuidString.lowercased(), participant: participant,
                after: ["decision": decision.uuidString.lowercased(), "reason": reason], context: context, on: connection)
            _ = try await EnforcementStore.apply(
                .revokeForCause(decision: decision), to: certification, by: .auditor(reviewer.userID), context: context, on: connection)
            return try await Self.certification(certification, on: connection)
        }
    }

    /// The participant gives up its certification (`.withdraw`, final), with its reason in the
    /// audit trail, on one transaction with the transition and its effects.
    public func withdraw(_ certification: UUID, participant: UUID, reason: String, context: ChangeContext) async throws -> Certification {
        try await database.transaction { connection in
            guard
                try await connection.query(
                    "SELECT 1 FROM certifications WHERE id = \(certification) AND participant_id = \(participant)"
                ).single != nil
            else { throw StoreError.notFound("There is no certification \(certification.uuidString.lowercased()).") }
            try await AuditLog.append(
                "certification.withdrawal_requested", entity: "certification", id: certification.uuidString.lowercased(), participant: participant,
                after: ["reason": reason], context: context, on: connection)
            _ = try await EnforcementStore.apply(.withdraw, to: certification, by: .participant, issuer: issuer, context: context, on: connection)
            return try await Self.certification(certification, on: connection)
        }
    }

    /// An admin sets the status (`.override`), with the reason recorded on the transition.
    public func override(_ certification: UUID, to status: CertificationStatus, reason: String, admin: UUID, context: ChangeContext) async throws
        -> Certification
    {
        try await database.transaction { connection in
            _ = try await EnforcementStore.apply(
                .override(to: status, reason: reason), to: certification, by: .admin(admin), issuer: issuer, context: context, on: connection)
            return try await Self.certification(certification, on: connection)
        }
    }

    /// A certification as the API shows it, read on the caller's transaction.
    static func certification(_ id: UUID, on connection: PostgresConnection) async throws -> Certification {
        guard
            let row = try await connection.query(
                "SELECT \(unsafeRaw: Certification.columns) FROM certifications c JOIN participants p ON p.id = c.participant_id WHERE c.id = \(id)"
            ).single
        else { throw StoreError.notFound("There is no certification \(id.uuidString.lowercased()).") }
        return try Certification(row: row)
    }
}
