import Canonical
import Domain
import Foundation
import Postgres
import Routing

/// Participants, their resources, contacts and members. Every change appends its audit event
/// in the same transaction.
public struct ParticipantStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    // MARK: Participants

    /// A page of participants in creation order, after `cursor`.
    public func list(filter: ParticipantFilter, limit: Int, cursor: String?) async throws -> Page<Participant> {
        let after = try cursor.map { text throws(StoreError) in try ListCursor(text) }
        let rows = try await database.query(
            """
            \(unsafeRaw: Self.selectParticipant)
            WHERE (\(filter.program)::text IS NULL OR EXISTS (
                     SELECT 1 FROM participant_programs pp WHERE pp.participant_id = p.id AND pp.program_code = \(filter.program)::text))
              AND (\(filter.country)::text IS NULL OR p.country = \(filter.country)::text)
              AND (\(filter.status)::text IS NULL OR p.status = \(filter.status)::text)
              AND (\(filter.asn.map(Int64.init))::bigint IS NULL OR EXISTS (
                     SELECT 1 FROM resources r WHERE r.participant_id = p.id AND r.asn = \(filter.asn.map(Int64.init))::bigint))
              AND (\(filter.prefix?.description)::cidr IS NULL OR EXISTS (
                     SELECT 1 FROM resources r WHERE r.participant_id = p.id AND r.prefix && \(filter.prefix?.description)::cidr))
              AND (\(filter.memberUserID)::uuid IS NULL OR EXISTS (
                     SELECT 1 FROM memberships m WHERE m.participant_id = p.id AND m.user_id = \(filter.memberUserID)::uuid))
              AND (\(after?.createdAt)::timestamptz IS NULL OR (p.created_at, p.id) > (\(after?.createdAt)::timestamptz, \(after?.id)::uuid))
            ORDER BY p.created_at, p.id
            LIMIT \(limit + 1)
            """)
        let items = try rows.prefix(limit).map(Self.participant(from:))
        let next = rows.count > limit ? items.last.map { ListCursor(createdAt: $0.createdAt, id: $0.id).encoded } : nil
        return Page(items: items, nextCursor: next)
    }

    public func get(_ id: UUID) async throws -> Participant {
        guard let row = try await database.query("\(unsafeRaw: Self.selectParticipant) WHERE p.id = \(id)").single else {
            throw StoreError.notFound("There is no participant \(id.uuidString.lowercased()).")
        }
        return try Self.participant(from: row)
    }

    /// Creates a participant with its programs, resources and contacts; `owner` becomes its
    /// owner (applicants creating their own organisation).
    public func create(_ new: NewParticipant, owner: UUID?, context: ChangeContext) async throws -> Participant {
        try await withClaimConflicts(context: context) {
            try await database.transaction { connection in try await create(new, owner: owner, context: context, on: connection) }
        }
    }

    /// `create` inside the caller's transaction (run it within `withClaimConflicts`).
    public func create(_ new: NewParticipant, owner: UUID?, context: ChangeContext, on connection: PostgresConnection) async throws -> Participant {
        try await Self.requirePrograms(new.programs, on: connection)
        let id = try await connection.query(
            """
            INSERT INTO participants (legal_name, display_name, country, website)
            VALUES (\(new.legalName), \(new.displayName), \(new.country), \(new.website)) RETURNING id
            """)[0].decode(0, as: UUID.self)
        for program in Set(new.programs) {
            try await connection.execute("INSERT INTO participant_programs (participant_id, program_code) VALUES (\(id), \(program))")
        }
        if let owner {
            try await connection.execute("INSERT INTO memberships (user_id, participant_id, role) VALUES (\(owner), \(id), 'owner')")
        }
        let participant = try Self.participant(from: try await connection.query("\(unsafeRaw: Self.selectParticipant) WHERE p.id = \(id)")[0])
        try await AuditLog.append(
            "participant.created", entity: "participant", id: id.uuidString.lowercased(), participant: id,
            after: participant, context: context, on: connection)
        for resource in new.resources { _ = try await Self.insert(resource, into: id, context: context, on: connection) }
        for contact in new.contacts { _ = try await Self.insert(contact, into: id, context: context, on: connection) }
        return participant
    }

    /// Applies `changes` when `expectedVersion` is still current; 412 otherwise.
    public func update(_ id: UUID, changes: ParticipantChanges, expectedVersion: Int, context: ChangeContext) async throws -> Participant {
        try await database.transaction { connection in
            guard let row = try await connection.query("\(unsafeRaw: Self.selectParticipant) WHERE p.id = \(id) FOR UPDATE OF p").single else {
                throw StoreError.notFound("There is no participant \(id.uuidString.lowercased()).")
            }
            let before = try Self.participant(from: row)
            guard before.version == expectedVersion else { throw StoreError.staleVersion(current: before.version) }
            let website: String? = changes.website ?? before.website
            try await connection.execute(
                """
                UPDATE participants SET legal_name = \(changes.legalName ?? before.legalName), display_name = \(changes.displayName ?? before.displayName),
                    country = \(changes.country ?? before.country), website = \(website), status = \(changes.status ?? before.status)
                WHERE id = \(id)
                """)
            if let programs = changes.programs {
                try await Self.requirePrograms(programs, on: connection)
                try await connection.execute(
                    "DELETE FROM participant_programs WHERE participant_id = \(id) AND NOT (program_code = ANY(\(programs)))")
                for program in Set(programs) {
                    try await connection.execute(
                        """
                        INSERT INTO participant_programs (participant_id, program_code) VALUES (\(id), \(program)) ON CONFLICT DO NOTHING
                        """)
                }
            }
            let after = try Self.participant(from: try await connection.query("\(unsafeRaw: Self.selectParticipant) WHERE p.id = \(id)")[0])
            try await AuditLog.append(
                "participant.updated", entity: "participant", id: id.uuidString.lowercased(), participant: id,
                before: before, after: after, context: context, on: connection)
            return after
        }
    }

    // MARK: Resources

    /// Resources of a participant; `within` keeps prefixes inside that prefix, `kind` one kind.
    public func resources(of participant: UUID, kind: ResourceKind? = nil, within: IPPrefix? = nil) async throws -> [Resource] {
        _ = try await get(participant)
        return try await database.query(
            """
            \(unsafeRaw: Self.selectResource) WHERE r.participant_id = \(participant)
              AND (\(kind?.rawValue)::text IS NULL OR r.kind = \(kind?.rawValue)::text)
              AND (\(within?.description)::cidr IS NULL OR r.prefix <<= \(within?.description)::cidr)
            ORDER BY r.kind, r.asn NULLS LAST, r.prefix
            """
        ).map(Self.resource(from:))
    }

    /// Who holds or claims what across the registry: an exact ASN, prefixes inside `within`,
    /// prefixes covering `covering` (the holder of an address's space), claims in one
    /// `verification` state (the secretariat's queue of unverified claims, oldest first).
    public func searchResources(
        asn: ASN?, within: IPPrefix?, covering: IPPrefix?, verification: VerificationState? = nil, limit: Int
    ) async throws -> [Resource] {
        try await database.query(
            """
            \(unsafeRaw: Self.selectResource)
            WHERE (\(asn.map(Int64.init))::bigint IS NULL OR r.asn = \(asn.map(Int64.init))::bigint)
              AND (\(within?.description)::cidr IS NULL OR r.prefix <<= \(within?.description)::cidr)
              AND (\(covering?.description)::cidr IS NULL OR r.prefix >>= \(covering?.description)::cidr)
              AND (\(verification?.rawValue)::text IS NULL OR r.verification = \(verification?.rawValue)::text)
            ORDER BY CASE WHEN \(verification?.rawValue)::text IS NOT NULL THEN r.created_at END, r.asn NULLS LAST, r.prefix, r.created_at, r.id
            LIMIT \(limit)
            """
        ).map(Self.resource(from:))
    }

    /// Claims a resource for a participant. The claim starts unverified, and is verified at once
    /// when it is a prefix the latest VRPs authorise for one of the participant's verified ASNs.
    /// 409 when another participant holds it (verified) or an overlapping prefix; the holder is
    /// named only to staff.
    public func addResource(_ resource: NewResource, to participant: UUID, context: ChangeContext) async throws -> Resource {
        try await withClaimConflicts(context: context) {
            try await database.transaction { connection in try await addResource(resource, to: participant, context: context, on: connection) }
        }
    }

    /// `addResource` inside the caller's transaction (run it within `withClaimConflicts`).
    public func addResource(_ resource: NewResource, to participant: UUID, context: ChangeContext, on connection: PostgresConnection) async throws
        -> Resource
    {
        try await Self.lockResources(on: connection)
        try await Self.lockParticipant(participant, on: connection)
        return try await Self.insert(resource, into: participant, context: context, on: connection)
    }

    public func removeResource(_ id: UUID, of participant: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    DELETE FROM resources r WHERE r.id = \(id) AND r.participant_id = \(participant)
                    RETURNING \(unsafeRaw: Self.resourceColumns)
                    """
                ).single
            else {
                throw StoreError.notFound("Participant \(participant.uuidString.lowercased()) holds no resource \(id.uuidString.lowercased()).")
            }
            let removed = try Self.resource(from: row)
            try await AuditLog.append(
                "resource.removed", entity: "resource", id: id.uuidString.lowercased(), participant: participant,
                before: removed, context: context, on: connection)
        }
    }

    // MARK: Contacts

    public func contacts(of participant: UUID) async throws -> [Contact] {
        _ = try await get(participant)
        return try await database.query("\(unsafeRaw: Self.selectContact) WHERE participant_id = \(participant) ORDER BY role, created_at, id")
            .map(Self.contact(from:))
    }

    public func contact(_ id: UUID, of participant: UUID) async throws -> Contact {
        guard let row = try await database.query("\(unsafeRaw: Self.selectContact) WHERE id = \(id) AND participant_id = \(participant)").single
        else {
            throw StoreError.notFound("Participant \(participant.uuidString.lowercased()) has no contact \(id.uuidString.lowercased()).")
        }
        return try Self.contact(from: row)
    }

    public func addContact(_ contact: NewContact, to participant: UUID, context: ChangeContext) async throws -> Contact {
        try await database.transaction { connection in try await addContact(contact, to: participant, context: context, on: connection) }
    }

    public func addContact(_ contact: NewContact, to participant: UUID, context: ChangeContext, on connection: PostgresConnection) async throws
        -> Contact
    {
        try await Self.lockParticipant(participant, on: connection)
        return try await Self.insert(contact, into: participant, context: context, on: connection)
    }

    /// Replaces a contact's details when `expectedVersion` is still current.
    public func updateContact(_ id: UUID, of participant: UUID, with new: NewContact, expectedVersion: Int, context: ChangeContext) async throws
        -> Contact
    {
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    \(unsafeRaw: Self.selectContact) WHERE id = \(id) AND participant_id = \(participant) FOR UPDATE
                    """
                ).single
            else { throw StoreError.notFound("Participant \(participant.uuidString.lowercased()) has no contact \(id.uuidString.lowercased()).") }
            let before = try Self.contact(from: row)
            guard before.version == expectedVersion else { throw StoreError.staleVersion(current: before.version) }
            let after = try Self.contact(
                from: try await connection.query(
                    """
                    UPDATE contacts SET role = \(new.role.rawValue), name = \(new.name), email = \(new.email), phone = \(new.phone),
                        available_24x7 = \(new.available24x7)
                    WHERE id = \(id) RETURNING \(unsafeRaw: Self.contactColumns)
                    """)[0])
            try await AuditLog.append(
                "contact.updated", entity: "contact", id: id.uuidString.lowercased(), participant: participant,
                before: before, after: after, context: context, on: connection)
            return after
        }
    }

    public func removeContact(_ id: UUID, of participant: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard
                let row = try await connection.query(
                    """
                    DELETE FROM contacts WHERE id = \(id) AND participant_id = \(participant) RETURNING \(unsafeRaw: Self.contactColumns)
                    """
                ).single
            else { throw StoreError.notFound("Participant \(participant.uuidString.lowercased()) has no contact \(id.uuidString.lowercased()).") }
            try await AuditLog.append(
                "contact.removed", entity: "contact", id: id.uuidString.lowercased(), participant: participant,
                before: try Self.contact(from: row), context: context, on: connection)
        }
    }

    // MARK: Members

    public func members(of participant: UUID) async throws -> [Member] {
        _ = try await get(participant)
        return try await database.query(
            """
            SELECT m.user_id, u.email, u.display_name, m.role, m.created_at
            FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.participant_id = \(participant) ORDER BY m.created_at, u.email
            """
        ).map(Self.member(from:))
    }

    /// Adds an existing applicant by email, or changes their membership role. Nil, changing
    /// nothing, when no applicant account has this email (none at all, or a staff or enterprise
    /// account): the caller answers both the same way, so that the answer does not tell who has an
    /// account or which accounts are staff.
    @discardableResult
    public func setMember(email: String, role: MembershipRole, of participant: UUID, context: ChangeContext) async throws -> Member? {
        try await database.transaction { connection in
            try await Self.lockParticipant(participant, on: connection)
            guard
                let user = try await connection.query(
                    "SELECT id FROM users WHERE lower(email) = lower(\(email)) AND role = \(UserRole.applicant.rawValue)"
                ).single
            else { return nil }
            let userID = try user.decode("id", as: UUID.self)
            let before = try await connection.query("SELECT role FROM memberships WHERE user_id = \(userID) AND participant_id = \(participant)")
                .single
                .map { try $0.decode(0, as: String.self) }
            if before == MembershipRole.owner.rawValue && role != .owner {
                try await Self.keepAnOwner(participant, leaving: userID, on: connection)
            }
            try await connection.execute(
                """
                INSERT INTO memberships (user_id, participant_id, role) VALUES (\(userID), \(participant), \(role.rawValue))
                ON CONFLICT (user_id, participant_id) DO UPDATE SET role = excluded.role
                """)
            try await AuditLog.append(
                before == nil ? "member.added" : "member.changed", entity: "membership",
                id: "\(participant.uuidString.lowercased())/\(userID.uuidString.lowercased())", participant: participant,
                before: before.map { ["role": $0] }, after: ["role": role.rawValue, "email": email], context: context, on: connection)
            return try Self.member(
                from: try await connection.query(
                    """
                    SELECT m.user_id, u.email, u.display_name, m.role, m.created_at
                    FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.participant_id = \(participant) AND m.user_id = \(userID)
                    """)[0])
        }
    }

    public func removeMember(_ userID: UUID, of participant: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            try await Self.lockParticipant(participant, on: connection)
            try await Self.keepAnOwner(participant, leaving: userID, on: connection)
            guard
                let row = try await connection.query(
                    """
                    DELETE FROM memberships WHERE user_id = \(userID) AND participant_id = \(participant) RETURNING role
                    """
                ).single
            else { throw StoreError.notFound("User \(userID.uuidString.lowercased()) is not a member of this participant.") }
            try await AuditLog.append(
                "member.removed", entity: "membership",
                id: "\(participant.uuidString.lowercased())/\(userID.uuidString.lowercased())", participant: participant,
                before: ["role": try row.decode(0, as: String.self)], context: context, on: connection)
        }
    }

    // MARK: History

    /// The participant's recorded changes in chain order (uncommitted-at-read events last),
    /// after event `afterSeq`.
    public func timeline(of participant: UUID, afterSeq: Int?, limit: Int, view: TimelineView) async throws -> [AuditEvent] {
        _ = try await get(participant)
        return try await database.query(
            """
            SELECT seq, at, actor_user_id, actor_role, action, entity_type, entity_id, before, after, request_id, hash
            FROM audit_events WHERE participant_id = \(participant) AND seq > \(afterSeq ?? 0)
              AND (\(view.showsAffiliations) OR entity_type <> \(TimelineView.affiliationEntity))
              AND (\(view.showsInternalNotes) OR entity_type <> 'comment' OR coalesce(after->>'internal', 'false') <> 'true')
            ORDER BY seq LIMIT \(limit)
            """
        ).map { row in
            AuditEvent(
                seq: try row.decode("seq"), at: try row.decode("at"), actorUserID: try row.decode("actor_user_id"),
                actorRole: try row.decode("actor_role"), action: try row.decode("action"), entityType: try row.decode("entity_type"),
                entityID: try row.decode("entity_id"), before: try row.decode("before", as: JSONB<JSONValue>?.self)?.value,
                after: try row.decode("after", as: JSONB<JSONValue>?.self)?.value, requestID: try row.decode("request_id"),
                hash: try row.decode("hash", as: Data?.self).map(AuditChain.hex)
            )
        }
    }

    // MARK: Statements

    static let selectParticipant = """
        SELECT p.id, p.legal_name, p.display_name, p.country, p.website, p.status, p.created_at, p.updated_at, p.row_version,
               ARRAY(SELECT program_code FROM participant_programs pp WHERE pp.participant_id = p.id ORDER BY 1) AS programs
        FROM participants p
        """
    static let resourceColumns = """
        r.id, r.participant_id, r.kind, r.asn, r.prefix::text AS prefix, r.created_at, r.verification, r.verification_basis,
        r.verification_reason, r.verification_url, r.verification_snapshot_id, r.verification_vrp_prefix::text AS verification_vrp_prefix,
        r.verification_vrp_max_length::integer AS verification_vrp_max_length, r.verification_vrp_asn, r.verification_by, r.verification_at
        """
    static let selectResource = "SELECT \(resourceColumns) FROM resources r"
    static let contactColumns = "id, participant_id, role, name, email, phone, available_24x7, created_at, updated_at, row_version"
    static let selectContact = "SELECT \(contactColumns) FROM contacts"

    static func participant(from row: PostgresRow) throws -> Participant {
        Participant(
            id: try row.decode("id"), legalName: try row.decode("legal_name"), displayName: try row.decode("display_name"),
            country: try row.decode("country"), website: try row.decode("website"), status: try row.decode("status"),
            programs: try row.decode("programs"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"),
            version: try row.decode("row_version")
        )
    }

    static func resource(from row: PostgresRow) throws -> Resource {
        let asn = try row.decode("asn", as: Int64?.self)
        let prefix = try row.decode("prefix", as: String?.self)
        var vrp: Resource.VRPRecord? = nil
        if let vrpPrefix = try row.decode("verification_vrp_prefix", as: String?.self) {
            vrp = Resource.VRPRecord(
                prefix: vrpPrefix, maxLength: try row.decode("verification_vrp_max_length"), asn: try row.decode("verification_vrp_asn"))
        }
        let verification = Resource.Verification(
            state: try row.decode("verification", as: VerificationState.self),
            basis: try row.decode("verification_basis", as: String?.self).flatMap(VerificationBasis.init(rawValue:)),
            reason: try row.decode("verification_reason"), url: try row.decode("verification_url"),
            snapshotID: try row.decode("verification_snapshot_id"), vrp: vrp, by: try row.decode("verification_by"),
            at: try row.decode("verification_at")
        )
        return Resource(
            id: try row.decode("id"), participantID: try row.decode("participant_id"),
            kind: try row.decode("kind", as: ResourceKind.self), value: asn.map { "AS\($0)" } ?? prefix ?? "",
            asn: asn, prefix: prefix, createdAt: try row.decode("created_at"), verification: verification
        )
    }

    static func contact(from row: PostgresRow) throws -> Contact {
        Contact(
            id: try row.decode("id"), participantID: try row.decode("participant_id"),
            role: try row.decode("role", as: ContactRole.self), name: try row.decode("name"), email: try row.decode("email"),
            phone: try row.decode("phone"), available24x7: try row.decode("available_24x7"), createdAt: try row.decode("created_at"),
            updatedAt: try row.decode("updated_at"), version: try row.decode("row_version")
        )
    }

    static func member(from row: PostgresRow) throws -> Member {
        Member(
            userID: try row.decode("user_id"), email: try row.decode("email"), displayName: try row.decode("display_name"),
            role: try row.decode("role", as: MembershipRole.self), createdAt: try row.decode("created_at")
        )
    }

    static func lockParticipant(_ id: UUID, on connection: PostgresConnection) async throws {
        guard try await connection.query("SELECT 1 FROM participants WHERE id = \(id) FOR UPDATE").single != nil else {
            throw StoreError.notFound("There is no participant \(id.uuidString.lowercased()).")
        }
    }

    static func requirePrograms(_ programs: [String], on connection: PostgresConnection) async throws {
        let known = Set(
            try await connection.query("SELECT code FROM programs WHERE code = ANY(\(programs))").map { try $0.decode(0, as: String.self) })
        let unknown = programs.enumerated().filter { !known.contains($0.element) }
        if !unknown.isEmpty {
            throw StoreError.invalid(
                unknown.map { FieldRefusal("programs[\($0.offset)]", "unknown_program", "There is no program '\($0.element.prefix(40))'.") })
        }
    }

    static func keepAnOwner(_ participant: UUID, leaving userID: UUID, on connection: PostgresConnection) async throws {
        let owners = try await connection.query(
            """
            SELECT count(*) FROM memberships WHERE participant_id = \(participant) AND role = \(MembershipRole.owner.rawValue) AND user_id <> \(userID)
            """)[0].decode(0, as: Int.self)
        let leavingIsOwner =
            try await connection.query(
                """
                SELECT 1 FROM memberships WHERE participant_id = \(participant) AND user_id = \(userID) AND role = \(MembershipRole.owner.rawValue)
                """
            ).single != nil
        if let refusal = MembershipRules.lastOwnerRefusal(leavingIsOwner: leavingIsOwner, otherOwners: owners) {
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
    }

    static func insert(_ resource: NewResource, into participant: UUID, context: ChangeContext, on connection: PostgresConnection) async throws
        -> Resource
    {
        try await lockResources(on: connection)
        if let holder = try await verifiedHolder(of: resource.value, other: participant, on: connection) {
            throw heldConflict(resource.value.description, holder: holder, context: context)
        }
        let asn: Int64?
        let prefix: String?
        switch resource.value {
        case .asn(let value): (asn, prefix) = (Int64(value), nil)
        case .prefix(let value): (asn, prefix) = (nil, value.description)
        }
        let created = try await claiming(resource.value) {
            try Self.resource(
                from: try await connection.query(
                    """
                    INSERT INTO resources AS r (participant_id, kind, asn, prefix)
                    VALUES (\(participant), \(resource.kind.rawValue), \(asn), \(prefix)::cidr)
                    RETURNING \(unsafeRaw: resourceColumns)
                    """)[0])
        }
        try await AuditLog.append(
            "resource.claimed", entity: "resource", id: created.id.uuidString.lowercased(), participant: participant,
            after: created, context: context, on: connection)
        if prefix != nil, let verified = try await verifyPrefixesByRPKI(of: participant, only: created.id, context: context, on: connection).first {
            return verified
        }
        return created
    }

    static func insert(_ contact: NewContact, into participant: UUID, context: ChangeContext, on connection: PostgresConnection) async throws
        -> Contact
    {
        let created = try Self.contact(
            from: try await connection.query(
                """
                INSERT INTO contacts (participant_id, role, name, email, phone, available_24x7)
                VALUES (\(participant), \(contact.role.rawValue), \(contact.name), \(contact.email), \(contact.phone), \(contact.available24x7))
                RETURNING \(unsafeRaw: contactColumns)
                """)[0])
        try await AuditLog.append(
            "contact.added", entity: "contact", id: created.id.uuidString.lowercased(), participant: participant,
            after: created, context: context, on: connection)
        return created
    }

    /// Turns the database's refusal of a second claim or a second holder into a 409: the
    /// constraint's name says which rule refused, and the value is the one the statement was
    /// writing (`claiming`), never read back from the server's message. The holder's public name
    /// goes to staff (admin, auditor: those who may search who holds what) and to the command
    /// line, and to no one else. The constraint is the judge (it also settles concurrent
    /// verifications); the name is looked up after the failed transaction.
    public func withClaimConflicts<Result>(context: ChangeContext, _ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let conflict as ClaimConflict {
            switch conflict.rule {
            case .claimedByParticipant:
                throw StoreError.conflict(slug: "resource-claimed", detail: "\(conflict.value) is already claimed by this participant.")
            case .heldByAnother:
                let holder = try await database.withConnection { try await Self.verifiedHolder(of: conflict.value, other: nil, on: $0) }
                throw Self.heldConflict(conflict.value.description, holder: holder, context: context)
            }
        } catch let error as PostgresError {
            // A claim constraint refused a statement that did not say what it wrote.
            switch error.constraint.flatMap(ClaimConflict.Rule.init(constraint:)) {
            case .claimedByParticipant?:
                throw StoreError.conflict(slug: "resource-claimed", detail: "This resource is already claimed by this participant.")
            case .heldByAnother?: throw Self.heldConflict("This resource", holder: nil, context: context)
            case nil: throw error
            }
        }
    }

    /// Runs a statement that claims or verifies `value`: when a claim constraint refuses it, the
    /// refusal carries the rule (from the constraint's name) and this value, for `withClaimConflicts`.
    static func claiming<Result>(_ value: ResourceValue, _ statement: () async throws -> Result) async throws -> Result {
        do {
            return try await statement()
        } catch let error as PostgresError where error.code == .uniqueViolation || error.code == .exclusionViolation {
            guard let rule = error.constraint.flatMap(ClaimConflict.Rule.init(constraint:)) else { throw error }
            throw ClaimConflict(rule: rule, value: value)
        }
    }

    /// The 409 for a resource another participant holds: the holder is named only to those who
    /// may see who holds what (staff, and the command line).
    static func heldConflict(_ value: String, holder: String?, context: ChangeContext) -> StoreError {
        let staff = context.actor.map { Access.decide(.searchResources, actor: $0) == .allowed } ?? true
        let by = staff ? holder.map { " by \($0)" } ?? "" : " by another participant"
        return .conflict(slug: "resource-held", detail: "\(value) is already held\(by); a resource has one holder at a time.")
    }
}

/// A claim constraint refused a statement: which rule, and the value the statement wrote. Thrown
/// inside the transaction; `ParticipantStore.withClaimConflicts` turns it into the 409.
public struct ClaimConflict: Error, Sendable {
    public enum Rule: Sendable {
        /// The participant already claims this value (`resources_participant_asn`, `…_prefix`).
        case claimedByParticipant
        /// Another participant holds it, or overlapping space, verified (`resources_asn_one_holder`,
        /// `resources_prefix_one_holder`).
        case heldByAnother

        /// The rule a constraint of `schema/0009_resource_verification.sql` stands for; nil for any other.
        init?(constraint: String) {
            switch constraint {
            case "resources_participant_asn", "resources_participant_prefix": self = .claimedByParticipant
            case "resources_asn_one_holder", "resources_prefix_one_holder": self = .heldByAnother
            default: return nil
            }
        }
    }

    public let rule: Rule
    public let value: ResourceValue
}
