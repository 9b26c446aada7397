import Canonical
import Foundation
import Postgres
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two `manrs-plus worker` processes on one database: each job runs once, and a job whose worker
/// is killed mid-run is finished by the other once its lease ends. The test's own cluster holds
/// the database, so no worker owns (or stops) it.
@Suite("Workers across processes")
struct WorkerTests {
    final class WorkerProcess {
        let process = Process()

        init(database: FreshDatabase, leaseSeconds: Int) throws {
            process.executableURL = URL(fileURLWithPath: CLITests.binary)
            process.arguments = ["worker", "--no-migrate"]
            process.currentDirectoryURL = URL(fileURLWithPath: TestDatabase.repositoryRoot)
            var environment = ProcessInfo.processInfo.environment
            environment["DATABASE_URL"] = database.connectionString
            environment["LOG_LEVEL"] = "error"
            environment["JOB_LEASE_SECONDS"] = String(leaseSeconds)
            environment["JOB_POLL_MILLISECONDS"] = "100"
            environment["DB_POOL_SIZE"] = "3"
            process.environment = environment
            process.standardOutput = FileHandle.nullDevice
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func kill9() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Waits (generously: the machine may be loaded) until `condition` holds.
    static func waitUntil(seconds: Double = 120, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    @Test("two worker processes run each of 40 jobs exactly once", .timeLimit(.minutes(4)))
    func exactlyOnceAcrossProcesses() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = JobStore(database: db.pool)
            let now = Date()
            for _ in 0..<40 { try await store.enqueue(.probe, dueAt: now, maxAttempts: 3, at: now) }
            let workers = try [WorkerProcess(database: db, leaseSeconds: 60), WorkerProcess(database: db, leaseSeconds: 60)]
            defer { workers.forEach { $0.kill9() } }
            // (The workers' scheduler also queues a housekeeping job; only the probes are counted.)
            let finished = try await Self.waitUntil { try await store.probeRuns().count >= 40 }
            #expect(finished)
            try await Task.sleep(for: .seconds(1))
            #expect(try await store.list(states: [.queued, .running]).filter { $0.kind == .probe }.isEmpty)
            let runs = try await store.probeRuns()
            #expect(runs.count == 40)
            #expect(Set(runs.map(\.job)).count == 40)
        }
    }

    @Test("a job whose worker is killed mid-run is run by the other worker after the lease ends", .timeLimit(.minutes(4)))
    func killedWorkerIsReplaced() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = JobStore(database: db.pool)
            let now = Date()
            let id = try #require(try await store.enqueue(.probe, payload: .object(["seconds": .number(600)]), dueAt: now, maxAttempts: 3, at: now))
            let first = try WorkerProcess(database: db, leaseSeconds: 3)
            defer { first.kill9() }
            let taken = try await Self.waitUntil { try await store.job(id).state == .running }
            #expect(taken)
            #expect(try await store.job(id).leasedBy?.contains("/\(first.pid)/") == true)
            first.kill9()
            let second = try WorkerProcess(database: db, leaseSeconds: 3)
            defer { second.kill9() }
            let finished = try await Self.waitUntil { try await store.job(id).state == .done }
            #expect(finished)
            let job = try await store.job(id)
            #expect(job.attempts == 2)
            let runs = try await store.probeRuns()
            #expect(runs.count == 1)
            #expect(runs.first?.worker.contains("/\(second.pid)/") == true)
        }
    }
}
