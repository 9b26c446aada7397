import Foundation
import Postgres
import TestSupport
import Testing

/// Each typed error comes from a real server condition, and its description leaks nothing.
@Suite("Typed errors from real constraints")
struct ErrorTests {
    static let schema: SQL = """
        CREATE TABLE owners (id int PRIMARY KEY, email text UNIQUE NOT NULL CONSTRAINT email_has_at CHECK (email LIKE '%@%'));
        CREATE TABLE things (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES owners (id));
        INSERT INTO owners VALUES (1, 'secret-value@example.org');
        """

    @Test("unique, foreign key, check and not-null violations")
    func integrityViolations() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.withConnection { try await $0.executeScript(Self.schema) }

            let unique = await #expect(throws: PostgresError.self) {
                try await db.pool.execute("INSERT INTO owners VALUES (2, \("secret-value@example.org"))")
            }
            #expect(unique?.code == .uniqueViolation)
            #expect(unique?.sqlState == "23505")
            #expect(unique?.constraint == "owners_email_key")
            // The value is in the server's detail, kept for logs, but never in the description.
            #expect(unique.map { String(reflecting: $0) }?.contains("secret-value") == true)
            #expect(unique.map { String(describing: $0) }?.contains("secret-value") == false)
            #expect(unique.map { String(describing: $0) }?.contains("INSERT") == false)

            let foreignKey = await #expect(throws: PostgresError.self) {
                try await db.pool.execute("INSERT INTO things VALUES (1, \(99))")
            }
            #expect(foreignKey?.code == .foreignKeyViolation)
            #expect(foreignKey?.constraint == "things_owner_id_fkey")

            let check = await #expect(throws: PostgresError.self) {
                try await db.pool.execute("INSERT INTO owners VALUES (3, \("no-at-sign"))")
            }
            #expect(check?.code == .checkViolation)
            #expect(check?.constraint == "email_has_at")

            let notNull = await #expect(throws: PostgresError.self) {
                try await db.pool.execute("INSERT INTO things VALUES (2, NULL)")
            }
            #expect(notNull?.code == .notNullViolation)
        }
    }

    @Test("statement_timeout cancels a query with .queryCancelled")
    func queryCancelled() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            var configuration = db.pool.configuration
            // A second: long enough for the `SELECT 1` after it even on a loaded machine.
            configuration.statementTimeout = .seconds(1)
            let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
            let error = await #expect(throws: PostgresError.self) {
                try await pool.execute("SELECT pg_sleep(30)")
            }
            #expect(error?.code == .queryCancelled)
            #expect(error?.sqlState == "57014")
            #expect(try await pool.query("SELECT 1")[0].decode(0, as: Int.self) == 1)
            await pool.close()
        }
    }

    @Test("a terminated session reports .connectionLost, and the next query reconnects")
    func connectionLost() async throws {
        try await TestDatabase.withDatabase(migrated: false, poolSize: 1) { (db: FreshDatabase) async throws in
            let error = await #expect(throws: PostgresError.self) {
                try await db.pool.execute("SELECT pg_terminate_backend(pg_backend_pid())")
            }
            #expect(error?.code == .connectionLost)
            #expect(try await db.pool.query("SELECT 1")[0].decode(0, as: Int.self) == 1)
        }
    }

    @Test("a deadlock between two transactions is reported as .deadlockDetected to one of them")
    func deadlock() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int)")
            try await db.pool.execute("INSERT INTO accounts VALUES (1, 0), (2, 0)")
            let bothLocked = AsyncBarrier(parties: 2)
            func transfer(first: Int, second: Int) async -> PostgresError? {
                do {
                    try await db.pool.transaction { tx in
                        try await tx.execute("UPDATE accounts SET balance = balance + 1 WHERE id = \(first)")
                        await bothLocked.arrive()
                        try await tx.execute("UPDATE accounts SET balance = balance + 1 WHERE id = \(second)")
                    }
                    return nil
                } catch {
                    return error as? PostgresError
                }
            }
            async let a = transfer(first: 1, second: 2)
            async let b = transfer(first: 2, second: 1)
            let errors = await [a, b].compactMap { $0 }
            #expect(errors.count == 1)
            #expect(errors.first?.code == .deadlockDetected)
            #expect(errors.first?.isTransient == true)
        }
    }
}

/// Lets `parties` tasks wait until all of them have arrived.
actor AsyncBarrier {
    private let parties: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(parties: Int) { self.parties = parties }

    func arrive() async {
        arrived += 1
        if arrived >= parties {
            waiting.forEach { $0.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}
