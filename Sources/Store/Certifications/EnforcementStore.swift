import Domain
import Foundation
import Postgres

/// Enforcement's storage: loads a certification's enforcement state, applies one event with
/// `EnforcementMachine` (the rules), and writes the new state, each transition with its cause and
/// its audit event, in one transaction. The other effects (notices, status-list bits, auditor
/// tasks, watchers) are carried out on the same transaction by the handlers in `Effects/`.
public struct EnforcementStore: Sendable {
    let database: PostgresPool
    /// Signs the new credential of a mark whose revocation is overturned (nil: none is issued).
    let issuer: MarkIssuer?

    public init(database: PostgresPool, issuer: MarkIssuer? = nil) {
        self.database = database
        self.issuer = issuer
    }

    /// Applies `event` to certification `id` at `context.at`, caused by `actor` (the scheduler,
    /// or `context.actor` in the role given). A refusal is a conflict (409) or, for the wrong
    /// actor, refused (403).
    public func apply(_ event: EnforcementEvent, to id: UUID, by actor: EnforcementActor, context: ChangeContext) async throws -> [EnforcementEffect]
    {
        try await database.transaction { connection in
            try await Self.apply(event, to: id, by: actor, issuer: issuer, context: context, on: connection)
        }
    }

    /// `apply` on the caller's transaction, so what causes a transition (a check run's results, a
    /// dispute accepted, an appeal decided, a reinstatement) and the transition commit together.
    public static func apply(
        _ event: EnforcementEvent, to id: UUID, by actor: EnforcementActor, issuer: MarkIssuer? = nil, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws -> [EnforcementEffect] {
        guard
            let row = try await connection.query(
                """
                SELECT c.participant_id, c.program_code, c.tier, c.status, c.valid_until, c.enforcement_deadline, c.appeal_opened_at, v.document
                FROM certifications c JOIN catalog_versions v ON v.program_code = c.program_code AND v.version = c.catalog_version
                WHERE c.id = \(id) FOR UPDATE OF c
                """
            ).single
        else { throw StoreError.notFound("There is no certification \(id.uuidString.lowercased()).") }
        let participant = try row.decode("participant_id", as: UUID.self)
        let tier = try row.decode("tier", as: Tier.self)
        let catalog = try row.decode("document", as: JSONB<CatalogDocument>.self).value
        guard let policy = catalog.enforcementPolicy(at: tier) else {
            throw StoreError.conflict(slug: "no-enforcement", detail: "This certification's catalog version sets no enforcement for its tier.")
        }
        var appeal: OpenAppeal?
        if let opened = try row.decode("appeal_opened_at", as: Date?.self), let appealed = try await Self.latest(id, on: connection) {
            appeal = OpenAppeal(against: appealed, openedAt: opened)
        }
        let state = EnforcementState(
            status: try row.decode("status", as: CertificationStatus.self), validUntil: try row.decode("valid_until"),
            deadline: try row.decode("enforcement_deadline", as: Date?.self), appeal: appeal)

        let (next, effects): (EnforcementState, [EnforcementEffect])
        switch EnforcementMachine.apply(event, to: state, by: actor, at: context.at, policy: policy) {
        case .success(let outcome): (next, effects) = outcome
        case .failure(let refusal):
            if ["not-scheduler", "not-auditor", "not-participant", "not-admin", "not-independent"].contains(refusal.code) {
                throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }

        var deadlineBefore = state.deadline
        for case .record(let record) in effects {
            try await Self.insert(record, certification: id, fromDeadline: deadlineBefore, actor: actor, context: context, on: connection)
            try await AuditLog.append(
                "certification.\(record.to.rawValue)", entity: "certification", id: id.uuidString.lowercased(), participant: participant,
                before: ["status": record.from.rawValue], after: Self.auditFields(record), context: context, on: connection)
            deadlineBefore = record.deadline
        }
        let scope = EnforcementEffectScope(
            certification: id, participant: participant, program: try row.decode("program_code"), tier: tier, before: state, after: next,
            actor: actor, context: context)
        for effect in effects {
            switch effect {
            case .record(let record): try await EnforcementWatchers.notify(record, scope: scope, on: connection)
            case .notifyParticipant(let notice, let deadline):
                try await EnforcementNotices.enqueue(notice, deadline: deadline, scope: scope, on: connection)
            case .setStatusListBit(let purpose, let value): try await EnforcementStatusBits.set(purpose, to: value, scope: scope, on: connection)
            case .queueForAuditors(let task):
                try await EnforcementAuditorTasks.open(task, certification: id, participant: participant, context: context, on: connection)
            case .issueNewCredential: try await MarkIssuance.reissue(scope: scope, issuer: issuer, on: connection)
            }
        }
        if next.status != state.status {
            try await EnforcementAuditorTasks.closeMoot(
                certification: id, participant: participant, status: next.status, context: context, on: connection)
        }
        if next != state {
            try await connection.execute(
                """
                UPDATE certifications SET status = \(next.status.rawValue), enforcement_deadline = \(next.deadline),
                       appeal_opened_at = \(next.appeal?.openedAt), updated_at = \(context.at)
                WHERE id = \(id)
                """)
            if next.appeal != state.appeal && next.status == state.status {
                try await AuditLog.append(
                    next.appeal == nil ? "certification.appeal_closed" : "certification.appeal_opened", entity: "certification",
                    id: id.uuidString.lowercased(), participant: participant, after: ["deadline": next.deadline.map(Self.timestamp) ?? ""],
                    context: context, on: connection)
            }
        }
        return effects
    }

    /// The transitions of a certification, latest first: its public history.
    public func transitions(of id: UUID) async throws -> [EnforcementTransition] {
        try await database.query(
            """
            SELECT from_status, from_deadline, to_status, at, actor_id FROM enforcement_transitions
            WHERE certification_id = \(id) ORDER BY at DESC, id
            """
        ).map(Self.transition(from:))
    }

    static func latest(_ id: UUID, on connection: PostgresConnection) async throws -> EnforcementTransition? {
        try await connection.query(
            """
            SELECT from_status, from_deadline, to_status, at, actor_id FROM enforcement_transitions
            WHERE certification_id = \(id) ORDER BY at DESC, id LIMIT 1
            """
        ).single.map(Self.transition(from:))
    }

    static func transition(from row: PostgresRow) throws -> EnforcementTransition {
        EnforcementTransition(
            from: try row.decode("from_status", as: CertificationStatus.self), fromDeadline: try row.decode("from_deadline", as: Date?.self),
            to: try row.decode("to_status", as: CertificationStatus.self), at: try row.decode("at"),
            deciders: Set([try row.decode("actor_id", as: UUID?.self)].compactMap(\.self)))
    }

    static func insert(
        _ record: EnforcementRecord, certification: UUID, fromDeadline: Date?, actor: EnforcementActor, context: ChangeContext,
        on connection: PostgresConnection
    ) async throws {
        let (cause, results, decision, reason) = Self.columns(record.cause)
        let role: String
        switch actor {
        case .scheduler: role = "scheduler"
        case .participant: role = "participant"
        case .auditor: role = "auditor"
        case .admin: role = "admin"
        }
        let person: UUID? =
            switch actor {
            case .scheduler: nil
            case .participant: context.actor?.userID
            case .auditor(let id), .admin(let id): id
            }
        try await connection.execute(
            """
            INSERT INTO enforcement_transitions (certification_id, from_status, to_status, at, deadline, from_deadline, cause, cause_results,
                                                 cause_decision, reason, actor_id, actor_role)
            VALUES (\(certification), \(record.from.rawValue), \(record.to.rawValue), \(record.at), \(record.deadline), \(fromDeadline), \(cause),
                    \(results), \(decision), \(reason), \(person), \(role))
            """)
    }

    /// The cause as stored: its name, the check results and decision behind it, the reason.
    static func columns(_ cause: EnforcementCause) -> (String, [UUID], UUID?, String?) {
        switch cause {
        case .checkFailed(let results): ("check_failed", results, nil, nil)
        case .reattestationMissed: ("reattestation_missed", [], nil, nil)
        case .auditorFinding(let decision): ("auditor_finding", [], decision, nil)
        case .checksPassed(let results): ("checks_passed", results, nil, nil)
        case .deadlinePassed: ("deadline_passed", [], nil, nil)
        case .maxSuspensionPassed: ("max_suspension_passed", [], nil, nil)
        case .validityEnded: ("validity_ended", [], nil, nil)
        case .reinstatement(let decision): ("reinstatement", [], decision, nil)
        case .revokedForCause(let decision): ("revoked_for_cause", [], decision, nil)
        case .withdrawal: ("withdrawal", [], nil, nil)
        case .disputeAccepted(let decision): ("dispute_accepted", [], decision, nil)
        case .appealGranted(let decision): ("appeal_granted", [], decision, nil)
        case .override(let reason): ("override", [], nil, reason)
        }
    }

    static func auditFields(_ record: EnforcementRecord) -> [String: String] {
        let (cause, results, decision, reason) = columns(record.cause)
        var fields = ["status": record.to.rawValue, "cause": cause, "at": timestamp(record.at)]
        if let deadline = record.deadline { fields["deadline"] = timestamp(deadline) }
        if !results.isEmpty { fields["check_results"] = results.map { $0.uuidString.lowercased() }.joined(separator: ",") }
        if let decision { fields["decision"] = decision.uuidString.lowercased() }
        if let reason { fields["reason"] = reason }
        return fields
    }

    static func timestamp(_ date: Date) -> String { date.formatted(.iso8601) }
}
