import Canonical
import Domain
import Foundation
import Postgres

/// The auditors' queue: claims with leases, decisions under the review policy, affiliations,
/// and the certifications approvals create.
public struct ReviewStore: Sendable {
    let database: PostgresPool
    /// How long a claim lasts before someone else may take the item.
    let claimLease: TimeInterval
    /// Signs the mark's credential an approval issues (nil: the mark is recorded without one).
    let issuer: MarkIssuer?

    public init(database: PostgresPool, claimLease: TimeInterval = 2 * 3600, issuer: MarkIssuer? = nil) {
        self.database = database
        self.claimLease = claimLease
        self.issuer = issuer
    }

    public func queue(_ filter: QueueFilter, limit: Int) async throws -> [ReviewItem] {
        try await database.query(
            """
            SELECT \(unsafeRaw: ReviewItem.columns) FROM \(unsafeRaw: ReviewItem.from)
            WHERE (\(filter.status?.rawValue)::text IS NULL AND r.status <> \(ReviewStatus.closed.rawValue) OR r.status = \(filter.status?.rawValue)::text)
              AND (\(filter.program)::text IS NULL OR r.program_code = \(filter.program)::text)
              AND (\(filter.tier?.rawValue)::text IS NULL OR r.tier = \(filter.tier?.rawValue)::text)
              AND (\(filter.kind?.rawValue)::text IS NULL OR r.kind = \(filter.kind?.rawValue)::text)
              AND (\(filter.claimedBy)::uuid IS NULL OR (r.claimed_by = \(filter.claimedBy)::uuid AND r.claim_expires_at > \(filter.asOf)))
              AND (NOT \(filter.unassigned) OR r.claimed_by IS NULL OR r.claim_expires_at <= \(filter.asOf))
              AND (NOT \(filter.overdue) OR (r.status <> \(ReviewStatus.closed.rawValue) AND r.due_at < \(filter.asOf)))
            ORDER BY \(unsafeRaw: filter.sort.column) \(unsafeRaw: filter.descending ? "DESC" : "ASC"), r.due_at, r.id LIMIT \(limit)
            """
        ).map { try ReviewItem(row: $0, at: filter.asOf) }
    }

    /// One item, as seen at `time` (which decides whether it is overdue).
    public func item(_ id: UUID, at time: Date) async throws -> ReviewItem {
        try await database.withConnection { connection in try await Self.item(id, at: time, on: connection) }
    }

    /// One item as the queue shows it, read on `connection` (inside the caller's transaction).
    static func item(_ id: UUID, at time: Date, on connection: PostgresConnection) async throws -> ReviewItem {
        guard
            let row = try await connection.query("SELECT \(unsafeRaw: ReviewItem.columns) FROM \(unsafeRaw: ReviewItem.from) WHERE r.id = \(id)")
                .single
        else {
            throw StoreError.notFound("There is no review item \(id.uuidString.lowercased()).")
        }
        return try ReviewItem(row: row, at: time)
    }

    /// The reviewer as the policy sees them: role, declared affiliations, memberships.
    public func reviewer(_ actor: Actor) async throws -> Reviewer {
        let affiliations = try await database.query(
            """
            SELECT participant_id, valid_from::timestamptz AS valid_from, valid_until::timestamptz AS valid_until FROM affiliations WHERE auditor_id = \(actor.userID)
            """
        ).map { row in
            Affiliation(participantID: try row.decode("participant_id"), from: try row.decode("valid_from"), until: try row.decode("valid_until"))
        }
        return Reviewer(userID: actor.userID, role: actor.role, affiliations: affiliations, memberships: Set(actor.memberships.keys))
    }

    /// Takes an item (`ReviewMachine.claim`): the first claim of a round starts the review.
    /// An admin claiming for an auditor is an assignment, recorded as such.
    public func claim(_ id: UUID, reviewer: Reviewer, context: ChangeContext) async throws -> ReviewItem {
        try await database.transaction { connection in
            let (item, state) = try await Self.lockItem(id, at: context.at, on: connection)
            let (claimed, effects) = try Self.result(ReviewMachine.claim(state, by: reviewer, at: context.at, lease: claimLease))
            try await connection.execute(
                """
                UPDATE review_items SET claimed_by = \(claimed.claim?.holder), claim_expires_at = \(claimed.claim?.expiresAt) WHERE id = \(id)
                """)
            if effects.contains(.startApplicationReview), let applicationID = item.applicationID {
                let application = try await ApplicationStore.lockApplication(applicationID, on: connection)
                if application.state == .submitted {
                    let next = try ApplicationStore.transition(.startReview, application, .reviewer, at: context.at)
                    try await Change.record(
                        "application.review_started", entity: "application", id: application.id, participant: item.participantID,
                        before: ["state": application.state.rawValue], after: ["state": next.rawValue], context: context, on: connection
                    ) {
                        try await connection.execute("UPDATE applications SET state = \(next.rawValue) WHERE id = \(application.id)")
                    }
                }
            }
            let action = context.actor.map { $0.userID != reviewer.userID } == true ? "review.assigned" : "review.claimed"
            try await AuditLog.append(
                action, entity: "review_item", id: id.uuidString.lowercased(), participant: item.participantID,
                before: item.claimedBy.map { ["claimed_by": $0.uuidString.lowercased()] },
                after: ["claimed_by": reviewer.userID.uuidString.lowercased()],
                context: context, on: connection)
            return try await Self.item(id, at: context.at, on: connection)
        }
    }

    /// Gives an item back to the queue (`ReviewMachine.release`: its holder, or an admin).
    public func release(_ id: UUID, by actor: Actor, context: ChangeContext) async throws -> ReviewItem {
        try await database.transaction { connection in
            let (item, state) = try await Self.lockItem(id, at: context.at, on: connection)
            _ = try Self.result(ReviewMachine.release(state, by: actor))
            try await Change.record(
                "review.released", entity: "review_item", id: id, participant: item.participantID,
                before: item.claimedBy.map { ["claimed_by": $0.uuidString.lowercased()] }, context: context, on: connection
            ) {
                try await connection.execute("UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL WHERE id = \(id)")
            }
            return try await Self.item(id, at: context.at, on: connection)
        }
    }

    /// Records a decision by the holder of the claim (`ReviewMachine.decide`). Exactly one
    /// decision moves an application per round: concurrent attempts find the claim gone, and the
    /// database keeps one final decision per round whatever happens. An approval grants the
    /// certification (`CertificationStore.grant`).
    public func decide(
        _ id: UUID, decision: Decision, actionComments: [String: String], reasons: String, reviewer: Reviewer, context: ChangeContext
    ) async throws -> (item: ReviewItem, outcome: ReviewOutcome) {
        try await database.transaction { connection in
            let (item, state) = try await Self.lockItem(id, at: context.at, on: connection)
            let (decided, outcome) = try Self.result(ReviewMachine.decide(state, decision, by: reviewer, at: context.at))
            guard let applicationID = item.applicationID else {
                try await Self.decideTask(
                    item, decided: decided, outcome: outcome, decision: decision, actionComments: actionComments, reasons: reasons,
                    reviewer: reviewer, issuer: issuer, context: context, on: connection)
                return (try await Self.item(id, at: context.at, on: connection), outcome)
            }
            var isFinal = false
            if case .final = outcome { isFinal = true }
            let encodedComments = String(decoding: try JSONEncoder().encode(actionComments), as: UTF8.self)
            try await Change.record(
                "review.decided", entity: "review_item", id: id, participant: item.participantID,
                after: ["decision": decision.rawValue, "final": isFinal ? "true" : "false", "reviewer_role": reviewer.role.rawValue],
                context: context, on: connection
            ) {
                try await connection.execute(
                    """
                    INSERT INTO decisions (review_item_id, application_id, round, reviewer_id, reviewer_role, decision, action_comments, reasons, final, created_at)
                    VALUES (\(id), \(applicationID), \(item.round), \(reviewer.userID), \(reviewer.role.rawValue), \(decision.rawValue),
                            \(encodedComments)::jsonb, \(reasons), \(isFinal), \(context.at))
                    """)
                try await connection.execute(
                    """
                    UPDATE review_items SET status = \(decided.status.rawValue), claimed_by = NULL, claim_expires_at = NULL,
                           closed_at = CASE WHEN \(decided.status == .closed) THEN \(context.at) END
                    WHERE id = \(id)
                    """)
            }
            if case .final(let event) = outcome {
                let application = try await ApplicationStore.lockApplication(applicationID, on: connection)
                let next = try ApplicationStore.transition(event, application, .reviewer, at: context.at)
                try await Change.record(
                    "application.\(next.rawValue)", entity: "application", id: application.id, participant: item.participantID,
                    before: ["state": application.state.rawValue], after: ["state": next.rawValue], context: context, on: connection
                ) {
                    try await connection.execute(
                        """
                        UPDATE applications SET state = \(next.rawValue), decided_at = CASE WHEN \(next.isFinal) THEN \(context.at) END
                        WHERE id = \(application.id)
                        """)
                }
                var certification: UUID?
                if next == .approved {
                    certification = try await CertificationStore.grant(application, issuer: issuer, context: context, on: connection)
                }
                if let event = NotificationEvent.forApplication(next) {
                    var data = [
                        "participant_id": item.participantID.uuidString.lowercased(), "application_id": application.id.uuidString.lowercased(),
                        "program": application.program, "tier": application.tier.rawValue,
                    ]
                    if let certification { data["certification_id"] = certification.uuidString.lowercased() }
                    if !reasons.isEmpty { data["reasons"] = reasons }
                    try await Notifications.enqueue(event, participant: item.participantID, data: data, context: context, on: connection)
                }
            }
            return (try await Self.item(id, at: context.at, on: connection), outcome)
        }
    }

    public func decisions(ofApplication id: UUID) async throws -> [DecisionRecord] {
        try await decisions(application: id, item: nil)
    }

    /// The decisions on one review item (a dispute, an appeal, …), oldest first.
    public func decisions(ofItem id: UUID) async throws -> [DecisionRecord] {
        try await decisions(application: nil, item: id)
    }

    func decisions(application: UUID?, item: UUID?) async throws -> [DecisionRecord] {
        try await database.query(
            """
            SELECT d.id, d.review_item_id, d.round, d.reviewer_id, u.display_name, d.reviewer_role, d.decision, d.action_comments, d.reasons, d.final, d.created_at
            FROM decisions d JOIN users u ON u.id = d.reviewer_id
            WHERE (\(application)::uuid IS NULL OR d.application_id = \(application)::uuid) AND (\(item)::uuid IS NULL OR d.review_item_id = \(item)::uuid)
            ORDER BY d.created_at, d.id
            """
        ).map { row in
            DecisionRecord(
                id: try row.decode("id"), reviewItemID: try row.decode("review_item_id"), round: try row.decode("round"),
                reviewerID: try row.decode("reviewer_id"), reviewerName: try row.decode("display_name"),
                reviewerRole: try row.decode("reviewer_role"),
                decision: try row.decode("decision", as: Decision.self),
                actionComments: try row.decode("action_comments", as: JSONB<[String: String]>.self).value, reasons: try row.decode("reasons"),
                final: try row.decode("final"), createdAt: try row.decode("created_at")
            )
        }
    }

    // MARK: Affiliations

    public func declareAffiliation(
        auditor: UUID, participant: UUID, relation: String, from: String, until: String?, context: ChangeContext
    ) async throws -> AffiliationRecord {
        try await database.transaction { connection in
            try await ParticipantStore.lockParticipant(participant, on: connection)
            let id = try await connection.query(
                """
                INSERT INTO affiliations (auditor_id, participant_id, relation, valid_from, valid_until, declared_at)
                VALUES (\(auditor), \(participant), \(relation), \(from)::date, \(until)::date, \(context.at)) RETURNING id
                """)[0].decode(0, as: UUID.self)
            let record = try await Self.affiliations(id: id, auditor: nil, on: connection)[0]
            try await AuditLog.append(
                "affiliation.declared", entity: "affiliation", id: id.uuidString.lowercased(), participant: participant,
                after: record, context: context, on: connection)
            return record
        }
    }

    /// Ends an affiliation today (the record stays, for the history of conflicts).
    public func endAffiliation(_ id: UUID, auditor: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    UPDATE affiliations SET valid_until = greatest(valid_from + 1, \(Self.utcDay(context.at))::date)
                    WHERE id = \(id) AND auditor_id = \(auditor) AND (valid_until IS NULL OR valid_until > \(Self.utcDay(context.at))::date)
                    RETURNING participant_id
                    """
                ).single
            else { throw StoreError.notFound("You have no affiliation \(id.uuidString.lowercased()) in force.") }
            try await AuditLog.append(
                "affiliation.ended", entity: "affiliation", id: id.uuidString.lowercased(), participant: try row.decode(0, as: UUID.self),
                context: context, on: connection)
        }
    }

    public func affiliations(of auditor: UUID?) async throws -> [AffiliationRecord] {
        try await database.withConnection { connection in
            try await Self.affiliations(id: nil, auditor: auditor, on: connection)
        }
    }

    // MARK: Certifications (read through the certifications' own store)

    public func certifications(participants: Set<UUID>?, limit: Int) async throws -> [Certification] {
        try await CertificationStore(database: database).certifications(participants: participants, limit: limit)
    }

    public func certification(_ id: UUID) async throws -> Certification {
        try await CertificationStore(database: database).certification(id)
    }

    // MARK: Helpers

    /// The UTC day of `time`, as PostgreSQL reads a date.
    static func utcDay(_ time: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: time)
    }

    /// The refusal of a review rule as the store's error: 403 for the person, 409 for the state.
    static func result<Value>(_ result: Result<Value, ReviewRefusal>) throws -> Value {
        switch result {
        case .success(let value): return value
        case .failure(.forbidden(let refusal)): throw StoreError.refused(slug: refusal.code, detail: refusal.message)
        case .failure(.conflict(let refusal)): throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
    }

    /// Locks an item and reads it with what its rules need, as seen at `time`.
    static func lockItem(_ id: UUID, at time: Date, on connection: PostgresConnection) async throws -> (ReviewItem, ReviewState) {
        guard try await connection.query("SELECT 1 FROM review_items WHERE id = \(id) FOR UPDATE").single != nil else {
            throw StoreError.notFound("There is no review item \(id.uuidString.lowercased()).")
        }
        let item = try await item(id, at: time, on: connection)
        guard let state = try await states(of: [item], on: connection)[item.id] else {
            throw StoreError.notFound("There is no review item \(id.uuidString.lowercased()).")
        }
        return (item, state)
    }

    /// The items' states as the review machine sees them (decisions of each round, who submitted
    /// the application), read in one query whatever the number of items; for showing who may
    /// claim what without a query per item.
    public func states(of items: [ReviewItem]) async throws -> [UUID: ReviewState] {
        try await database.withConnection { connection in try await Self.states(of: items, on: connection) }
    }

    static func states(of items: [ReviewItem], on connection: PostgresConnection) async throws -> [UUID: ReviewState] {
        guard !items.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT r.id, coalesce(a.submitted_by, r.opened_by) AS submitted_by, d.reviewer_id, d.decision,
                   -- An appeal's item: who took part in the transition appealed against (its actor,
                   -- and the reviewers of the item whose decision caused it).
                   array_remove(array_cat(ARRAY[t.actor_id],
                       ARRAY(SELECT d2.reviewer_id FROM decisions d2 JOIN decisions d3 ON d3.review_item_id = d2.review_item_id
                             WHERE d3.id = t.cause_decision)), NULL) AS excluded,
                   -- A renewal's item waits for the participant until one of its renewals is confirmed.
                   (r.kind = ANY(\([ReviewKind.reattestation.rawValue, ReviewKind.recertification.rawValue]))
                    AND NOT EXISTS (SELECT 1 FROM renewals w WHERE w.review_item_id = r.id AND w.confirmed_at IS NOT NULL
                                    AND w.missed_at IS NULL AND w.decided_at IS NULL)) AS awaiting_participant
            FROM review_items r LEFT JOIN applications a ON a.id = r.application_id
            LEFT JOIN enforcement_transitions t ON t.id = r.transition_id
            LEFT JOIN decisions d ON d.review_item_id = r.id
            WHERE r.id = ANY(\(items.map(\.id)))
            ORDER BY r.id, d.created_at, d.id
            """)
        var submitters: [UUID: UUID?] = [:]
        var decisions: [UUID: [RecordedDecision]] = [:]
        var excluded: [UUID: Set<UUID>] = [:]
        var awaiting: Set<UUID> = []
        for row in rows {
            let id = try row.decode("id", as: UUID.self)
            submitters[id] = try row.decode("submitted_by", as: UUID?.self)
            if try row.decode("awaiting_participant", as: Bool.self) { awaiting.insert(id) }
            excluded[id] = Set(try row.decode("excluded", as: [UUID].self))
            if let decision = try row.decode("decision", as: Decision?.self) {
                decisions[id, default: []].append(RecordedDecision(reviewerID: try row.decode("reviewer_id"), decision: decision))
            }
        }
        var states: [UUID: ReviewState] = [:]
        for item in items {
            guard let submitter = submitters[item.id] else { continue }
            let subject = ReviewSubject(
                participantID: item.participantID, tier: item.tier, submittedBy: submitter, decisions: decisions[item.id] ?? [],
                flaggedForAdmin: item.status == .flagged, kind: item.kind, excluded: excluded[item.id] ?? [],
                awaitingParticipant: awaiting.contains(item.id))
            states[item.id] = ReviewState(status: item.status, claim: item.claim, subject: subject)
        }
        return states
    }

    static func affiliations(id: UUID?, auditor: UUID?, on connection: PostgresConnection) async throws -> [AffiliationRecord] {
        try await connection.query(
            """
            SELECT a.id, a.auditor_id, u.display_name AS auditor_name, a.participant_id, p.display_name AS participant_name, a.relation,
                   a.valid_from::text AS valid_from, a.valid_until::text AS valid_until, a.declared_at
            FROM affiliations a JOIN users u ON u.id = a.auditor_id JOIN participants p ON p.id = a.participant_id
            WHERE (\(id)::uuid IS NULL OR a.id = \(id)::uuid) AND (\(auditor)::uuid IS NULL OR a.auditor_id = \(auditor)::uuid)
            ORDER BY a.declared_at, a.id
            """
        ).map { row in
            AffiliationRecord(
                id: try row.decode("id"), auditorID: try row.decode("auditor_id"), auditorName: try row.decode("auditor_name"),
                participantID: try row.decode("participant_id"), participantName: try row.decode("participant_name"),
                relation: try row.decode("relation"),
                validFrom: try row.decode("valid_from"), validUntil: try row.decode("valid_until"), declaredAt: try row.decode("declared_at")
            )
        }
    }
}
