import Credentials
import Domain
import Foundation
import Postgres

/// A buyer's watchlist, as listed.
public struct Watchlist: Sendable, Equatable, Codable {
    public let id: UUID
    public let name: String
    public let entryCount: Int
    public let createdAt: Date
    public let updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name
        case entryCount = "entry_count"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// One watched mark or ASN with its current status: for a mark, its latest certification; for
/// an ASN, the latest certification of each participant and program whose recorded scope holds it.
public struct WatchEntry: Sendable, Equatable, Codable {
    public let kind: WatchKind
    public let value: String
    public let note: String
    public let addedAt: Date
    public let certifications: [WatchedCertification]
    /// The status in words (`WatchlistRules.statusWords`): "not certified" when nothing covers it.
    public let status: String

    enum CodingKeys: String, CodingKey {
        case kind, value, note, certifications, status
        case addedAt = "added_at"
    }
}

/// Watchlists are their owner's only: every read and change names the owner, and another
/// user's list is not found (404).
public struct WatchlistStore: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// A mark id as typed, in its canonical form, or nil (`MarkID`).
    public static func canonicalMark(_ text: String) -> String? {
        try? MarkID(parsing: text).text
    }

    public func create(name: String, owner: UUID, context: ChangeContext) async throws -> Watchlist {
        try await withNameConflicts {
            try await database.transaction { connection in
                try await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(\(owner.uuidString), 7221))")
                let count = try await connection.query("SELECT count(*) FROM watchlists WHERE user_id = \(owner)")[0].decode(0, as: Int.self)
                guard count < WatchlistRules.maxLists else {
                    throw StoreError.conflict(slug: "too-many-watchlists", detail: "You can keep at most \(WatchlistRules.maxLists) watchlists.")
                }
                let row = try await connection.query(
                    """
                    INSERT INTO watchlists (user_id, name, created_at, updated_at) VALUES (\(owner), \(name), \(context.at), \(context.at))
                    RETURNING id, name, 0 AS entry_count, created_at, updated_at
                    """)[0]
                let list = try Self.watchlist(row)
                try await AuditLog.append(
                    "watchlist.created", entity: "watchlist", id: list.id.uuidString.lowercased(), participant: nil, after: ["name": name],
                    context: context, on: connection)
                return list
            }
        }
    }

    public func lists(of owner: UUID) async throws -> [Watchlist] {
        try await database.query(
            """
            SELECT w.id, w.name, w.created_at, w.updated_at, (SELECT count(*) FROM watchlist_entries e WHERE e.watchlist_id = w.id) AS entry_count
            FROM watchlists w WHERE w.user_id = \(owner) ORDER BY lower(w.name), w.id
            """
        ).map(Self.watchlist)
    }

    public func list(_ id: UUID, of owner: UUID) async throws -> Watchlist {
        guard
            let row = try await database.query(
                """
                SELECT w.id, w.name, w.created_at, w.updated_at, (SELECT count(*) FROM watchlist_entries e WHERE e.watchlist_id = w.id) AS entry_count
                FROM watchlists w WHERE w.id = \(id) AND w.user_id = \(owner)
                """
            ).single
        else { throw Self.notFound(id) }
        return try Self.watchlist(row)
    }

    public func rename(_ id: UUID, of owner: UUID, to name: String, context: ChangeContext) async throws -> Watchlist {
        try await withNameConflicts {
            try await database.transaction { connection in
                guard
                    try await connection.execute(
                        "UPDATE watchlists SET name = \(name), updated_at = \(context.at) WHERE id = \(id) AND user_id = \(owner)") == 1
                else { throw Self.notFound(id) }
                try await AuditLog.append(
                    "watchlist.renamed", entity: "watchlist", id: id.uuidString.lowercased(), participant: nil, after: ["name": name],
                    context: context, on: connection)
            }
            return try await list(id, of: owner)
        }
    }

    public func delete(_ id: UUID, of owner: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard try await connection.execute("DELETE FROM watchlists WHERE id = \(id) AND user_id = \(owner)") == 1 else { throw Self.notFound(id) }
            try await AuditLog.append(
                "watchlist.deleted", entity: "watchlist", id: id.uuidString.lowercased(), participant: nil, context: context, on: connection)
        }
    }

    /// Adds entries (already parsed by `WatchlistRules.entry`); one already on the list stays as
    /// it is. Returns how many were new.
    public func add(
        _ entries: [(kind: WatchKind, value: String)], note: String, to id: UUID, of owner: UUID, context: ChangeContext
    ) async throws -> Int {
        try await database.transaction { connection in
            guard try await connection.query("SELECT 1 FROM watchlists WHERE id = \(id) AND user_id = \(owner) FOR UPDATE").single != nil else {
                throw Self.notFound(id)
            }
            var added = 0
            for entry in entries {
                added += try await connection.execute(
                    """
                    INSERT INTO watchlist_entries (watchlist_id, kind, value, note, added_at)
                    VALUES (\(id), \(entry.kind.rawValue), \(entry.value), \(note), \(context.at)) ON CONFLICT DO NOTHING
                    """)
            }
            let count = try await connection.query("SELECT count(*) FROM watchlist_entries WHERE watchlist_id = \(id)")[0].decode(0, as: Int.self)
            guard count <= WatchlistRules.maxEntriesPerList else {
                throw StoreError.conflict(
                    slug: "watchlist-full", detail: "A watchlist holds at most \(WatchlistRules.maxEntriesPerList) entries; start another list.")
            }
            try await connection.execute("UPDATE watchlists SET updated_at = \(context.at) WHERE id = \(id)")
            try await AuditLog.append(
                "watchlist.entries_added", entity: "watchlist", id: id.uuidString.lowercased(), participant: nil,
                after: ["entries": entries.map(\.value).joined(separator: ","), "added": String(added)], context: context, on: connection)
            return added
        }
    }

    public func remove(_ entry: (kind: WatchKind, value: String), from id: UUID, of owner: UUID, context: ChangeContext) async throws {
        try await database.transaction { connection in
            guard try await connection.query("SELECT 1 FROM watchlists WHERE id = \(id) AND user_id = \(owner) FOR UPDATE").single != nil else {
                throw Self.notFound(id)
            }
            guard
                try await connection.execute(
                    "DELETE FROM watchlist_entries WHERE watchlist_id = \(id) AND kind = \(entry.kind.rawValue) AND value = \(entry.value)") == 1
            else { throw StoreError.notFound("\(entry.value) is not on this watchlist.") }
            try await connection.execute("UPDATE watchlists SET updated_at = \(context.at) WHERE id = \(id)")
            try await AuditLog.append(
                "watchlist.entry_removed", entity: "watchlist", id: id.uuidString.lowercased(), participant: nil, after: ["entry": entry.value],
                context: context, on: connection)
        }
    }

    /// The list's entries with their current status, marks first, then ASNs, each in order.
    public func entries(of id: UUID, owner: UUID) async throws -> [WatchEntry] {
        _ = try await list(id, of: owner)
        let rows = try await database.query(
            "SELECT kind, value, note, added_at FROM watchlist_entries WHERE watchlist_id = \(id) ORDER BY kind DESC, length(value), value")
        var marks: [String] = []
        var asns: [String] = []
        for row in rows {
            let kind = try row.decode("kind", as: WatchKind.self)
            if kind == .mark { marks.append(try row.decode("value")) } else { asns.append(try row.decode("value")) }
        }
        var found: [String: [WatchedCertification]] = [:]
        for row in try await database.query(
            """
            SELECT DISTINCT ON (c.mark_id) c.mark_id AS watched, c.mark_id, c.program_code, c.status, c.valid_until
            FROM certifications c WHERE c.mark_id = ANY(\(marks)) ORDER BY c.mark_id, c.granted_at DESC
            """)
        {
            found["mark:" + (try row.decode("watched", as: String.self)), default: []].append(try Self.certification(row))
        }
        for row in try await database.query(
            """
            SELECT * FROM (
                SELECT DISTINCT ON (s.value, c.participant_id, c.program_code) s.value AS watched, c.mark_id, c.program_code, c.status, c.valid_until
                FROM certification_scope s JOIN certifications c ON c.id = s.certification_id
                WHERE s.kind = 'asn' AND s.value = ANY(\(asns)) ORDER BY s.value, c.participant_id, c.program_code, c.granted_at DESC
            ) latest ORDER BY watched, program_code
            """)
        {
            found["asn:" + (try row.decode("watched", as: String.self)), default: []].append(try Self.certification(row))
        }
        return try rows.map { row in
            let kind = try row.decode("kind", as: WatchKind.self)
            let value = try row.decode("value", as: String.self)
            let certifications = found[kind.rawValue + ":" + value] ?? []
            return WatchEntry(
                kind: kind, value: value, note: try row.decode("note"), addedAt: try row.decode("added_at"), certifications: certifications,
                status: WatchlistRules.statusWords(certifications))
        }
    }

    static func certification(_ row: PostgresRow) throws -> WatchedCertification {
        WatchedCertification(
            program: try row.decode("program_code"), status: try row.decode("status", as: CertificationStatus.self),
            markID: try row.decode("mark_id"), validUntil: try row.decode("valid_until"))
    }

    static func watchlist(_ row: PostgresRow) throws -> Watchlist {
        Watchlist(
            id: try row.decode("id"), name: try row.decode("name"), entryCount: try row.decode("entry_count", as: Int.self),
            createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    static func notFound(_ id: UUID) -> StoreError {
        .notFound("You have no watchlist \(id.uuidString.lowercased()).")
    }

    func withNameConflicts<Result>(_ body: () async throws -> Result) async throws -> Result {
        do {
            return try await body()
        } catch let error as PostgresError where error.code == .uniqueViolation && error.constraint == "watchlists_name" {
            throw StoreError.conflict(slug: "watchlist-name-taken", detail: "You already have a watchlist with this name.")
        }
    }
}
