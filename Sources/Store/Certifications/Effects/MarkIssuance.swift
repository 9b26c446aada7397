import Domain
import Foundation
import Postgres

/// The mark a certification carries: issued (or re-issued under the same mark id) when a
/// certification is granted, on the grant's transaction (issue 13).
enum MarkIssuance {
    static func certificationGranted(
        _ certification: UUID, participant: UUID, program: String, context: ChangeContext, on connection: PostgresConnection
    )
        async throws
    {
        // Issue 13: not wired yet.
    }
}
