import Foundation
import Postgres

/// What one attempt to fetch a snapshot source came to.
public enum SnapshotFetchOutcome: String, Sendable, CaseIterable, Codable {
    /// A new snapshot was imported.
    case imported
    /// The source had not changed (a 304, or the same bytes as a snapshot already imported).
    case unchanged
    /// Nothing was imported; the previous snapshot stays in force. `error` says why.
    case failed
}

/// One recorded attempt to fetch a source, with the provenance of what it fetched.
public struct SnapshotFetch: Sendable, Equatable {
    public let id: Int64
    public let sourceName: String
    public let kind: SnapshotKind
    public let location: String
    public let attemptedAt: Date
    public let outcome: SnapshotFetchOutcome
    /// The snapshot imported, or the one that already held the same bytes.
    public let snapshotID: Int?
    public let httpStatus: Int?
    public let etag: String?
    public let lastModified: String?
    public let sha256: String?
    public let bytes: Int64?
    public let durationMilliseconds: Int
    public let error: String?

    public init(
        id: Int64 = 0, sourceName: String, kind: SnapshotKind, location: String, attemptedAt: Date, outcome: SnapshotFetchOutcome,
        snapshotID: Int? = nil, httpStatus: Int? = nil, etag: String? = nil, lastModified: String? = nil, sha256: String? = nil,
        bytes: Int64? = nil, durationMilliseconds: Int, error: String? = nil
    ) {
        self.id = id
        self.sourceName = sourceName
        self.kind = kind
        self.location = location
        self.attemptedAt = attemptedAt
        self.outcome = outcome
        self.snapshotID = snapshotID
        self.httpStatus = httpStatus
        self.etag = etag
        self.lastModified = lastModified
        self.sha256 = sha256
        self.bytes = bytes
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }
}

/// A source's recent history: its last attempt, last success and last failure.
public struct SnapshotSourceStatus: Sendable, Equatable {
    public let lastAttempt: SnapshotFetch?
    public let lastSuccess: SnapshotFetch?
    public let lastFailure: SnapshotFetch?
}

/// The fetch log of the snapshot sources (`schema/0021_snapshot_fetches.sql`): each attempt is
/// one row, written after the import committed or failed.
public struct SnapshotFetchStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) { self.database = database }

    static let columns: SQL = """
        id, source_name, kind, location, attempted_at, outcome, snapshot_id, http_status, etag, last_modified, sha256, bytes,
        duration_ms, error
        """

    static func decode(_ row: PostgresRow) throws -> SnapshotFetch {
        SnapshotFetch(
            id: try row.decode("id"), sourceName: try row.decode("source_name"), kind: try row.decode("kind", as: SnapshotKind.self),
            location: try row.decode("location"), attemptedAt: try row.decode("attempted_at"),
            outcome: try row.decode("outcome", as: SnapshotFetchOutcome.self), snapshotID: try row.decode("snapshot_id"),
            httpStatus: try row.decode("http_status"), etag: try row.decode("etag"), lastModified: try row.decode("last_modified"),
            sha256: try row.decode("sha256"), bytes: try row.decode("bytes"), durationMilliseconds: try row.decode("duration_ms"),
            error: try row.decode("error"))
    }

    /// Records an attempt; returns it as stored.
    @discardableResult
    public func record(_ fetch: SnapshotFetch) async throws -> SnapshotFetch {
        let rows = try await database.query(
            """
            INSERT INTO snapshot_fetches (source_name, kind, location, attempted_at, outcome, snapshot_id, http_status, etag,
                last_modified, sha256, bytes, duration_ms, error)
            VALUES (\(fetch.sourceName), \(fetch.kind.rawValue), \(fetch.location), \(fetch.attemptedAt), \(fetch.outcome.rawValue),
                \(fetch.snapshotID), \(fetch.httpStatus), \(fetch.etag), \(fetch.lastModified), \(fetch.sha256), \(fetch.bytes),
                \(fetch.durationMilliseconds), \(fetch.error))
            RETURNING \(Self.columns)
            """)
        return try Self.decode(rows[0])
    }

    /// The last attempt, last success and last failure of the source named `name`.
    public func status(of name: String) async throws -> SnapshotSourceStatus {
        func latest(_ outcomes: [SnapshotFetchOutcome]) async throws -> SnapshotFetch? {
            try await database.query(
                """
                SELECT \(Self.columns) FROM snapshot_fetches
                WHERE source_name = \(name) AND outcome = ANY(\(outcomes.map(\.rawValue)))
                ORDER BY attempted_at DESC, id DESC LIMIT 1
                """
            ).first.map(Self.decode)
        }
        return SnapshotSourceStatus(
            lastAttempt: try await latest(SnapshotFetchOutcome.allCases), lastSuccess: try await latest([.imported, .unchanged]),
            lastFailure: try await latest([.failed]))
    }

    /// The source's attempts, newest first.
    public func history(of name: String, limit: Int = 20) async throws -> [SnapshotFetch] {
        try await database.query(
            """
            SELECT \(Self.columns) FROM snapshot_fetches WHERE source_name = \(name)
            ORDER BY attempted_at DESC, id DESC LIMIT \(max(1, min(limit, 500)))
            """
        ).map(Self.decode)
    }
}
