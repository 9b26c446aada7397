import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("Transactions")
struct TransactionTests {
    struct Boom: Error {}

    @Test("commit on return, rollback on throw")
    func commitAndRollback() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE t (v int)")
            try await db.pool.transaction { tx in
                try await tx.execute("INSERT INTO t VALUES (1)")
            }
            await #expect(throws: Boom.self) {
                try await db.pool.transaction { tx in
                    try await tx.execute("INSERT INTO t VALUES (2)")
                    throw Boom()
                }
            }
            let rows = try await db.pool.query("SELECT array_agg(v ORDER BY v) FROM t")
            #expect(try rows[0].decode(0, as: [Int].self) == [1])
        }
    }

    @Test("a transaction whose statement failed is not committed, even if the closure swallowed the error")
    func failedTransactionDoesNotCommit() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE t (v int PRIMARY KEY)")
            await #expect(throws: PostgresError.self) {
                try await db.pool.transaction { tx in
                    try await tx.execute("INSERT INTO t VALUES (1)")
                    _ = try? await tx.execute("INSERT INTO t VALUES (1)")
                }
            }
            #expect(try await db.pool.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 0)
        }
    }

    @Test("a serialization failure reruns the whole closure, within the bound")
    func retriesSerializationFailure() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE counter (id int PRIMARY KEY, n int)")
            try await db.pool.execute("INSERT INTO counter VALUES (1, 0)")
            let attempts = Atomic<Int>(0)
            // The first attempt reads, then another session commits a write to the same row, so
            // the first attempt's write fails with 40001 under SERIALIZABLE.
            try await db.pool.transaction(isolation: .serializable, retry: .onSerializationFailure(maxAttempts: 3)) { tx in
                let attempt = attempts.add(1, ordering: .relaxed).newValue
                let n = try await tx.query("SELECT n FROM counter WHERE id = 1")[0].decode(0, as: Int.self)
                if attempt == 1 {
                    let other = PostgresPool(configuration: db.pool.configuration, logger: TestDatabase.logger)
                    try await other.execute("UPDATE counter SET n = n + 100 WHERE id = 1")
                    await other.close()
                }
                try await tx.execute("UPDATE counter SET n = \(n + 1) WHERE id = 1")
            }
            #expect(attempts.load(ordering: .relaxed) == 2)
            #expect(try await db.pool.query("SELECT n FROM counter")[0].decode(0, as: Int.self) == 101)

            // Without retry the failure reaches the caller.
            let failure = await #expect(throws: PostgresError.self) {
                try await db.pool.transaction(isolation: .serializable) { tx in
                    _ = try await tx.query("SELECT n FROM counter WHERE id = 1")
                    let other = PostgresPool(configuration: db.pool.configuration, logger: TestDatabase.logger)
                    try await other.execute("UPDATE counter SET n = n + 1 WHERE id = 1")
                    await other.close()
                    try await tx.execute("UPDATE counter SET n = 0 WHERE id = 1")
                }
            }
            #expect(failure?.code == .serializationFailure)
        }
    }

    @Test("a transaction left open by a lease is rolled back before the connection is reused")
    func leaseResetsTransaction() async throws {
        try await TestDatabase.withDatabase(migrated: false, poolSize: 1) { (db: FreshDatabase) async throws in
            try await db.pool.execute("CREATE TABLE t (v int)")
            try await db.pool.withConnection { connection in
                try await connection.execute("BEGIN")
                try await connection.execute("INSERT INTO t VALUES (1)")
            }
            #expect(try await db.pool.query("SELECT count(*) FROM t")[0].decode(0, as: Int.self) == 0)
        }
    }
}
