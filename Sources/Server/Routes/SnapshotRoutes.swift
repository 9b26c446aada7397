import Foundation
import Hummingbird
import Store

/// The measurement snapshots imported with `manrs-plus import`, for staff, and a participant's
/// metrics over them.
struct SnapshotRoutes {
    let snapshots: SnapshotStore
    let measurements: MeasurementStore
    /// Measurements each user, and everyone together, may have running at once.
    let running: ConcurrencyLimit

    func register(on api: RouterGroup<AppRequestContext>) {
        api.get("participants/:participant/measurements") { request, context in
            let id = try context.participant(requiring: .readParticipant)
            let user = try context.require(.readParticipant, participant: id).userID
            var snapshot: Int? = nil
            if let text = request.query("snapshot") {
                guard let value = Int(text), value > 0 else {
                    throw Problem.invalid("snapshot", "invalid", "snapshot is the id of a routes snapshot.")
                }
                snapshot = value
            }
            let refusal = Problem.rateLimited(
                retryAfter: 5,
                detail:
                    "At most \(running.perUser) measurements run at once for one user, and \(running.total) in all; try again when one has finished.")
            let measurement = try await running.run(for: user, refusal: refusal) { [snapshot] in
                try await measurements.measure(participant: id, routesSnapshot: snapshot)
            }
            return try JSONResponse(measurement)
        }
        api.get("snapshots") { request, context in
            try context.require(.readSnapshots)
            var kind: SnapshotKind? = nil
            if let text = request.query("kind") {
                guard let value = SnapshotKind(rawValue: text) else {
                    throw Problem.invalid("kind", "invalid", "kind is one of \(SnapshotKind.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                kind = value
            }
            let (limit, cursor) = try request.pagination()
            var before: Int? = nil
            if let cursor {
                guard let value = Int(cursor), value > 0 else {
                    throw Problem.invalid("cursor", "invalid_cursor", "The cursor is not one this server returned.")
                }
                before = value
            }
            let items = try await snapshots.list(kind: kind, limit: limit, before: before)
            return try JSONResponse(
                Page(items: items.map(SnapshotBody.init), nextCursor: items.count == limit ? items.last.map { String($0.id) } : nil))
        }
    }

    /// A snapshot in the API's snake_case.
    struct SnapshotBody: Encodable, Sendable {
        let snapshot: Snapshot

        enum CodingKeys: String, CodingKey {
            case id, kind, records, rejected, truncated
            case sourceName = "source_name"
            case fileSHA256 = "file_sha256"
            case takenAt = "taken_at"
            case importedAt = "imported_at"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(snapshot.id, forKey: .id)
            try container.encode(snapshot.kind.rawValue, forKey: .kind)
            try container.encode(snapshot.records, forKey: .records)
            try container.encode(snapshot.rejected, forKey: .rejected)
            try container.encode(snapshot.truncated, forKey: .truncated)
            try container.encode(snapshot.sourceName, forKey: .sourceName)
            try container.encode(snapshot.fileSHA256, forKey: .fileSHA256)
            try container.encode(snapshot.takenAt, forKey: .takenAt)
            try container.encode(snapshot.importedAt, forKey: .importedAt)
        }
    }
}
