import Crypto
import Foundation
import Postgres
import Routing

/// What a snapshot holds.
public enum SnapshotKind: String, Sendable, CaseIterable, Codable {
    case vrps, routes, irr, peeringdb, spoofer
}

/// One imported file and where it came from.
public struct Snapshot: Sendable, Equatable, Codable {
    public let id: Int
    public let kind: SnapshotKind
    public let sourceName: String
    public let fileSHA256: String
    public let takenAt: Date
    public let importedAt: Date
    public let records: Int
    public let rejected: Int
    public let truncated: Bool
}

/// The outcome of an import: a new snapshot, or the one that already holds the same file.
public enum ImportOutcome: Sendable, Equatable {
    case imported(Snapshot)
    case alreadyImported(Snapshot)
}

/// Why an import stored nothing.
public enum SnapshotImportError: Error, Equatable, CustomStringConvertible {
    /// The file ends in the middle of its data (a cut download, a cut compressed stream).
    case truncated(records: Int)

    public var description: String {
        switch self {
        case .truncated(let records): "The file is cut short (it ends after \(records) records), so nothing was imported."
        }
    }
}

/// Imports measurement inputs into PostgreSQL through COPY, with provenance, as immutable
/// snapshots. The file is parsed by the `Routing` readers, so what is stored is what the engine
/// reads; rejected records are counted and the first ones kept with the snapshot.
public struct SnapshotStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// SHA-256 of the file's bytes as stored (compressed, if it is), in hex.
    public static func sha256(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw RoutingDataError(file: path, reason: "cannot open") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    /// When a file's data was taken, failing a better word: its modification time.
    public static func modificationDate(ofFileAt path: String) throws -> Date? {
        try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
    }

    /// Imports `path` as a snapshot of `kind`. The same file again is a no-op that says so;
    /// two concurrent imports of one file end with one snapshot. With `refuseTruncated`, a file
    /// the reader found cut short imports nothing and throws `SnapshotImportError.truncated`
    /// (a fetched source must not replace a whole snapshot with part of one).
    public func importFile(
        _ path: String, kind: SnapshotKind, sourceName: String, takenAt: Date, refuseTruncated: Bool = false
    ) async throws -> ImportOutcome {
        let digest = try Self.sha256(ofFileAt: path)
        if let existing = try await find(kind: kind, sha256: digest) { return .alreadyImported(existing) }
        do {
            let snapshot = try await database.transaction { connection in
                // A bulk load of a full table legitimately outlasts the per-statement limit.
                try await connection.execute("SET LOCAL statement_timeout = 0")
                let created = try await connection.query(
                    """
                    INSERT INTO measurement_snapshots (kind, source_name, file_sha256, taken_at)
                    VALUES (\(kind.rawValue), \(sourceName), \(digest), \(takenAt))
                    RETURNING id
                    """)
                let id = try created[0].decode("id", as: Int.self)
                let summary = try await copyRecords(path, kind: kind, snapshot: id, connection: connection)
                if refuseTruncated && summary.truncated { throw SnapshotImportError.truncated(records: summary.records) }
                let rejects = summary.rejects.map { Reject(line: $0.line, offset: $0.offset, reason: $0.reason) }
                let rows = try await connection.query(
                    """
                    UPDATE measurement_snapshots
                    SET records = \(summary.records), rejected = \(summary.rejected), truncated = \(summary.truncated),
                        rejects = \(jsonb: rejects)
                    WHERE id = \(id)
                    RETURNING \(Self.columns)
                    """)
                return try Self.snapshot(rows[0])
            }
            return .imported(snapshot)
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == Self.oneImportPerFile {
            // Another import of the same file committed first.
            guard let existing = try await find(kind: kind, sha256: digest) else { throw error }
            return .alreadyImported(existing)
        }
    }

    /// The unique constraint `UNIQUE (kind, file_sha256)` of `schema/0002_measurement_snapshots.sql`, by its default name.
    static let oneImportPerFile = "measurement_snapshots_kind_file_sha256_key"

    /// Snapshots, newest first, `limit` at a time after the cursor (an id).
    public func list(kind: SnapshotKind? = nil, limit: Int = 50, before cursor: Int? = nil) async throws -> [Snapshot] {
        let rows = try await database.query(
            """
            SELECT \(Self.columns) FROM measurement_snapshots
            WHERE (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
              AND (\(cursor)::bigint IS NULL OR id < \(cursor))
            ORDER BY id DESC
            LIMIT \(max(1, min(limit, 500)))
            """)
        return try rows.map(Self.snapshot)
    }

    private func find(kind: SnapshotKind, sha256: String) async throws -> Snapshot? {
        let rows = try await database.query(
            "SELECT \(Self.columns) FROM measurement_snapshots WHERE kind = \(kind.rawValue) AND file_sha256 = \(sha256)")
        return try rows.first.map(Self.snapshot)
    }

    private struct Reject: Encodable, Sendable {
        let line: Int?
        let offset: Int?
        let reason: String
    }

    static let columns: SQL = "id, kind, source_name, file_sha256, taken_at, imported_at, records, rejected, truncated"

    static func snapshot(_ row: PostgresRow) throws -> Snapshot {
        let kindText = try row.decode("kind", as: String.self)
        guard let kind = SnapshotKind(rawValue: kindText) else {
            throw PostgresError(code: .decoding, column: "kind", message: "unknown snapshot kind")
        }
        return Snapshot(
            id: try row.decode("id"), kind: kind, sourceName: try row.decode("source_name"), fileSHA256: try row.decode("file_sha256"),
            takenAt: try row.decode("taken_at"), importedAt: try row.decode("imported_at"), records: try row.decode("records"),
            rejected: try row.decode("rejected"), truncated: try row.decode("truncated"))
    }

    // MARK: COPY per kind

    private func copyRecords(_ path: String, kind: SnapshotKind, snapshot: Int, connection: PostgresConnection) async throws -> ReadSummary {
        var summary = ReadSummary()
        let id = Array(String(snapshot).utf8)
        switch kind {
        case .vrps:
            try await connection.copyFromStdin("COPY snapshot_vrps (snapshot_id, prefix, max_length, asn) FROM STDIN") { writer in
                let (vrps, read) = try VRPReader.read(path: path)
                summary = read
                var line: [UInt8] = []
                for vrp in vrps {
                    line.removeAll(keepingCapacity: true)
                    line.append(contentsOf: id)
                    line.append(9)
                    vrp.prefix.write(to: &line)
                    line.append(9)
                    line.append(contentsOf: String(vrp.maxLength).utf8)
                    line.append(9)
                    line.append(contentsOf: String(vrp.asn).utf8)
                    line.append(10)
                    try writer.appendRaw(line, rows: 1)
                }
            }
        case .routes:
            try await connection.copyFromStdin(
                "COPY snapshot_routes (snapshot_id, prefix, origin_asn, origin_text, as_path) FROM STDIN"
            ) { writer in
                summary = try Routes.readWithPaths(path: path) { announcement, asPath in
                    try writer.appendRow([
                        String(snapshot), announcement.prefix.description, announcement.origin.map(String.init), announcement.originText,
                        asPath?.description,
                    ])
                }
            }
        case .irr:
            try await connection.copyFromStdin(
                "COPY snapshot_irr_routes (snapshot_id, prefix, origin_asn, maintainers, source) FROM STDIN"
            ) { writer in
                summary = try RPSLReader.read(path: path) { route in
                    let maintainers =
                        "{"
                        + route.maintainers.map {
                            "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
                        }.joined(separator: ",") + "}"
                    try writer.appendRow([String(snapshot), route.prefix.description, String(route.origin), maintainers, route.source])
                }
            }
        case .peeringdb:
            let networks = try PeeringDBReader.read(paths: [path])
            try await connection.copyFromStdin(
                "COPY snapshot_peeringdb_networks (snapshot_id, asn, name, has_noc, has_abuse) FROM STDIN"
            ) { writer in
                for network in networks.values.sorted(by: { $0.asn < $1.asn }) {
                    try writer.appendRow([
                        String(snapshot), String(network.asn), network.name, network.hasNOC ? "t" : "f", network.hasAbuse ? "t" : "f",
                    ])
                }
            }
            summary.records = networks.count
        case .spoofer:
            try await connection.copyFromStdin(
                "COPY snapshot_spoofer_sessions (snapshot_id, session_id, tested_at, asn, prefix, routed_spoof, private_spoof, nat) FROM STDIN"
            ) { writer in
                summary = try SpooferReader.read(path: path) { result in
                    try writer.appendRow([
                        String(snapshot), String(result.session), result.testedAt.formatted(.iso8601), String(result.asn),
                        result.prefix.description, result.routed?.rawValue, result.privateSource?.rawValue, result.nat.map { $0 ? "t" : "f" },
                    ])
                }
            }
        }
        return summary
    }
}
