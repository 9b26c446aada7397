import Domain
import Foundation
import Postgres

/// The mark's bits in the published status lists (`.setStatusListBit`), flipped on the
/// transition's transaction (issue 13): the bits of the certification's current credential (the
/// latest issued). A revocation bit is never cleared (the schema refuses it too); the machine
/// asks for a new credential instead (`MarkIssuance.reissue`).
enum EnforcementStatusBits {
    static func set(_ purpose: StatusListPurpose, to value: Bool, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        let current: SQL =
            "(SELECT id FROM mark_credentials WHERE certification_id = \(scope.certification) ORDER BY issued_at DESC, status_index LIMIT 1)"
        switch purpose {
        case .suspension:
            try await connection.execute("UPDATE mark_credentials SET suspended = \(value) WHERE id = \(current)")
        case .revocation:
            guard value else { return }
            try await connection.execute("UPDATE mark_credentials SET revoked = true WHERE id = \(current)")
        }
    }
}
