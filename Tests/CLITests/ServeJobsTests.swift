import EmbeddedPostgres
import Foundation
import Postgres
import Store
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The job queue across two real `manrs-plus serve` processes on one database (issue 12 §2):
/// each due job runs once, a job whose process is killed mid-run is run by the other once its
/// lease ends, and the embedded cluster stays up while another process uses it.
@Suite("Jobs in two serve processes")
struct ServeJobsTests {
    static func instances(_ db: FreshDatabase, lease: Int) throws -> [ServeTests.Instance] {
        let settings = ["JOB_LEASE_SECONDS": String(lease), "JOB_POLL_MILLISECONDS": "100", "DB_POOL_SIZE": "4"]
        return try (0..<2).map { _ in try ServeTests.Instance(database: db, port: LocalHTTP.freePort(), settings: settings) }
    }

    @Test("two serve processes run each of 40 due jobs exactly once, and each recurring job once per due time", .timeLimit(.minutes(4)))
    func exactlyOnce() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = JobStore(database: db.pool)
            let now = Date()
            var ids: Set<Int64> = []
            for _ in 0..<40 {
                ids.insert(try #require(try await store.enqueue(.probe, dueAt: now, maxAttempts: 3, at: now)))
            }
            let instances = try Self.instances(db, lease: 60)
            defer { instances.forEach { $0.stop() } }
            let finished = try await WorkerTests.waitUntil { try await store.probeRuns().count >= 40 }
            #expect(finished)
            try await Task.sleep(for: .seconds(1))
            let runs = try await store.probeRuns()
            #expect(runs.count == 40)
            #expect(Set(runs.map(\.job)) == ids)
            // Both schedulers ran: each recurring kind was enqueued once for its first due time, not twice.
            let recurring = try await db.pool.query(
                "SELECT kind, count(*)::bigint AS n FROM jobs WHERE dedupe_key IS NOT NULL GROUP BY kind, dedupe_key")
            #expect(!recurring.isEmpty)
            #expect(try recurring.allSatisfy { try $0.decode("n", as: Int.self) == 1 })
        }
    }

    @Test("a job whose serve process is killed with kill -9 mid-run is run by the other after the lease ends", .timeLimit(.minutes(4)))
    func killedInstance() async throws {
        try await TestDatabase.withDatabase { (db: FreshDatabase) async throws in
            let store = JobStore(database: db.pool)
            let now = Date()
            // The first attempt holds its worker for ten minutes; a retry finishes at once.
            let id = try #require(
                try await store.enqueue(.probe, payload: .object(["seconds": .number(600)]), dueAt: now, maxAttempts: 3, at: now))
            let lease = 8
            let instances = try Self.instances(db, lease: lease)
            defer { instances.forEach { $0.stop() } }
            let taken = try await WorkerTests.waitUntil { try await store.job(id).state == .running }
            #expect(taken)
            let held = try await store.job(id)
            let holder = try #require(instances.first { held.leasedBy?.contains("/\($0.pid)/") == true })
            let other = try #require(instances.first { $0 !== holder })
            #expect(held.attempts == 1)
            // Alive, the holder renews its lease: past the first lease's end the job is still its own.
            try await Task.sleep(for: .seconds(lease + 3))
            let renewed = try await store.job(id)
            #expect(renewed.state == .running && renewed.attempts == 1 && renewed.leasedBy == held.leasedBy)
            #expect(try #require(renewed.leaseUntil) > (held.leaseUntil ?? .distantFuture))
            holder.stop()  // kill -9, mid-run
            let killed = Date()
            let finished = try await WorkerTests.waitUntil { try await store.job(id).state == .done }
            #expect(finished)
            let job = try await store.job(id)
            #expect(job.attempts == 2)
            // Not taken again before the dead worker's last lease ended (at or after the one read before the kill).
            #expect(try #require(job.finishedAt) >= (renewed.leaseUntil ?? killed))
            let runs = try await store.probeRuns()
            #expect(runs.count == 1)
            #expect(runs.first?.worker.contains("/\(other.pid)/") == true, "\(runs)")
        }
    }

    // The serve that started the cluster did exit on SIGTERM, but the postmaster it started had
    // inherited its descriptors, among them the one Foundation's `Process` watches for the child's
    // end, so `waitUntilExit` never returned. `Subprocess` now closes them in the child.
    @Test(
        "the serve that started the embedded cluster leaves it running for the other, which stops it last",
        .timeLimit(.minutes(4)))
    func embeddedClusterOwnership() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let cluster = EmbeddedPostgres(dataDirectory: dataDirectory + "/postgres")
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(atPath: dataDirectory)
        }
        let settings = ["DATA_DIR": dataDirectory, "JOB_POLL_MILLISECONDS": "200", "DB_POOL_SIZE": "3"]
        func ready(_ instance: ServeTests.Instance) async throws -> Bool {
            try await WorkerTests.waitUntil(seconds: 150) { LocalHTTP.status("GET", port: instance.port, path: "/readyz") == 200 }
        }
        let first = try ServeTests.Instance(database: nil, port: LocalHTTP.freePort(), settings: settings)
        defer { first.stop() }
        #expect(try await ready(first))
        let second = try ServeTests.Instance(database: nil, port: LocalHTTP.freePort(), settings: settings)
        defer { second.stop() }
        #expect(try await ready(second))

        first.terminate()  // it started the cluster, but the second still uses it
        #expect(first.process.terminationStatus == 0)
        #expect(try cluster.isRunning())
        #expect(LocalHTTP.status("GET", port: second.port, path: "/readyz") == 200)

        second.terminate()  // the last user: it stops the cluster it was handed
        #expect(second.process.terminationStatus == 0)
        #expect(try !cluster.isRunning())
    }
}
