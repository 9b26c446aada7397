import Domain
import Foundation
import Postgres

/// Work for the auditors that a transition creates (`.queueForAuditors`): a review item, on the
/// transition's transaction.
enum EnforcementAuditorTasks {
    static func open(_ task: AuditorTask, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        // Issue 12 §3/§4: not wired yet.
    }
}
