import Foundation
import Postgres
import TestSupport
import Testing

@Suite("Recovery")
struct RecoveryTests {
    @Test("after the server restarts, the next queries succeed without a new pool")
    func serverRestart() async throws {
        // A cluster of this test's own: stopping the shared one would break the others.
        let cluster = try TestCluster.startPrivate()
        let pool = PostgresPool(
            configuration: PostgresConfiguration(connectionString: cluster.connectionString(), poolSize: 3),
            logger: TestDatabase.logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await pool.execute("SELECT pg_sleep(0.01)") } }
            try await group.waitForAll()
        }
        #expect(pool.statistics.connections == 3)

        try cluster.stopImmediately()
        let down = await #expect(throws: PostgresError.self) { try await pool.execute("SELECT 1") }
        #expect(down?.code == .connectionFailed || down?.code == .connectionLost)

        _ = try cluster.start(logger: TestDatabase.logger)
        for _ in 0..<6 {
            #expect(try await pool.query("SELECT 41 + 1")[0].decode(0, as: Int.self) == 42)
        }
        await pool.close()
        try cluster.stop()
    }
}
