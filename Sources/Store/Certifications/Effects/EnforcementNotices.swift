import Domain
import Foundation
import Postgres

/// The participant's notifications of an enforcement transition (`.notifyParticipant`), written
/// into the outbox on the transition's transaction.
enum EnforcementNotices {
    static func enqueue(_ notice: EnforcementNotice, deadline: Date?, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        // Issue 12 §5: not wired yet.
    }
}
