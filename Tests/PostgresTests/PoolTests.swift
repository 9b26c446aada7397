import Foundation
import Postgres
import Synchronization
import TestSupport
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test("a pool of 4 serves 200 concurrent tasks, never opening more than 4 sessions")
    func manyTasksFewConnections() async throws {
        try await TestDatabase.withDatabase(migrated: false, poolSize: 4) { (db: FreshDatabase) async throws in
            let sessions = try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<200 {
                    group.addTask {
                        let rows = try await db.pool.query("SELECT pg_backend_pid(), \(task)::int8 + 1, pg_sleep(0.002)")
                        let (pid, echoed) = try rows[0].decode(Int.self, Int.self)
                        #expect(echoed == task + 1)
                        return pid
                    }
                }
                return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
            }
            #expect(sessions.count <= 4)
            #expect(db.pool.statistics.inUse == 0)
            #expect(db.pool.statistics.connections <= 4)
        }
    }

    @Test("waiting for a connection times out with a clear error")
    func acquireTimeout() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            var configuration = db.pool.configuration
            configuration.poolSize = 1
            configuration.acquireTimeout = .milliseconds(200)
            let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
            let holding = AsyncBarrier(parties: 2)
            let release = AsyncBarrier(parties: 2)
            async let holder: Void = pool.withConnection { connection in
                try await connection.execute("SELECT 1")
                await holding.arrive()
                await release.arrive()
            }
            await holding.arrive()
            let started = ContinuousClock.now
            let error = await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT 1")
            }
            #expect(error?.code == .poolTimeout)
            #expect(error.map { String(describing: $0) }?.contains("timed out") == true)
            #expect(ContinuousClock.now - started >= .milliseconds(200))
            await release.arrive()
            try await holder
            // Once the holder is done the pool serves again.
            #expect(try await pool.query("SELECT 2")[0].decode(0, as: Int.self) == 2)
            await pool.close()
        }
    }

    @Test("waiters are served first come, first served")
    func fairness() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            var configuration = db.pool.configuration
            configuration.poolSize = 1
            let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
            let order = OrderLog()
            let gate = AsyncBarrier(parties: 2)
            let finish = AsyncBarrier(parties: 2)
            async let holder: Void = pool.withConnection { _ in
                await gate.arrive()
                await finish.arrive()
            }
            await gate.arrive()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        try await pool.withConnection { _ in order.entries.withLock { $0.append(index) } }
                    }
                    // Let each waiter queue before the next one starts.
                    while pool.statistics.waiting < index + 1 { try await Task.sleep(for: .milliseconds(2)) }
                }
                await finish.arrive()
                try await group.waitForAll()
            }
            try await holder
            #expect(order.entries.withLock { $0 } == [0, 1, 2, 3, 4])
            await pool.close()
        }
    }

    @Test("libpq runs on the connection's own thread, not on Swift's cooperative pool")
    func blockingCallsStayOffTheCooperativePool() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            // A call waiting on a lock blocks the calling thread. Were that a cooperative thread,
            // no more sessions could wait at once than the cooperative pool has threads (2 here);
            // on connection threads all eight do. The observer holds the lock until it has seen
            // all eight waiting (the server counts them), so a busy machine only makes the test
            // slower, never wrong. (Debug builds also assert in `session()` that libpq is only
            // touched on its connection's thread.)
            var configuration = db.pool.configuration
            configuration.poolSize = 8
            let pool = PostgresPool(configuration: configuration, logger: TestDatabase.logger)
            let observer = PostgresPool(configuration: db.pool.configuration, logger: TestDatabase.logger)
            try await observer.withConnection { connection in
                try await connection.execute("SELECT pg_advisory_lock(4242)")
                let waiters = Task {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for _ in 0..<8 { group.addTask { try await pool.execute("SELECT pg_advisory_xact_lock_shared(4242) /* waiter */") } }
                        try await group.waitForAll()
                    }
                }
                var most = 0
                let deadline = ContinuousClock.now + .seconds(120)
                while most < 8 && ContinuousClock.now < deadline {
                    let rows = try await connection.query(
                        """
                        SELECT count(*) FROM pg_stat_activity
                        WHERE datname = current_database() AND state = 'active' AND query LIKE '%/* waiter */%' AND pid <> pg_backend_pid()
                        """)
                    most = max(most, try rows[0].decode(0, as: Int.self))
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(most == 8, "at most \(most) sessions waited at once")
                try await connection.execute("SELECT pg_advisory_unlock(4242)")
                try await waiters.value
            }
            await pool.close()
            await observer.close()
        }
    }

    @Test("closing the pool fails new work with .poolClosed")
    func closedPool() async throws {
        try await TestDatabase.withDatabase(migrated: false) { (db: FreshDatabase) async throws in
            let pool = PostgresPool(configuration: db.pool.configuration, logger: TestDatabase.logger)
            try await pool.execute("SELECT 1")
            await pool.close()
            let error = await #expect(throws: PostgresError.self) { try await pool.execute("SELECT 1") }
            #expect(error?.code == .poolClosed)
        }
    }
}

final class OrderLog: Sendable {
    let entries = Mutex<[Int]>([])
}
