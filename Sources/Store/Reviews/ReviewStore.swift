import Canonical
import Domain
import Foundation
import Postgres

/// The columns the queue sorts by; each maps to one fixed SQL expression.
public enum QueueSort: String, Sendable, CaseIterable {
    case due, participant, program, tier, status

    var column: String {
        switch self {
        case .due: "r.due_at"
        case .participant: "p.display_name"
        case .program: "r.program_code"
        case .tier: "r.tier"
        case .status: "r.status"
        }
    }
}

/// Filters of the auditors' queue.
public struct QueueFilter: Sendable {
    public var program: String?
    public var tier: Tier?
    /// `open`, `awaiting_second`, `flagged` or `closed`; nil for every item not closed.
    public var status: String?
    public var claimedBy: UUID?
    public var unassigned = false
    public var overdue = false
    public var sort: QueueSort = .due
    /// Largest first when true.
    public var descending = false

    public init(
        program: String? = nil, tier: Tier? = nil, status: String? = nil, claimedBy: UUID? = nil, unassigned: Bool = false, overdue: Bool = false,
        descending: Bool = false
    ) {
        self.program = program
        self.tier = tier
        self.status = status
        self.claimedBy = claimedBy
        self.unassigned = unassigned
        self.overdue = overdue
        self.descending = descending
    }
}

/// The auditors' queue: claims with leases, decisions under the review policy, affiliations,
/// and the certifications approvals create.
public struct ReviewStore: Sendable {
    let database: PostgresPool
    /// How long a claim lasts before someone else may take the item.
    let claimLease: TimeInterval

    public init(database: PostgresPool, claimLease: TimeInterval = 2 * 3600) {
        self.database = database
        self.claimLease = claimLease
    }

    public func queue(_ filter: QueueFilter, limit: Int) async throws -> [ReviewItem] {
        try await database.query(
            """
            SELECT \(unsafeRaw: ReviewItem.columns) FROM \(unsafeRaw: ReviewItem.from)
            WHERE (\(filter.status)::text IS NULL AND r.status <> 'closed' OR r.status = \(filter.status)::text)
              AND (\(filter.program)::text IS NULL OR r.program_code = \(filter.program)::text)
              AND (\(filter.tier?.rawValue)::text IS NULL OR r.tier = \(filter.tier?.rawValue)::text)
              AND (\(filter.claimedBy)::uuid IS NULL OR (r.claimed_by = \(filter.claimedBy)::uuid AND r.claim_expires_at > now()))
              AND (NOT \(filter.unassigned) OR r.claimed_by IS NULL OR r.claim_expires_at <= now())
              AND (NOT \(filter.overdue) OR r.due_at < now())
            ORDER BY \(unsafeRaw: filter.sort.column) \(unsafeRaw: filter.descending ? "DESC" : "ASC"), r.due_at, r.id LIMIT \(limit)
            """
        ).map(ReviewItem.init(row:))
    }

    public func item(_ id: UUID) async throws -> ReviewItem {
        try await database.withConnection { connection in try await Self.item(id, on: connection) }
    }

    /// One item as the queue shows it, read on `connection` (inside the caller's transaction).
    static func item(_ id: UUID, on connection: PostgresConnection) async throws -> ReviewItem {
        guard
            let row = try await connection.query("SELECT \(unsafeRaw: ReviewItem.columns) FROM \(unsafeRaw: ReviewItem.from) WHERE r.id = \(id)")
                .single
        else {
            throw StoreError.notFound("There is no review item \(id.uuidString.lowercased()).")
        }
        return try ReviewItem(row: row)
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

    /// Takes an item: refused when someone else holds an unexpired claim, or when the policy
    /// finds the reviewer not independent. The first claim of a round starts the review.
    public func claim(_ id: UUID, reviewer: Reviewer, context: ChangeContext) async throws -> ReviewItem {
        try await database.transaction { connection in
            let (item, subject) = try await Self.lockItem(id, on: connection)
            if let refusal = ReviewPolicy.independenceRefusal(reviewer, subject: subject, at: Date()) {
                throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            guard item.status != "closed" else { throw StoreError.conflict(slug: "review-closed", detail: "This review is closed.") }
            if let holder = item.claimedBy, holder != reviewer.userID, let expires = item.claimExpiresAt, expires > Date() {
                throw StoreError.conflict(
                    slug: "already-claimed", detail: "\(item.claimedByName ?? "Another reviewer") holds this item until \(Self.time(expires)).")
            }
            if subject.decisions.contains(where: { $0.reviewerID == reviewer.userID }) {
                throw StoreError.refused(slug: "four-eyes", detail: "Four eyes: you already decided this round; another auditor takes it now.")
            }
            try await connection.execute(
                """
                UPDATE review_items SET claimed_by = \(reviewer.userID), claim_expires_at = \(Date().addingTimeInterval(claimLease)) WHERE id = \(id)
                """)
            let application = try await ApplicationStore.lockApplication(item.applicationID, on: connection)
            if application.state == .submitted {
                let next = try ApplicationStore.transition(.startReview, application, .reviewer)
                try await connection.execute("UPDATE applications SET state = \(next.rawValue) WHERE id = \(application.id)")
                try await AuditLog.append(
                    "application.review_started", entity: "application", id: application.id.uuidString.lowercased(),
                    participant: item.participantID, before: ["state": application.state.rawValue], after: ["state": next.rawValue], context: context,
                    on: connection)
            }
            // An admin handing the item to an auditor is an assignment, recorded as such.
            let action = context.actor.map { $0.userID != reviewer.userID } == true ? "review.assigned" : "review.claimed"
            try await AuditLog.append(
                action, entity: "review_item", id: id.uuidString.lowercased(), participant: item.participantID,
                before: item.claimedBy.map { ["claimed_by": $0.uuidString.lowercased()] },
                after: ["claimed_by": reviewer.userID.uuidString.lowercased()],
                context: context, on: connection)
            return try await Self.item(id, on: connection)
        }
    }

    /// Gives an item back to the queue (its holder, or an admin).
    public func release(_ id: UUID, by actor: Actor, context: ChangeContext) async throws -> ReviewItem {
        try await database.transaction { connection in
            let (item, _) = try await Self.lockItem(id, on: connection)
            guard let holder = item.claimedBy else { throw StoreError.conflict(slug: "not-claimed", detail: "Nobody holds this item.") }
            guard holder == actor.userID || actor.role == .admin else {
                throw StoreError.refused(slug: "not-holder", detail: "Only the reviewer holding the item, or an admin, can release it.")
            }
            try await connection.execute("UPDATE review_items SET claimed_by = NULL, claim_expires_at = NULL WHERE id = \(id)")
            try await AuditLog.append(
                "review.released", entity: "review_item", id: id.uuidString.lowercased(), participant: item.participantID,
                before: ["claimed_by": holder.uuidString.lowercased()], context: context, on: connection)
            return try await Self.item(id, on: connection)
        }
    }

    /// Records a decision by the holder of the claim. Exactly one decision moves an application
    /// per round: concurrent attempts find the claim gone, and the database keeps one final
    /// decision per round whatever happens.
    public func decide(
        _ id: UUID, decision: Decision, actionComments: [String: String], reasons: String, reviewer: Reviewer,
        cadenceMonths: (CatalogDocument, Tier) -> Int = { catalog, tier in catalog.cadence[tier]?.recertificationMonths ?? 36 },
        context: ChangeContext
    ) async throws -> (item: ReviewItem, outcome: ReviewOutcome) {
        try await database.transaction { connection in
            let (item, subject) = try await Self.lockItem(id, on: connection)
            // Someone who may never decide this item hears why, whatever its state. Then the
            // races: a decided item or a claim held by nobody (or someone else) is a 409, so of
            // concurrent attempts one wins and the rest learn it was decided.
            if let refusal = ReviewPolicy.independenceRefusal(reviewer, subject: subject, at: Date()) {
                throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            guard item.status != "closed" else { throw StoreError.conflict(slug: "review-closed", detail: "This review is already decided.") }
            guard item.claimedBy == reviewer.userID, let expires = item.claimExpiresAt, expires > Date() else {
                throw StoreError.conflict(
                    slug: "claim-required", detail: "Claim the item before deciding it (or claim it again: your claim has expired or was taken).")
            }
            let outcome: ReviewOutcome
            switch ReviewPolicy.decide(decision, by: reviewer, subject: subject, at: Date()) {
            case .success(let value): outcome = value
            case .failure(let refusal): throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            var isFinal = false
            if case .final = outcome { isFinal = true }
            let encodedComments = String(decoding: try JSONEncoder().encode(actionComments), as: UTF8.self)
            try await connection.execute(
                """
                INSERT INTO decisions (review_item_id, application_id, round, reviewer_id, reviewer_role, decision, action_comments, reasons, final)
                VALUES (\(id), \(item.applicationID), \(item.round), \(reviewer.userID), \(reviewer.role.rawValue), \(decision.rawValue),
                        \(encodedComments)::jsonb, \(reasons), \(isFinal))
                """)
            try await AuditLog.append(
                "review.decided", entity: "review_item", id: id.uuidString.lowercased(), participant: item.participantID,
                after: ["decision": decision.rawValue, "final": isFinal ? "true" : "false", "reviewer_role": reviewer.role.rawValue],
                context: context, on: connection)
            switch outcome {
            case .awaitingSecondApproval, .flaggedForAdmin:
                let status = outcome == .flaggedForAdmin ? "flagged" : "awaiting_second"
                try await connection.execute(
                    "UPDATE review_items SET status = \(status), claimed_by = NULL, claim_expires_at = NULL WHERE id = \(id)")
            case .final(let event):
                try await connection.execute(
                    """
                    UPDATE review_items SET status = 'closed', closed_at = now(), claimed_by = NULL, claim_expires_at = NULL WHERE id = \(id)
                    """)
                let application = try await ApplicationStore.lockApplication(item.applicationID, on: connection)
                let next = try ApplicationStore.transition(event, application, .reviewer)
                try await connection.execute(
                    """
                    UPDATE applications SET state = \(next.rawValue), decided_at = CASE WHEN \(next.isFinal) THEN now() END WHERE id = \(application.id)
                    """)
                try await AuditLog.append(
                    "application.\(next.rawValue)", entity: "application", id: application.id.uuidString.lowercased(),
                    participant: item.participantID, before: ["state": application.state.rawValue], after: ["state": next.rawValue], context: context,
                    on: connection)
                if next == .approved {
                    try await Self.certify(application, months: cadenceMonths, context: context, on: connection)
                }
            }
            return (try await Self.item(id, on: connection), outcome)
        }
    }

    public func decisions(ofApplication id: UUID) async throws -> [DecisionRecord] {
        try await database.query(
            """
            SELECT d.id, d.review_item_id, d.round, d.reviewer_id, u.display_name, d.reviewer_role, d.decision, d.action_comments, d.reasons, d.final, d.created_at
            FROM decisions d JOIN users u ON u.id = d.reviewer_id WHERE d.application_id = \(id) ORDER BY d.created_at, d.id
            """
        ).map { row in
            DecisionRecord(
                id: try row.decode("id"), reviewItemID: try row.decode("review_item_id"), round: try row.decode("round"),
                reviewerID: try row.decode("reviewer_id"), reviewerName: try row.decode("display_name"),
                reviewerRole: try row.decode("reviewer_role"),
                decision: Decision(rawValue: try row.decode("decision")) ?? .reject,
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
                    UPDATE affiliations SET valid_until = greatest(valid_from + 1, current_date)
                    WHERE id = \(id) AND auditor_id = \(auditor) AND (valid_until IS NULL OR valid_until > current_date) RETURNING participant_id
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

    // MARK: Certifications

    public func certifications(participants: Set<UUID>?, limit: Int) async throws -> [Certification] {
        let ids = participants.map { Array($0) }
        return try await database.query(
            """
            SELECT \(unsafeRaw: Certification.columns) FROM certifications c JOIN participants p ON p.id = c.participant_id
            WHERE (\(ids)::uuid[] IS NULL OR c.participant_id = ANY(\(ids)::uuid[])) ORDER BY c.granted_at DESC, c.id LIMIT \(limit)
            """
        ).map(Certification.init(row:))
    }

    public func certification(_ id: UUID) async throws -> Certification {
        guard
            let row = try await database.query(
                """
                SELECT \(unsafeRaw: Certification.columns) FROM certifications c JOIN participants p ON p.id = c.participant_id WHERE c.id = \(id)
                """
            ).single
        else { throw StoreError.notFound("There is no certification \(id.uuidString.lowercased()).") }
        return try Certification(row: row)
    }

    // MARK: Helpers

    /// An approval grants the mark: the committed actions under the application's catalog
    /// version, valid for the catalog's recertification period. A mark still in force for the
    /// same program gives way to it.
    static func certify(_ application: Application, months: (CatalogDocument, Tier) -> Int, context: ChangeContext, on connection: PostgresConnection)
        async throws
    {
        let catalog = try await ApplicationStore.catalog(of: application, on: connection)
        let actions = try await connection.query("SELECT action_code FROM commitments WHERE application_id = \(application.id) ORDER BY 1")
            .map { try $0.decode(0, as: String.self) }
        let replaced = try await connection.execute(
            """
            UPDATE certifications SET status = 'expired', status_reason = 'superseded by a new certification'
            WHERE participant_id = \(application.participantID) AND program_code = \(application.program) AND status IN ('active', 'warned', 'suspended')
            """)
        let granted = Date()
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let validUntil = calendar.date(byAdding: .month, value: months(catalog, application.tier), to: granted)!
        let id = try await connection.query(
            """
            INSERT INTO certifications (participant_id, program_code, tier, catalog_version, application_id, actions, granted_at, valid_until)
            VALUES (\(application.participantID), \(application.program), \(application.tier.rawValue), \(application.catalogVersion), \(application.id),
                    \(actions), \(granted), \(validUntil)) RETURNING id
            """)[0].decode(0, as: UUID.self)
        try await AuditLog.append(
            "certification.granted", entity: "certification", id: id.uuidString.lowercased(), participant: application.participantID,
            after: [
                "program": application.program, "tier": application.tier.rawValue, "catalog_version": String(application.catalogVersion),
                "actions": actions.joined(separator: ","), "replaced": String(replaced),
            ],
            context: context, on: connection)
    }

    static func lockItem(_ id: UUID, on connection: PostgresConnection) async throws -> (ReviewItem, ReviewSubject) {
        guard try await connection.query("SELECT 1 FROM review_items WHERE id = \(id) FOR UPDATE").single != nil else {
            throw StoreError.notFound("There is no review item \(id.uuidString.lowercased()).")
        }
        let item = try await item(id, on: connection)
        let decisions = try await connection.query(
            """
            SELECT reviewer_id, decision FROM decisions WHERE review_item_id = \(id) ORDER BY created_at, id
            """
        ).map { RecordedDecision(reviewerID: try $0.decode("reviewer_id"), decision: Decision(rawValue: try $0.decode("decision")) ?? .reject) }
        let submittedBy = try await connection.query("SELECT submitted_by FROM applications WHERE id = \(item.applicationID)")[0].decode(
            0, as: UUID?.self)
        let subject = ReviewSubject(
            participantID: item.participantID, tier: item.tier, submittedBy: submittedBy, decisions: decisions,
            flaggedForAdmin: item.status == "flagged"
        )
        return (item, subject)
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

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: date)
    }
}
