import Domain
import Foundation
import Postgres

/// Certifications (the marks): granted by approvals, read by participants and buyers. The rules
/// (validity, superseding) are `CertificationRules`'.
public struct CertificationStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

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

    /// The verified resources certification `id` covers, recorded at its grant: `AS…` numbers
    /// and prefixes, by kind.
    public func scope(of id: UUID) async throws -> [(kind: ResourceKind, value: String)] {
        try await database.query(
            "SELECT kind, value FROM certification_scope WHERE certification_id = \(id) ORDER BY kind, value"
        ).map { (try $0.decode("kind", as: ResourceKind.self), try $0.decode("value", as: String.self)) }
    }

    /// The status of the participant's latest certification for `program` (nil: none).
    static func latestStatus(participant: UUID, program: String, on connection: PostgresConnection) async throws -> CertificationStatus? {
        try await connection.query(
            """
            SELECT status FROM certifications WHERE participant_id = \(participant) AND program_code = \(program)
            ORDER BY granted_at DESC, created_at DESC LIMIT 1
            """
        ).single.map { try $0.decode("status", as: CertificationStatus.self) }
    }

    /// An approval grants the mark at `context.at`: the committed actions under the
    /// application's catalog version, valid for the catalog's recertification period
    /// (`CertificationRules.grant`). A mark still in force for the same participant and program
    /// gives way to it (`CertificationRules.superseded`). Returns the new certification's id.
    static func grant(_ application: Application, issuer: MarkIssuer?, context: ChangeContext, on connection: PostgresConnection) async throws
        -> UUID
    {
        let catalog = try await ApplicationStore.catalog(of: application, on: connection)
        let grant: CertificationGrant
        switch CertificationRules.grant(catalog, tier: application.tier, at: context.at) {
        case .success(let value): grant = value
        case .failure(let refusal): throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        // A new certification never ends a suspension or revocation.
        if let refusal = CertificationRules.newApplicationRefusal(
            program: application.program,
            latestStatus: try await latestStatus(participant: application.participantID, program: application.program, on: connection))
        {
            throw StoreError.conflict(slug: refusal.code, detail: refusal.message)
        }
        let actions = try await connection.query("SELECT action_code FROM commitments WHERE application_id = \(application.id) ORDER BY 1")
            .map { try $0.decode(0, as: String.self) }
        let replaced = try await connection.execute(
            """
            UPDATE certifications SET status = \(CertificationRules.superseded.rawValue), status_reason = \(CertificationRules.supersededReason),
                   updated_at = \(context.at)
            WHERE participant_id = \(application.participantID) AND program_code = \(application.program)
              AND status = ANY(\(CertificationStatus.inForce.map(\.rawValue))::text[])
            """)
        let id = try await connection.query(
            """
            INSERT INTO certifications (participant_id, program_code, tier, catalog_version, application_id, actions, granted_at, valid_until,
                                        created_at, updated_at)
            VALUES (\(application.participantID), \(application.program), \(application.tier.rawValue), \(application.catalogVersion), \(application.id),
                    \(actions), \(grant.grantedAt), \(grant.validUntil), \(context.at), \(context.at)) RETURNING id
            """)[0].decode(0, as: UUID.self)
        // What the certification covers: the participant's verified resources now.
        try await connection.execute(
            """
            INSERT INTO certification_scope (certification_id, kind, value, resource_id)
            SELECT \(id), kind, CASE WHEN asn IS NOT NULL THEN 'AS' || asn ELSE prefix::text END, id
            FROM resources WHERE participant_id = \(application.participantID) AND verification = 'verified'
            """)
        try await AuditLog.append(
            "certification.granted", entity: "certification", id: id.uuidString.lowercased(), participant: application.participantID,
            after: [
                "program": application.program, "tier": application.tier.rawValue, "catalog_version": String(application.catalogVersion),
                "actions": actions.joined(separator: ","), "replaced": String(replaced),
            ],
            context: context, on: connection)
        try await MarkIssuance.certificationGranted(
            id, participant: application.participantID, program: application.program, issuer: issuer, context: context, on: connection)
        return id
    }
}
