import EmbeddedPostgres
import Foundation
import Logging
import Postgres
import Store

#if canImport(Glibc)
    import Glibc
#endif

/// The real PostgreSQL the tests run against.
///
/// One throwaway embedded cluster per test process, started on first use through the same
/// launcher `make run` uses (or the server in `TEST_DATABASE_URL`). The project's migrations
/// are applied once to a template database; each test gets its own copy
/// (`CREATE DATABASE … TEMPLATE`), so tests run in parallel and share nothing.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .warning
        return logger
    }()

    /// The repository's root, found from this file's path.
    public static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    public static var schemaDirectory: String { repositoryRoot + "/schema" }

    /// Runs `body` with a fresh database of its own (migrated unless `migrated` is false), then drops it.
    public static func withDatabase<Result>(
        migrated: Bool = true,
        poolSize: Int = 4,
        _ body: (FreshDatabase) async throws -> Result
    ) async throws -> Result {
        let database = try await Registry.shared.create(migrated: migrated)
        let pool = PostgresPool(
            // No statement timeout: on a loaded machine a test's query may wait its turn for
            // longer than production allows; the timeout itself has a test of its own.
            configuration: PostgresConfiguration(
                connectionString: database.connectionString, poolSize: poolSize, acquireTimeout: .seconds(300), statementTimeout: nil
            ),
            logger: logger
        )
        let fresh = FreshDatabase(name: database.name, connectionString: database.connectionString, pool: pool)
        do {
            let result = try await body(fresh)
            await pool.close()
            try await Registry.shared.drop(database.name)
            return result
        } catch {
            // A failed connection's `description` hides libpq's message (it is written for any
            // log); a test's output is where the reason is needed, so it is printed whole.
            if let failure = error as? PostgresError, failure.code == .connectionFailed {
                FileHandle.standardError.write(Data("TestDatabase: \(String(reflecting: failure))\n".utf8))
            }
            await pool.close()
            try? await Registry.shared.drop(database.name)
            throw error
        }
    }

    /// A connection string for `database` on the same server as `base`.
    public static func connectionString(_ base: String, database: String) -> String {
        if base.hasPrefix("postgres://") || base.hasPrefix("postgresql://"), var components = URLComponents(string: base) {
            components.path = "/" + database
            return components.string ?? base
        }
        return base + " dbname='\(database)'"
    }

    /// Creates and drops databases on the shared server; creation from the template is serialised.
    actor Registry {
        static let shared = Registry()

        private var server: (admin: PostgresPool, baseConnectionString: String)?
        /// Shared by concurrent callers: the actor is re-entrant at each `await`.
        private var template: Task<Void, any Error>?

        func create(migrated: Bool) async throws -> (name: String, connectionString: String) {
            let (admin, base) = try await serverPool()
            let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
            if migrated {
                try await prepareTemplate(admin: admin, base: base)
                try await admin.execute("CREATE DATABASE \(identifier: name) TEMPLATE manrs_template")
            } else {
                try await admin.execute("CREATE DATABASE \(identifier: name)")
            }
            return (name, TestDatabase.connectionString(base, database: name))
        }

        func drop(_ name: String) async throws {
            guard let (admin, _) = server else { return }
            try await admin.execute("DROP DATABASE IF EXISTS \(identifier: name) WITH (FORCE)")
        }

        private func prepareTemplate(admin: PostgresPool, base: String) async throws {
            if template == nil {
                template = Task { try await Self.migrateTemplate(admin: admin, base: base) }
            }
            try await template!.value
        }

        private static func migrateTemplate(admin: PostgresPool, base: String) async throws {
            try await admin.execute("DROP DATABASE IF EXISTS manrs_template WITH (FORCE)")
            try await admin.execute("CREATE DATABASE manrs_template")
            let pool = PostgresPool(
                configuration: PostgresConfiguration(
                    connectionString: TestDatabase.connectionString(base, database: "manrs_template"), poolSize: 1, statementTimeout: nil),
                logger: TestDatabase.logger
            )
            let migrator = Migrator(migrations: try Migration.load(from: TestDatabase.schemaDirectory), logger: TestDatabase.logger)
            try await migrator.migrate(pool)
            await pool.close()
        }

        private func serverPool() async throws -> (PostgresPool, String) {
            if let server { return server }
            let base: String
            if let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty {
                base = url
            } else {
                base = try TestCluster.startShared()
            }
            // Dozens of tests start at once and each waits its turn to copy the template, longer
            // while a heavy import runs beside them: a long acquire timeout, not a failure. No
            // statement timeout either: CREATE DATABASE on a loaded machine may take its time.
            let admin = PostgresPool(
                configuration: PostgresConfiguration(
                    connectionString: TestDatabase.connectionString(base, database: "postgres"), poolSize: 2, acquireTimeout: .seconds(300),
                    statementTimeout: nil
                ),
                logger: TestDatabase.logger
            )
            server = (admin, base)
            return (admin, base)
        }
    }
}

/// A database of one test's own.
public struct FreshDatabase: Sendable {
    public let name: String
    public let connectionString: String
    public let pool: PostgresPool
}

/// Throwaway clusters in temp folders, stopped and deleted when the test process exits.
public enum TestCluster {
    nonisolated(unsafe) private static var clustersToRemove: [EmbeddedPostgres] = []
    private static let lock = NSLock()

    /// Starts the process-wide cluster and returns its base connection string.
    static func startShared() throws -> String {
        // Every suite runs at once, each test with a pool of its own and some with server and
        // CLI processes that open pools too: the production default of 200 connections ran out
        // ("sorry, too many clients already") about 100 s into a full run, now and then.
        let cluster = try startPrivate(settings: ["max_connections": "600"])
        return cluster.connectionString(database: "postgres")
    }

    /// Starts a cluster for one test alone (for tests that stop or restart the server).
    public static func startPrivate(settings: [String: String] = [:]) throws -> EmbeddedPostgres {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("manrs-test-\(getpid())-\(UUID().uuidString.prefix(8))").path
        let cluster = EmbeddedPostgres(dataDirectory: folder + "/pg", databaseName: "manrs", durable: false, settings: settings)
        lock.withLock {
            if clustersToRemove.isEmpty { atexit { TestCluster.removeAll() } }
            clustersToRemove.append(cluster)
        }
        _ = try cluster.start(logger: TestDatabase.logger)
        return cluster
    }

    private static func removeAll() {
        for cluster in clustersToRemove {
            try? cluster.stopImmediately()
            try? FileManager.default.removeItem(atPath: (cluster.dataDirectory as NSString).deletingLastPathComponent)
        }
    }
}
