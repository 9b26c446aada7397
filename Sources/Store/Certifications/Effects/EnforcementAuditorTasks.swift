import Domain
import Foundation
import Postgres

/// Work for the auditors about a certification (`.queueForAuditors`, or a check runner's finding):
/// a review item, on the caller's transaction.
enum EnforcementAuditorTasks {
    static func open(_ task: AuditorTask, certification: UUID, participant: UUID, context: ChangeContext, on connection: PostgresConnection)
        async throws
    {
        // Issue 12 §3/§4: not wired yet.
    }
}
