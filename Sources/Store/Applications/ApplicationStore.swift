import Canonical
import Crypto
import Domain
import Foundation
import Postgres

/// Applications, their commitments and evidence, and the comment thread. Every change appends
/// its audit event in the same transaction.
public struct ApplicationStore: Sendable {
    let database: PostgresPool
    /// Working days from submission to the review's due time.
    let reviewWorkingDays: Int

    /// Evidence files one participant may store in all, superseded versions included.
    let evidenceQuotaBytes: Int

    public init(database: PostgresPool, reviewWorkingDays: Int = 10, evidenceQuotaBytes: Int = 1 << 30) {
        self.database = database
        self.reviewWorkingDays = reviewWorkingDays
        self.evidenceQuotaBytes = evidenceQuotaBytes
    }

    // MARK: Applications

    /// The participant an application belongs to (for authorisation), or 404.
    public func participant(ofApplication id: UUID) async throws -> UUID {
        guard let row = try await database.query("SELECT participant_id FROM applications WHERE id = \(id)").single else {
            throw StoreError.notFound("There is no application \(id.uuidString.lowercased()).")
        }
        return try row.decode(0, as: UUID.self)
    }

    /// Starts a draft under the program's current catalog (in its own transaction).
    public func create(participant: UUID, program: String, tier: Tier, context: ChangeContext) async throws -> Application {
        try await database.transaction { connection in
            try await create(participant: participant, program: program, tier: tier, context: context, on: connection)
        }
    }

    /// Starts a draft under the program's current catalog. One open application per participant
    /// and program at a time.
    public func create(participant: UUID, program: String, tier: Tier, context: ChangeContext, on connection: PostgresConnection) async throws
        -> Application
    {
        try await ParticipantStore.lockParticipant(participant, on: connection)
        guard
            let current = try await connection.query(
                """
                SELECT max(version) FROM catalog_versions WHERE program_code = \(program) AND status = 'published'
                """)[0].decode(0, as: Int?.self)
        else { throw StoreError.invalid([FieldRefusal("program", "unknown_program", "There is no published program '\(program.prefix(40))'.")]) }
        guard
            try await connection.query(
                """
                SELECT 1 FROM participant_programs WHERE participant_id = \(participant) AND program_code = \(program)
                """
            ).single != nil
        else {
            throw StoreError.invalid([
                FieldRefusal("program", "not_in_program", "The participant does not take part in \(program); add the program to it first.")
            ])
        }
        let open = try await connection.query(
            """
            SELECT id FROM applications WHERE participant_id = \(participant) AND program_code = \(program)
              AND state = ANY(\(ApplicationState.open.map(\.rawValue))::text[])
            """
        ).single.map { try $0.decode(0, as: UUID.self) }
        if let refusal = ApplicationRules.openApplicationRefusal(program: program, existing: open) {
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        if let refusal = CertificationRules.newApplicationRefusal(
            program: program, latestStatus: try await CertificationStore.latestStatus(participant: participant, program: program, on: connection))
        {
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        let id = try await connection.query(
            """
            INSERT INTO applications (participant_id, program_code, catalog_version, tier, created_by)
            VALUES (\(participant), \(program), \(current), \(tier.rawValue), \(context.actor?.userID)) RETURNING id
            """)[0].decode(0, as: UUID.self)
        let application = try await Self.application(id, on: connection)
        try await AuditLog.append(
            "application.created", entity: "application", id: id.uuidString.lowercased(), participant: participant,
            after: application, context: context, on: connection)
        return application
    }

    public func list(participants: Set<UUID>?, state: ApplicationState?, program: String?, limit: Int, cursor: String?) async throws -> Page<
        Application
    > {
        let after = try cursor.map { text throws(StoreError) in try ListCursor(text) }
        let ids = participants.map { Array($0) }
        let rows = try await database.query(
            """
            SELECT \(unsafeRaw: Application.columns) FROM \(unsafeRaw: Application.from)
            WHERE (\(ids)::uuid[] IS NULL OR a.participant_id = ANY(\(ids)::uuid[]))
              AND (\(state?.rawValue)::text IS NULL OR a.state = \(state?.rawValue)::text)
              AND (\(program)::text IS NULL OR a.program_code = \(program)::text)
              AND (\(after?.createdAt)::timestamptz IS NULL OR (a.created_at, a.id) > (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY a.created_at, a.id LIMIT \(limit + 1)
            """)
        let items = try rows.prefix(limit).map(Application.init(row:))
        let next = rows.count > limit ? items.last.map { ListCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(items: items, nextCursor: next)
    }

    public func detail(_ id: UUID) async throws -> ApplicationDetail {
        try await database.withConnection { connection in try await Self.detail(id, on: connection) }
    }

    /// Commits to an action (or rewrites its statement) while the application is editable.
    public func setCommitment(_ id: UUID, action: String, statement: String, context: ChangeContext) async throws -> ApplicationDetail {
        try await database.transaction { connection in
            let (application, catalog) = try await Self.lockEditable(id, on: connection)
            guard catalog.actions(at: application.tier).contains(where: { $0.code == action }) else {
                throw StoreError.notFound(
                    "\(action.prefix(64)) is not an action of \(application.program) version \(application.catalogVersion) at \(application.tier.rawValue)."
                )
            }
            let before = try await connection.query("SELECT statement FROM commitments WHERE application_id = \(id) AND action_code = \(action)")
                .single
                .map { try $0.decode(0, as: String.self) }
            try await connection.execute(
                """
                INSERT INTO commitments (application_id, action_code, statement) VALUES (\(id), \(action), \(statement))
                ON CONFLICT (application_id, action_code) DO UPDATE SET statement = excluded.statement
                """)
            try await connection.execute("UPDATE applications SET updated_at = \(context.at) WHERE id = \(id)")
            try await AuditLog.append(
                before == nil ? "commitment.added" : "commitment.updated", entity: "commitment",
                id: "\(id.uuidString.lowercased())/\(action)", participant: application.participantID,
                before: before.map { ["statement": $0] }, after: ["statement": statement], context: context, on: connection)
            return try await Self.detail(id, on: connection)
        }
    }

    public func removeCommitment(_ id: UUID, action: String, context: ChangeContext) async throws -> ApplicationDetail {
        try await database.transaction { connection in
            let (application, _) = try await Self.lockEditable(id, on: connection)
            guard
                let row = try await connection.query(
                    """
                    DELETE FROM commitments WHERE application_id = \(id) AND action_code = \(action) RETURNING statement
                    """
                ).single
            else { throw StoreError.notFound("The application does not commit to \(action.prefix(64)).") }
            try await connection.execute("UPDATE applications SET updated_at = \(context.at) WHERE id = \(id)")
            try await AuditLog.append(
                "commitment.removed", entity: "commitment", id: "\(id.uuidString.lowercased())/\(action)",
                participant: application.participantID, before: ["statement": try row.decode(0, as: String.self)], context: context, on: connection)
            return try await Self.detail(id, on: connection)
        }
    }

    /// Adds evidence to a committed action, or a new version superseding an earlier one.
    public func addEvidence(_ id: UUID, action: String, _ new: NewEvidence, context: ChangeContext) async throws -> Evidence {
        do {
            return try await database.transaction { connection in
                let (application, _) = try await Self.lockEditable(id, on: connection)
                guard try await connection.query("SELECT 1 FROM commitments WHERE application_id = \(id) AND action_code = \(action)").single != nil
                else {
                    throw StoreError.notFound("Commit to \(action.prefix(64)) before attaching evidence to it.")
                }
                if let old = new.supersedes {
                    guard
                        let row = try await connection.query(
                            """
                            SELECT action_code, (SELECT count(*) FROM evidence n WHERE n.supersedes = e.id) AS newer FROM evidence e
                            WHERE e.id = \(old) AND e.application_id = \(id)
                            """
                        ).single, try row.decode("action_code", as: String.self) == action
                    else {
                        throw StoreError.invalid([
                            FieldRefusal("supersedes", "unknown_evidence", "supersedes must name evidence of the same action of this application.")
                        ])
                    }
                    if try row.decode("newer", as: Int.self) > 0 {
                        throw StoreError.conflict(
                            slug: "already-superseded", detail: "That evidence already has a newer version; supersede the newest one.")
                    }
                }
                var kind = "statement", fileName: String? = nil, declared: String? = nil, sniffed: String? = nil
                var size: Int64? = nil, digest: Data? = nil, bytes: Data? = nil, url: String? = nil, text: String? = nil
                switch new.content {
                case .document(let name, let declaredType, let sniffedType, let content):
                    (kind, fileName, declared, sniffed, bytes) = ("document", name, declaredType, sniffedType, content)
                    size = Int64(content.count)
                    digest = Data(SHA256.hash(data: content))
                    try await requireStorage(content.count, participant: application.participantID, on: connection)
                case .url(let value): (kind, url) = ("url", value)
                case .statement(let value): text = value
                }
                let evidenceID = try await connection.query(
                    """
                    INSERT INTO evidence (application_id, action_code, kind, file_name, declared_type, sniffed_type, size_bytes, sha256, content,
                                          url, text, effective_from, effective_until, supersedes, uploaded_by)
                    VALUES (\(id), \(action), \(kind), \(fileName), \(declared), \(sniffed), \(size), \(digest), \(bytes), \(url), \(text),
                            \(new.effectiveFrom)::date, \(new.effectiveUntil)::date, \(new.supersedes), \(context.actor?.userID))
                    RETURNING id
                    """)[0].decode(0, as: UUID.self)
                let evidence = try Evidence(
                    row: try await connection.query("SELECT \(unsafeRaw: Evidence.columns) FROM evidence e WHERE e.id = \(evidenceID)")[0])
                try await AuditLog.append(
                    new.supersedes == nil ? "evidence.added" : "evidence.superseded", entity: "evidence",
                    id: evidenceID.uuidString.lowercased(), participant: application.participantID, after: evidence, context: context, on: connection)
                return evidence
            }
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "evidence_supersedes_key" {
            throw StoreError.conflict(slug: "already-superseded", detail: "That evidence already has a newer version; supersede the newest one.")
        }
    }

    /// Refuses a file that would take the participant's evidence past its quota. The
    /// participant's row is locked first, so two uploads at once cannot both fit in what is left.
    func requireStorage(_ bytes: Int, participant: UUID, on connection: PostgresConnection) async throws {
        try await ParticipantStore.lockParticipant(participant, on: connection)
        let used = try await connection.query(
            """
            SELECT coalesce(sum(e.size_bytes), 0)::bigint FROM evidence e JOIN applications a ON a.id = e.application_id
            WHERE a.participant_id = \(participant)
            """)[0].decode(0, as: Int.self)
        if used + bytes > evidenceQuotaBytes {
            throw StoreError.conflict(
                slug: "storage-quota",
                detail:
                    "This file (\(bytes) bytes) would take the participant's evidence past its quota of \(evidenceQuotaBytes) bytes (\(used) used). Ask the secretariat for more room."
            )
        }
    }

    public func evidence(of id: UUID) async throws -> [Evidence] {
        try await database.query(
            "SELECT \(unsafeRaw: Evidence.columns) FROM evidence e WHERE e.application_id = \(id) ORDER BY e.action_code, e.uploaded_at, e.id"
        )
        .map(Evidence.init(row:))
    }

    /// One piece of evidence with its participant (for authorisation) and, with `content`, a
    /// file's bytes (up to `EVIDENCE_MAX_BYTES`: read them only to send them).
    public func evidenceFile(_ id: UUID, content: Bool) async throws -> EvidenceFile {
        guard
            let row = try await database.query(
                """
                SELECT \(unsafeRaw: Evidence.columns), \(unsafeRaw: content ? "e.content" : "NULL::bytea AS content"), a.participant_id AS owner
                FROM evidence e JOIN applications a ON a.id = e.application_id WHERE e.id = \(id)
                """
            ).single
        else { throw StoreError.notFound("There is no evidence \(id.uuidString.lowercased()).") }
        return EvidenceFile(
            evidence: try Evidence(row: row), participantID: try row.decode("owner"), bytes: try row.decode("content", as: Data?.self) ?? Data())
    }

    /// Submits a complete application: a new review round enters the auditors' queue. An
    /// incomplete one is refused with everything it lacks.
    public func submit(_ id: UUID, expectedVersion: Int, context: ChangeContext) async throws -> ApplicationDetail {
        try await database.transaction { connection in
            let application = try await Self.lockApplication(id, on: connection)
            let next = try Self.transition(.submit, application, .direct(context.actor, on: application.participantID), at: context.at)
            guard application.version == expectedVersion else { throw StoreError.staleVersion(current: application.version) }
            let detail = try await Self.detail(id, on: connection)
            if !detail.missing.isEmpty {
                throw StoreError.invalid(
                    detail.missing.map { FieldRefusal($0.action.map { "commitments.\($0)" } ?? "commitments", $0.code, $0.message) })
            }
            let now = context.at
            try await connection.execute(
                """
                UPDATE applications SET state = \(next.rawValue), round = round + 1, submitted_at = \(now), submitted_by = \(context.actor?.userID)
                WHERE id = \(id)
                """)
            let item = try await connection.query(
                """
                INSERT INTO review_items (application_id, round, participant_id, program_code, tier, due_at)
                VALUES (\(id), \(application.round + 1), \(application.participantID), \(application.program), \(application.tier.rawValue),
                        \(WorkingDays.add(reviewWorkingDays, to: now)))
                RETURNING id
                """
            ).single?.decode(0, as: UUID.self)
            if let item {
                try await AuditorNotices.itemOpened(
                    item, kind: .application, participant: application.participantID, context: context, on: connection)
            }
            try await AuditLog.append(
                "application.submitted", entity: "application", id: id.uuidString.lowercased(), participant: application.participantID,
                before: ["state": application.state.rawValue], after: ["state": next.rawValue, "round": String(application.round + 1)],
                context: context, on: connection)
            return try await Self.detail(id, on: connection)
        }
    }

    /// Withdraws an application before a decision; its open review item leaves the queue.
    public func withdraw(_ id: UUID, expectedVersion: Int, context: ChangeContext) async throws -> ApplicationDetail {
        try await database.transaction { connection in
            let application = try await Self.lockApplication(id, on: connection)
            let next = try Self.transition(.withdraw, application, .direct(context.actor, on: application.participantID), at: context.at)
            guard application.version == expectedVersion else { throw StoreError.staleVersion(current: application.version) }
            try await connection.execute("UPDATE applications SET state = \(next.rawValue), decided_at = \(context.at) WHERE id = \(id)")
            try await connection.execute(
                """
                UPDATE review_items SET status = \(ReviewStatus.closed.rawValue), closed_at = \(context.at), claimed_by = NULL, claim_expires_at = NULL
                WHERE application_id = \(id) AND status <> \(ReviewStatus.closed.rawValue)
                """)
            try await AuditLog.append(
                "application.withdrawn", entity: "application", id: id.uuidString.lowercased(), participant: application.participantID,
                before: ["state": application.state.rawValue], after: ["state": next.rawValue], context: context, on: connection)
            return try await Self.detail(id, on: connection)
        }
    }

    // MARK: Comments

    public func comments(of id: UUID, includeInternal: Bool) async throws -> [Comment] {
        try await database.query(
            """
            SELECT c.id, c.application_id, c.author_id, u.display_name, c.author_role, c.body, c.internal, c.created_at
            FROM comments c JOIN users u ON u.id = c.author_id
            WHERE c.application_id = \(id) AND (\(includeInternal) OR NOT c.internal) ORDER BY c.created_at, c.id
            """
        ).map(Self.comment(from:))
    }

    public func addComment(to id: UUID, body: String, isInternal: Bool, context: ChangeContext) async throws -> Comment {
        guard let actor = context.actor else { throw StoreError.refused(slug: "forbidden", detail: "Sign in to comment.") }
        return try await database.transaction { connection in
            let application = try await Self.lockApplication(id, on: connection)
            let row = try await connection.query(
                """
                WITH inserted AS (
                    INSERT INTO comments (application_id, author_id, author_role, body, internal)
                    VALUES (\(id), \(actor.userID), \(actor.role.rawValue), \(body), \(isInternal)) RETURNING *)
                SELECT i.id, i.application_id, i.author_id, u.display_name, i.author_role, i.body, i.internal, i.created_at
                FROM inserted i JOIN users u ON u.id = i.author_id
                """)[0]
            let comment = try Self.comment(from: row)
            try await AuditLog.append(
                "comment.added", entity: "comment", id: comment.id.uuidString.lowercased(), participant: application.participantID,
                after: ["internal": isInternal ? "true" : "false", "length": String(body.count)], context: context, on: connection)
            return comment
        }
    }

    // MARK: Helpers

    static func application(_ id: UUID, on connection: PostgresConnection, lock: Bool = false) async throws -> Application {
        guard
            let row = try await connection.query(
                """
                SELECT \(unsafeRaw: Application.columns) FROM \(unsafeRaw: Application.from) WHERE a.id = \(id) \(unsafeRaw: lock ? "FOR UPDATE OF a" : "")
                """
            ).single
        else { throw StoreError.notFound("There is no application \(id.uuidString.lowercased()).") }
        return try Application(row: row)
    }

    static func lockApplication(_ id: UUID, on connection: PostgresConnection) async throws -> Application {
        try await application(id, on: connection, lock: true)
    }

    static func catalog(of application: Application, on connection: PostgresConnection) async throws -> CatalogDocument {
        try await connection.query(
            """
            SELECT document FROM catalog_versions WHERE program_code = \(application.program) AND version = \(application.catalogVersion)
            """)[0].decode(0, as: JSONB<CatalogDocument>.self).value
    }

    /// Locks an application that the applicant may still change, with its catalog.
    static func lockEditable(_ id: UUID, on connection: PostgresConnection) async throws -> (Application, CatalogDocument) {
        let application = try await lockApplication(id, on: connection)
        guard application.state.isEditable else {
            throw StoreError.conflict(
                slug: "application-locked",
                detail:
                    "The application is \(application.state.rawValue.replacingOccurrences(of: "_", with: " ")); it can change only as a draft or when changes were requested."
            )
        }
        return (application, try await catalog(of: application, on: connection))
    }

    static func transition(_ event: ApplicationEvent, _ application: Application, _ actor: ApplicationActor, at time: Date) throws
        -> ApplicationState
    {
        switch ApplicationMachine.apply(event, to: application.state, by: actor, at: time) {
        case .success(let next): return next
        case .failure(let refusal) where refusal.code == "invalid-transition":
            throw StoreError.conflict(slug: "invalid-transition", detail: refusal.message)
        case .failure(let refusal): throw StoreError.refused(slug: refusal.code, detail: refusal.message)
        }
    }

    static func detail(_ id: UUID, on connection: PostgresConnection) async throws -> ApplicationDetail {
        let application = try await Self.application(id, on: connection)
        let catalog = try await catalog(of: application, on: connection)
        let titles = Dictionary(uniqueKeysWithValues: catalog.actions.map { ($0.code, $0.title) })
        let evidence = try await connection.query(
            """
            SELECT \(unsafeRaw: Evidence.columns) FROM evidence e WHERE e.application_id = \(id) ORDER BY e.uploaded_at, e.id
            """
        ).map(Evidence.init(row:))
        let byAction = Dictionary(grouping: evidence, by: \.actionCode)
        let commitments = try await connection.query(
            """
            SELECT action_code, statement, updated_at FROM commitments WHERE application_id = \(id) ORDER BY action_code
            """
        ).map { row in
            let code = try row.decode("action_code", as: String.self)
            return Commitment(
                actionCode: code, actionTitle: titles[code] ?? code, statement: try row.decode("statement"), evidence: byAction[code] ?? [],
                updatedAt: try row.decode("updated_at")
            )
        }
        let summaries = commitments.map { commitment in
            CommitmentSummary(
                actionCode: commitment.actionCode,
                hasStatement: !commitment.statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                evidenceKinds: Set(commitment.evidence.filter { $0.supersededBy == nil }.compactMap { EvidenceKind(rawValue: $0.kind) })
            )
        }
        let missing = application.state.isEditable ? catalog.missing(at: application.tier, commitments: summaries) : []
        let certification = try await connection.query("SELECT id FROM certifications WHERE application_id = \(id)").single
            .map { try $0.decode(0, as: UUID.self) }
        return ApplicationDetail(application: application, commitments: commitments, missing: missing, certificationID: certification)
    }

    static func comment(from row: PostgresRow) throws -> Comment {
        Comment(
            id: try row.decode("id"), applicationID: try row.decode("application_id"), authorID: try row.decode("author_id"),
            authorName: try row.decode("display_name"), authorRole: try row.decode("author_role"), body: try row.decode("body"),
            isInternal: try row.decode("internal"), createdAt: try row.decode("created_at")
        )
    }
}
