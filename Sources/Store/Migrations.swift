import Crypto
import Foundation
import Logging
import Postgres

/// One `schema/NNNN_description.sql` file.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    /// SHA-256 of the file's bytes, in hex.
    public let checksum: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
        self.checksum = SHA256.hash(data: Data(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Reads every `NNNN_description.sql` in `directory`, ordered by number.
    public static func load(from directory: String) throws -> [Migration] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        var migrations: [Migration] = []
        for file in files where file.hasSuffix(".sql") {
            let stem = file.dropLast(4)
            guard let separator = stem.firstIndex(of: "_"), let version = Int(stem[..<separator]) else {
                throw MigrationError.badFileName(file)
            }
            let sql = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            migrations.append(Migration(version: version, name: String(stem[stem.index(after: separator)...]), sql: sql))
        }
        migrations.sort { $0.version < $1.version }
        for (previous, next) in zip(migrations, migrations.dropFirst()) where previous.version == next.version {
            throw MigrationError.duplicateVersion(next.version)
        }
        return migrations
    }
}

public enum MigrationError: Error, CustomStringConvertible, Equatable {
    case badFileName(String)
    case duplicateVersion(Int)
    /// The database has a migration this build does not have: it is newer than the code.
    case unknownApplied(version: Int, name: String)
    /// An applied migration's file changed after it ran.
    case checksumMismatch(version: Int, name: String)
    /// Pending migrations where none may be applied (`serve --no-migrate`).
    case pending([Int])

    public var description: String {
        switch self {
        case .badFileName(let file):
            "migration file \(file) is not named NNNN_description.sql"
        case .duplicateVersion(let version):
            "two migration files have version \(version)"
        case .unknownApplied(let version, let name):
            "the database has migration \(version) (\(name)) that this build does not know: it is newer than this code"
        case .checksumMismatch(let version, let name):
            "migration \(version) (\(name)) was changed after it was applied; add a new migration instead"
        case .pending(let versions):
            "the database is behind: migrations \(versions.map(String.init).joined(separator: ", ")) are pending (run `manrs-plus migrate`)"
        }
    }
}

/// Where a database stands against the migrations of this build.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [Int]
    public var pending: [Migration]
    public var problems: [MigrationError]

    public var isCurrent: Bool { pending.isEmpty && problems.isEmpty }
}

/// Applies migrations in order, each in its own transaction with its record in `schema_migrations`.
///
/// A session-level advisory lock serialises migrators: of two processes starting at once, one
/// applies and the other then finds nothing to do.
public struct Migrator: Sendable {
    public let migrations: [Migration]
    let logger: Logger
    /// Arbitrary constant naming the lock ("manrs" in ASCII).
    static let advisoryLockKey: Int64 = 0x6d61_6e72_73

    public init(migrations: [Migration], logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Compares the database with this build's migrations, changing nothing.
    public func status(_ pool: PostgresPool) async throws -> MigrationStatus {
        try await pool.withConnection { connection in
            try await status(connection)
        }
    }

    func status(_ connection: PostgresConnection) async throws -> MigrationStatus {
        let exists = try await connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists[0].decode(0, as: Bool.self) else {
            return MigrationStatus(applied: [], pending: migrations, problems: [])
        }
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        var applied: [Int] = []
        var problems: [MigrationError] = []
        for row in rows {
            let (version, name, checksum) = try row.decode(Int.self, String.self, String.self)
            applied.append(version)
            guard let migration = known[version] else {
                problems.append(.unknownApplied(version: version, name: name))
                continue
            }
            if migration.checksum != checksum {
                problems.append(.checksumMismatch(version: version, name: migration.name))
            }
        }
        let appliedSet = Set(applied)
        return MigrationStatus(applied: applied, pending: migrations.filter { !appliedSet.contains($0.version) }, problems: problems)
    }

    /// Applies what is pending and returns the versions applied. Refuses to touch a database with
    /// unknown or altered migrations.
    @discardableResult
    public func migrate(_ pool: PostgresPool) async throws -> [Int] {
        try await pool.withConnection { connection in
            try await connection.execute("SELECT pg_advisory_lock(\(Self.advisoryLockKey))")
            do {
                let applied = try await migrateLocked(connection)
                try await connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                return applied
            } catch {
                _ = try? await connection.execute("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))")
                throw error
            }
        }
    }

    private func migrateLocked(_ connection: PostgresConnection) async throws -> [Int] {
        try await connection.executeScript(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let status = try await status(connection)
        if let problem = status.problems.first { throw problem }
        var applied: [Int] = []
        for migration in status.pending {
            logger.info("Applying migration", metadata: ["migration.version": "\(migration.version)", "migration.name": "\(migration.name)"])
            try await connection.transaction { transaction in
                try await transaction.executeScript(SQL(unsafeSQL: migration.sql))
                try await transaction.execute(
                    """
                    INSERT INTO schema_migrations (version, name, checksum)
                    VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                    """)
            }
            applied.append(migration.version)
        }
        return applied
    }
}
