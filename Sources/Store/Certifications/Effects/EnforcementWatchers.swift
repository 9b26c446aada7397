import Domain
import Foundation
import Postgres

/// Buyers watching a mark or an ASN are told of each recorded transition (issue 13's
/// watchlists), on the transition's transaction.
enum EnforcementWatchers {
    static func notify(_ record: EnforcementRecord, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        // Issue 13: not wired yet.
    }
}
