import Domain
import Foundation
import Postgres

/// Buyers watching a mark or an ASN are told of each recorded transition (issue 13's
/// watchlists), on the transition's transaction: every user with a watchlist entry for the
/// certification's mark or for one of the ASNs of its recorded scope gets one email and one
/// call to each of their webhook endpoints, through the outbox (its retries and delivery log).
enum EnforcementWatchers {
    static func notify(_ record: EnforcementRecord, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        let watchers = try await connection.query(
            """
            WITH certification AS (
                SELECT c.mark_id, p.display_name FROM certifications c JOIN participants p ON p.id = c.participant_id
                WHERE c.id = \(scope.certification)
            ), watched AS (
                SELECT w.user_id, e.value FROM watchlist_entries e JOIN watchlists w ON w.id = e.watchlist_id
                WHERE (e.kind = \(WatchKind.mark.rawValue) AND e.value = (SELECT mark_id FROM certification))
                   OR (e.kind = \(WatchKind.asn.rawValue) AND e.value IN (
                        SELECT value FROM certification_scope WHERE certification_id = \(scope.certification) AND kind = 'asn'))
            )
            SELECT u.id, u.email, array_agg(DISTINCT w.value ORDER BY w.value) AS watched,
                   (SELECT mark_id FROM certification) AS mark_id, (SELECT display_name FROM certification) AS participant
            FROM watched w JOIN users u ON u.id = w.user_id
            WHERE NOT u.disabled AND u.email_verified
            GROUP BY u.id, u.email ORDER BY u.id
            """)
        for watcher in watchers {
            var data = [
                "certification_id": scope.certification.uuidString.lowercased(), "participant": try watcher.decode("participant", as: String.self),
                "program": scope.program, "tier": scope.tier.rawValue, "from": record.from.rawValue, "to": record.to.rawValue,
                "at": record.at.formatted(.iso8601), "watched": try watcher.decode("watched", as: [String].self).joined(separator: ", "),
            ]
            if let mark = try watcher.decode("mark_id", as: String?.self) { data["mark_id"] = mark }
            if let deadline = record.deadline { data["deadline"] = deadline.formatted(.iso8601) }
            try await Notifications.enqueue(
                .watchlistStatusChanged, user: try watcher.decode("id"), email: try watcher.decode("email", as: String.self), data: data,
                webhooks: true, context: scope.context, on: connection)
        }
    }
}
