import Domain
import Foundation
import Postgres

/// The mark's bits in the published status lists (`.setStatusListBit`), flipped on the
/// transition's transaction (issue 13).
enum EnforcementStatusBits {
    static func set(_ purpose: StatusListPurpose, to value: Bool, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        // Issue 13: not wired yet.
    }
}
