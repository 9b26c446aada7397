import Foundation
import Postgres
import Store
import TestSupport
import Testing

@Suite("Migrations")
struct MigrationTests {
    /// Writes migration files into a temp folder and returns it.
    func folder(_ files: [String: String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, sql) in files {
            try sql.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
        }
        return path
    }

    let twoMigrations = [
        "0001_people.sql": "CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL);",
        "0002_people_email.sql": "ALTER TABLE people ADD COLUMN email text; SELECT pg_sleep(0.3);",
    ]

    @Test("the project's own schema applies to an empty database and is then current")
    func projectSchema() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let migrator = Migrator(migrations: try Migration.load(from: TestDatabase.schemaDirectory), logger: TestDatabase.logger)
            #expect(!migrator.migrations.isEmpty)
            #expect(try await migrator.status(db.pool).pending.count == migrator.migrations.count)
            let applied = try await migrator.migrate(db.pool)
            #expect(applied == migrator.migrations.map(\.version))
            #expect(try await migrator.status(db.pool).isCurrent)
        }
    }

    @Test("fresh, then re-run: the second run has nothing to do")
    func freshThenRerun() async throws {
        let directory = try folder(twoMigrations)
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let migrator = Migrator(migrations: try Migration.load(from: directory), logger: TestDatabase.logger)
            #expect(try await migrator.migrate(db.pool) == [1, 2])
            #expect(try await migrator.migrate(db.pool) == [])
            try await db.pool.execute("INSERT INTO people (id, name, email) VALUES (1, 'a', 'a@example.org')")
            let recorded = try await db.pool.query("SELECT version, name, checksum FROM schema_migrations ORDER BY version")
            #expect(recorded.count == 2)
            #expect(try recorded[1].decode("name", as: String.self) == "people_email")
            #expect(try recorded[0].decode("checksum", as: String.self) == migrator.migrations[0].checksum)
        }
    }

    @Test("a failing migration leaves nothing of itself behind")
    func failingMigrationRollsBack() async throws {
        let directory = try folder([
            "0001_ok.sql": "CREATE TABLE ok (id int);",
            "0002_broken.sql": "CREATE TABLE half (id int); SELECT * FROM no_such_table;",
        ])
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let migrator = Migrator(migrations: try Migration.load(from: directory), logger: TestDatabase.logger)
            await #expect(throws: PostgresError.self) { try await migrator.migrate(db.pool) }
            let status = try await migrator.status(db.pool)
            #expect(status.applied == [1])
            #expect(status.pending.map(\.version) == [2])
            #expect(try await db.pool.query("SELECT to_regclass('half') IS NULL")[0].decode(0, as: Bool.self))
        }
    }

    @Test("a migration changed after it was applied is refused")
    func tamperedChecksum() async throws {
        let directory = try folder(twoMigrations)
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await Migrator(migrations: try Migration.load(from: directory), logger: TestDatabase.logger).migrate(db.pool)
            try "CREATE TABLE people (id bigint PRIMARY KEY, name text);".write(
                toFile: directory + "/0001_people.sql", atomically: true, encoding: .utf8)
            let changed = Migrator(migrations: try Migration.load(from: directory), logger: TestDatabase.logger)
            let error = await #expect(throws: MigrationError.self) { try await changed.migrate(db.pool) }
            #expect(error == .checksumMismatch(version: 1, name: "people"))
            #expect(try await changed.status(db.pool).isCurrent == false)
        }
    }

    @Test("a database with a migration this build does not know is refused")
    func unknownMigration() async throws {
        let directory = try folder(twoMigrations)
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let migrator = Migrator(migrations: try Migration.load(from: directory), logger: TestDatabase.logger)
            try await migrator.migrate(db.pool)
            try await db.pool.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (3, 'from_the_future', 'x')")
            let error = await #expect(throws: MigrationError.self) { try await migrator.migrate(db.pool) }
            #expect(error == .unknownApplied(version: 3, name: "from_the_future"))
        }
    }

    @Test("two migrators at once: exactly one applies, the other finds nothing to do")
    func concurrentMigrators() async throws {
        let directory = try folder(twoMigrations)
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let migrations = try Migration.load(from: directory)
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        // Separate pools, as two processes would have.
                        let pool = PostgresPool(configuration: db.pool.configuration, logger: TestDatabase.logger)
                        defer { Task { await pool.close() } }
                        return try await Migrator(migrations: migrations, logger: TestDatabase.logger).migrate(pool)
                    }
                }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(results.sorted { $0.count < $1.count } == [[], [1, 2]])
        }
    }

    @Test("badly named or duplicated files are refused before touching the database")
    func badFiles() throws {
        #expect(throws: MigrationError.badFileName("people.sql")) {
            try Migration.load(from: try folder(["people.sql": "SELECT 1;"]))
        }
        #expect(throws: MigrationError.duplicateVersion(1)) {
            try Migration.load(from: try folder(["0001_a.sql": "SELECT 1;", "1_b.sql": "SELECT 2;"]))
        }
    }
}
