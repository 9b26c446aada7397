import Canonical
import Credentials
import Domain
import Foundation
import Postgres

/// The mark a certification carries: issued (or re-issued under the same mark id) when a
/// certification is granted, on the grant's transaction (issue 13).
enum MarkIssuance {
    /// The participant's mark for the program (a new id the first time, the same id on
    /// recertification), recorded on the certification, and with an issuer a signed credential
    /// with fresh status-list entries. Without an issuer (stores built for tests that do not care)
    /// the mark is recorded without a credential.
    static func certificationGranted(
        _ certification: UUID, participant: UUID, program: String, issuer: MarkIssuer?, context: ChangeContext,
        on connection: PostgresConnection
    )
        async throws
    {
        let mark = try await Self.mark(of: participant, program: program, at: context.at, on: connection)
        try await connection.execute("UPDATE certifications SET mark_id = \(mark.text) WHERE id = \(certification)")
        guard let issuer else { return }
        try await issueCredential(certification, mark: mark, status: .active, issuer: issuer, context: context, validFromGrant: true, on: connection)
    }

    /// A new credential for a certification whose revocation was overturned (its old
    /// credential's revocation bit stays set), with the bits of its status now.
    static func reissue(scope: EnforcementEffectScope, issuer: MarkIssuer?, on connection: PostgresConnection) async throws {
        guard let issuer,
            let text = try await connection.query("SELECT mark_id FROM certifications WHERE id = \(scope.certification)").single?.decode(
                0, as: String?.self),
            let mark = try? MarkID(parsing: text)
        else { return }
        try await issueCredential(
            scope.certification, mark: mark, status: scope.after.status, issuer: issuer, context: scope.context, validFromGrant: false,
            on: connection)
    }

    /// A new credential for a recertified certification (issue 13: "recertification issues a
    /// new credential under the same id"): the same mark, the new validity window from the
    /// decision's time, and the status-list entry of the credential it renews, whose bits it
    /// takes over (the old credential's suspension bit is cleared, so the entry says what the
    /// new one says). The old credential stays as it was signed and verifies until its own end.
    /// Without an issuer nothing is issued.
    static func renewed(
        _ certification: UUID, status: CertificationStatus, issuer: MarkIssuer?, context: ChangeContext, on connection: PostgresConnection
    )
        async throws
    {
        guard let issuer,
            let current = try await connection.query(
                """
                SELECT k.id, k.mark_id, k.status_index, coalesce(k.renews, k.id) AS original FROM mark_credentials k
                WHERE k.certification_id = \(certification) ORDER BY k.issued_at DESC, k.status_index LIMIT 1
                """
            ).single
        else { return }
        let previous = try current.decode("id", as: UUID.self)
        try await connection.execute("UPDATE mark_credentials SET suspended = false WHERE id = \(previous)")
        try await issueCredential(
            certification, mark: try MarkID(parsing: try current.decode("mark_id")), status: status, issuer: issuer, context: context,
            validFromGrant: false, reusing: (index: try current.decode("status_index"), renews: try current.decode("original")), on: connection)
    }

    /// The mark of `participant` for `program`, created with a random id when there is none.
    static func mark(of participant: UUID, program: String, at time: Date, on connection: PostgresConnection) async throws -> MarkID {
        for _ in 0..<8 {
            if let text = try await connection.query(
                "SELECT id FROM marks WHERE participant_id = \(participant) AND program_code = \(program)"
            ).single?.decode(0, as: String.self) {
                return try MarkID(parsing: text)
            }
            // A random id may (very rarely) be taken: then nothing is inserted and another is tried.
            try await connection.execute(
                """
                INSERT INTO marks (id, participant_id, program_code, created_at) VALUES (\(MarkID.random().text), \(participant), \(program), \(time))
                ON CONFLICT DO NOTHING
                """)
        }
        throw StoreError.unreadable("No free mark id was found for participant \(participant.uuidString.lowercased()).")
    }

    /// Signs and stores a credential for `certification` at a random free status-list index (or,
    /// `reusing`, the entry of the credential it renews), its bits set as `status` says.
    static func issueCredential(
        _ certification: UUID, mark: MarkID, status: CertificationStatus, issuer: MarkIssuer, context: ChangeContext, validFromGrant: Bool,
        reusing: (index: Int, renews: UUID)? = nil, on connection: PostgresConnection
    ) async throws {
        guard
            let row = try await connection.query(
                """
                SELECT p.legal_name, coalesce(pr.name, c.program_code) AS program_name, c.program_code, c.tier, c.actions, c.granted_at, c.valid_until
                FROM certifications c JOIN participants p ON p.id = c.participant_id LEFT JOIN programs pr ON pr.code = c.program_code
                WHERE c.id = \(certification)
                """
            ).single
        else { throw StoreError.notFound("There is no certification \(certification.uuidString.lowercased()).") }
        let resources = try await connection.query(
            "SELECT kind, value FROM certification_scope WHERE certification_id = \(certification) ORDER BY kind, value"
        ).map { (try $0.decode("kind", as: String.self), try $0.decode("value", as: String.self)) }
        let tier = try row.decode("tier", as: Tier.self)
        let scope = MarkScope(
            mark: mark, organisation: try row.decode("legal_name"), program: try row.decode("program_code"),
            programName: try row.decode("program_name"), tier: tier.rawValue, tierName: tier.markName,
            asns: resources.filter { $0.0 == "asn" }.compactMap { UInt32($0.1.dropFirst(2)) }.sorted(),
            prefixes: resources.filter { $0.0 == "prefix" }.map(\.1), actions: try row.decode("actions", as: [String].self))
        let validFrom = validFromGrant ? try row.decode("granted_at", as: Date.self) : context.at
        let validUntil = try row.decode("valid_until", as: Date.self)
        let (keyID, signer) = try await issuer.signer(at: context.at, on: connection)
        let id = UUID()
        let suspended = StatusListPurpose.suspension.isSet(for: status)
        let revoked = StatusListPurpose.revocation.isSet(for: status)
        // Random indices, as the Bitstring Status List recommends, so an index says nothing of when it was issued.
        for _ in 0..<(reusing == nil ? 64 : 1) {
            let index = reusing?.index ?? Int.random(in: 0..<Bitstring.minimumLength)
            let document: JSONValue
            do {
                document = try signer.markCredential(
                    scope, credentialID: "urn:uuid:\(id.uuidString.lowercased())", validFrom: validFrom, validUntil: validUntil, statusIndex: index,
                    at: context.at)
            } catch {
                throw StoreError.unreadable("The mark's credential could not be signed: \(error.message)")
            }
            let inserted = try await connection.query(
                """
                INSERT INTO mark_credentials (id, mark_id, certification_id, key_id, document, issued_at, status_index, suspended, revoked, renews)
                VALUES (\(id), \(mark.text), \(certification), \(keyID), \(JSONB(document)), \(context.at), \(index), \(suspended), \(revoked),
                        \(reusing?.renews))
                ON CONFLICT (status_index) WHERE renews IS NULL DO NOTHING RETURNING id
                """)
            if inserted.single != nil { return }
        }
        throw StoreError.unreadable("No free status-list index was found for a new credential.")
    }
}
