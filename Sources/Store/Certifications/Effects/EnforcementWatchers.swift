import Domain
import Foundation
import Postgres

/// Buyers watching a mark or an ASN are told of each recorded transition (issue 13's
/// watchlists), on the transition's transaction: every user with a watchlist entry for the
/// certification's mark or for one of the ASNs of its recorded scope gets one email and one
/// call to each of their webhook endpoints, through the outbox (its retries and delivery log).
/// All of those rows are written by one `INSERT … SELECT`, however many watchers there are.
enum EnforcementWatchers {
    static func notify(_ record: EnforcementRecord, scope: EnforcementEffectScope, on connection: PostgresConnection) async throws {
        var data = [
            "certification_id": scope.certification.uuidString.lowercased(), "program": scope.program, "tier": scope.tier.rawValue,
            "from": record.from.rawValue, "to": record.to.rawValue, "at": record.at.formatted(.iso8601),
        ]
        if let deadline = record.deadline { data["deadline"] = deadline.formatted(.iso8601) }
        let event = NotificationEvent.watchlistStatusChanged
        // The fields every watcher shares; the statement adds each watcher's own (`watched`) and
        // the certification's (`participant`, and `mark_id` when it has a mark).
        let shared = NotificationPayload(
            type: event.rawValue, timestamp: ISO8601DateFormatter().string(from: scope.context.at), data: data)
        try await connection.execute(
            """
            WITH certification AS (
                SELECT c.mark_id, p.display_name FROM certifications c JOIN participants p ON p.id = c.participant_id
                WHERE c.id = \(scope.certification)
            ), watched AS (
                SELECT w.user_id, e.value FROM watchlist_entries e JOIN watchlists w ON w.id = e.watchlist_id
                WHERE (e.kind = \(WatchKind.mark.rawValue) AND e.value = (SELECT mark_id FROM certification))
                   OR (e.kind = \(WatchKind.asn.rawValue) AND e.value IN (
                        SELECT value FROM certification_scope WHERE certification_id = \(scope.certification) AND kind = 'asn'))
            ), shared AS (
                SELECT \(JSONB(shared))::jsonb AS payload
            ), watchers AS (
                SELECT u.id, u.email,
                       (SELECT payload FROM shared) || jsonb_build_object('data', ((SELECT payload FROM shared) -> 'data')
                           || jsonb_strip_nulls(jsonb_build_object(
                                'watched', array_to_string(array_agg(DISTINCT w.value ORDER BY w.value), ', '),
                                'participant', (SELECT display_name FROM certification),
                                'mark_id', (SELECT mark_id FROM certification)))) AS payload
                FROM watched w JOIN users u ON u.id = w.user_id
                WHERE NOT u.disabled AND u.email_verified
                GROUP BY u.id, u.email
            )
            INSERT INTO outbox (message_id, event_kind, user_id, channel, email, endpoint_id, payload, next_attempt_at, created_at)
            SELECT 'msg_' || replace(gen_random_uuid()::text, '-', ''), \(event.rawValue), r.user_id, r.channel, r.email, r.endpoint_id,
                   r.payload, \(scope.context.at), \(scope.context.at)
            FROM (
                SELECT w.id AS user_id, 'email' AS channel, w.email, NULL::uuid AS endpoint_id, w.payload FROM watchers w
                UNION ALL
                SELECT w.id, 'webhook', NULL, e.id, w.payload
                FROM watchers w JOIN webhook_endpoints e ON e.user_id = w.id AND e.deleted_at IS NULL
            ) r
            """)
    }
}
