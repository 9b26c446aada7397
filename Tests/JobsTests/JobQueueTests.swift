import Canonical
import Domain
import Foundation
import Jobs
import Postgres
import Store
import TestSupport
import Testing

/// A handler that fails until told otherwise, counting its runs.
final class FlakyJob: JobHandler, @unchecked Sendable {
    let kind: JobKind = .probe
    private let lock = NSLock()
    private var runs = 0
    var failing = true
    var count: Int { lock.withLock { runs } }

    struct Broken: Error, CustomStringConvertible { var description: String { "The upstream source did not answer." } }

    func run(_ job: Job, at now: Date, worker: String) async throws {
        let fail = lock.withLock {
            runs += 1
            return failing
        }
        if fail { throw Broken() }
    }
}

@Suite("Job queue")
struct JobQueueTests {
    static let start = Date(timeIntervalSince1970: 1_803_859_200)  // 2027-03-01T00:00:00Z
    static let policy = JobRetryPolicy(baseDelay: 30, maxDelay: 3600, maxAttempts: 3)

    static func runner(
        _ pool: PostgresPool, clock: ManualClock, handlers: [any JobHandler]? = nil, worker: String, lease: TimeInterval = 60
    ) -> JobRunner {
        let store = JobStore(database: pool)
        return JobRunner(
            store: store,
            registry: JobRegistry(handlers ?? [ProbeJob(store: store), HousekeepingJob(housekeeping: Housekeeping(database: pool))]),
            configuration: JobConfiguration(lease: lease, retry: policy), clock: clock, logger: TestDatabase.logger, worker: worker)
    }

    @Test("two workers draining one queue concurrently run each job exactly once")
    func exactlyOnce() async throws {
        try await TestDatabase.withDatabase(poolSize: 6) { db in
            let clock = ManualClock(Self.start)
            let store = JobStore(database: db.pool)
            for _ in 0..<60 { try await store.enqueue(.probe, dueAt: Self.start, maxAttempts: 3, at: Self.start) }
            let runners = [Self.runner(db.pool, clock: clock, worker: "a"), Self.runner(db.pool, clock: clock, worker: "b")]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for runner in runners {
                    group.addTask { while try await runner.runNext() != .idle {} }
                }
                try await group.waitForAll()
            }
            let runs = try await store.probeRuns()
            #expect(runs.count == 60)
            #expect(Set(runs.map(\.job)).count == 60)
            #expect(try await store.counts()[.done] == 60)
        }
    }

    @Test("a failing job is retried with growing waits, then parked with its last error")
    func retriesThenParks() async throws {
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Self.start)
            let flaky = FlakyJob()
            let runner = Self.runner(db.pool, clock: clock, handlers: [flaky], worker: "a")
            let id = try #require(try await runner.store.enqueue(.probe, dueAt: Self.start, maxAttempts: 3, at: Self.start))
            #expect(try await runner.runNext() == .retrying(id, at: Self.start.addingTimeInterval(30)))
            #expect(try await runner.runNext() == .idle)  // not due before its wait is over
            clock.advance(by: 30)
            #expect(try await runner.runNext() == .retrying(id, at: Self.start.addingTimeInterval(90)))
            clock.advance(by: 60)
            #expect(try await runner.runNext() == .parked(id))
            let job = try await runner.store.job(id)
            #expect(job.state == .failed)
            #expect(job.attempts == 3)
            #expect(job.lastError == "The upstream source did not answer.")
            #expect(try await runner.store.list(states: [.failed]).map(\.id) == [id])
            clock.advance(by: 86_400)
            #expect(try await runner.runNext() == .idle)
            #expect(flaky.count == 3)
        }
    }

    @Test("a job whose worker stopped is taken again by another when the lease ends, and the late worker's result is ignored")
    func leaseExpiry() async throws {
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Self.start)
            let store = JobStore(database: db.pool)
            let id = try #require(try await store.enqueue(.probe, dueAt: Self.start, maxAttempts: 3, at: Self.start))
            // Worker a takes the job and stops answering (as if killed).
            let taken = try #require(try await store.take(kinds: [.probe], worker: "a", lease: 60, at: Self.start))
            let b = Self.runner(db.pool, clock: clock, worker: "b")
            clock.advance(by: 59)
            #expect(try await b.runNext() == .idle)
            clock.advance(by: 1)
            #expect(try await b.runNext() == .done(id))
            #expect(try await store.probeRuns().map(\.worker) == ["b"])
            // Worker a comes back: its attempt is no longer the job's.
            #expect(try await store.complete(taken, worker: "a", at: clock.now()) == false)
            let job = try await store.job(id)
            #expect(job.state == .done && job.attempts == 2)
        }
    }

    @Test("a job whose workers all died holding it is parked once it has had its attempts")
    func deadWorkersPark() async throws {
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Self.start)
            let store = JobStore(database: db.pool)
            let id = try #require(try await store.enqueue(.probe, dueAt: Self.start, maxAttempts: 2, at: Self.start))
            _ = try #require(try await store.take(kinds: [.probe], worker: "a", lease: 60, at: Self.start))
            _ = try #require(try await store.take(kinds: [.probe], worker: "b", lease: 60, at: Self.start.addingTimeInterval(60)))
            clock.advance(by: 120)
            #expect(try await Self.runner(db.pool, clock: clock, worker: "c").runNext() == .parked(id))
            #expect(try await store.job(id).state == .failed)
            #expect(try await store.probeRuns().isEmpty)
        }
    }

    @Test("recurring jobs are enqueued once per due time, however many schedulers run")
    func dedupe() async throws {
        try await TestDatabase.withDatabase(poolSize: 6) { db in
            let clock = ManualClock(Self.start)
            let runners = (0..<4).map { Self.runner(db.pool, clock: clock, worker: "s\($0)") }
            try await runners[0].ensureSchedules()
            let added = try await withThrowingTaskGroup(of: Int.self) { group in
                for runner in runners { group.addTask { try await runner.enqueueDue() } }
                return try await group.reduce(0, +)
            }
            #expect(added == 1)
            #expect(try await runners[1].enqueueDue() == 0)
            clock.advance(by: 3600 * 5 + 10)
            #expect(try await runners[2].enqueueDue() == 1)
            let keys = try await runners[0].store.list().compactMap(\.dedupeKey).sorted()
            #expect(keys == ["2027-03-01T00:00:00Z", "2027-03-01T05:00:00Z"])
            // The same key again adds nothing.
            #expect(
                try await runners[0].store.enqueue(
                    .housekeeping, dueAt: Self.start, maxAttempts: 3, dedupeKey: "2027-03-01T00:00:00Z", at: clock.now()) == nil)
        }
    }

    @Test("run-due runs what is due at its time, and refuses a time earlier than one already run at")
    func runDue() async throws {
        try await TestDatabase.withDatabase { db in
            let clock = ManualClock(Self.start)
            let runner = Self.runner(db.pool, clock: clock, worker: "run-due")
            let later = Self.start.addingTimeInterval(7200)
            try await runner.store.enqueue(.probe, dueAt: Self.start, maxAttempts: 3, at: Self.start)
            try await runner.store.enqueue(.probe, dueAt: later, maxAttempts: 3, at: Self.start)
            try await runner.store.enqueue(.probe, payload: .object(["fail": .bool(true)]), dueAt: Self.start, maxAttempts: 3, at: Self.start)
            var summary = try await runner.runDue()
            #expect(summary.done == 2)  // one probe and the first housekeeping
            #expect(summary.retrying == 1)
            #expect(try await runner.store.latestRecordedTime() == Self.start)

            clock.set(Self.start.addingTimeInterval(-1))
            do {
                _ = try await runner.runDue()
                Issue.record("run-due ran at a time earlier than one already recorded")
            } catch StoreError.refused(let slug, _) {
                #expect(slug == "time_backwards")
            }
            #expect(try await runner.store.latestRecordedTime() == Self.start)
            clock.set(later)
            summary = try await runner.runDue()
            #expect(summary.done == 2)  // the later probe, and housekeeping once (01:00 and 02:00 collapse into 02:00)
            #expect(summary.retrying == 1)  // the failing probe, second attempt
            #expect(try await runner.store.latestRecordedTime() == later)
        }
    }

    @Test("a due fetch is taken before a check due earlier, so the check reads what the fetch brings; a fetch not yet due waits")
    func fetchFirst() async throws {
        try await TestDatabase.withDatabase { db in
            let store = JobStore(database: db.pool)
            // A run-due at 10:05 after a jump: the hourly check is due at 10:00, the fetch at 10:05.
            let check = try #require(try await store.enqueue(.runChecks, dueAt: Self.start.addingTimeInterval(-300), maxAttempts: 3, at: Self.start))
            let delivery = try #require(
                try await store.enqueue(.deliverNotifications, dueAt: Self.start.addingTimeInterval(-600), maxAttempts: 3, at: Self.start))
            let fetch = try #require(try await store.enqueue(.fetchSnapshots, dueAt: Self.start, maxAttempts: 3, at: Self.start))
            let later = try #require(
                try await store.enqueue(.fetchSnapshots, dueAt: Self.start.addingTimeInterval(60), maxAttempts: 3, at: Self.start))
            var taken: [Int64] = []
            while let job = try await store.take(
                kinds: [.runChecks, .deliverNotifications, .fetchSnapshots], worker: "a", lease: 60, at: Self.start)
            {
                taken.append(job.id)
            }
            #expect(taken == [fetch, delivery, check])
            #expect(try await store.job(later).state == .queued)
        }
    }

    @Test("housekeeping removes expired sessions, old sign-in attempts and old account links as of the clock's time, and is idempotent")
    func housekeeping() async throws {
        try await TestDatabase.withDatabase { db in
            let user = UUID()
            try await db.pool.execute(
                "INSERT INTO users (id, email, display_name, password_hash, role) VALUES (\(user), 'h@example.net', 'H', 'x', 'applicant')")
            for (secret, expires) in [(Data(repeating: 1, count: 32), -60.0), (Data(repeating: 2, count: 32), 60.0)] {
                try await db.pool.execute(
                    """
                    INSERT INTO sessions (secret_sha256, user_id, csrf_token, expires_at)
                    VALUES (\(secret), \(user), 'c', \(Self.start.addingTimeInterval(expires)))
                    """)
            }
            try await db.pool.execute(
                "INSERT INTO login_attempts (email, address, succeeded, at) VALUES ('h@example.net', '192.0.2.1', false, \(Self.start.addingTimeInterval(-7200)))"
            )
            try await db.pool.execute(
                "INSERT INTO login_attempts (email, address, succeeded, at) VALUES ('h@example.net', '192.0.2.1', true, \(Self.start.addingTimeInterval(-7200)))"
            )
            // Account links: used long ago, expired long ago (never used), used recently, expired
            // recently, and still live. Only the first two are past the retention.
            let day = 86_400.0
            let retention = AccountLinkPurpose.retention
            let links: [(UInt8, created: Double, expires: Double, used: Double?)] = [
                (1, -retention - 2 * day, -retention - 2 * day + 3600, -retention - 2 * day + 60),
                (2, -retention - 3 * day, -retention - day, nil),
                (3, -2 * day, -2 * day + 3600, -day),
                (4, -3 * day, -day, nil),
                (5, -60, 3540, nil),
            ]
            for link in links {
                try await db.pool.execute(
                    """
                    INSERT INTO account_tokens (secret_sha256, user_id, purpose, created_at, expires_at, used_at)
                    VALUES (\(Data(repeating: link.0, count: 32)), \(user), 'reset_password', \(Self.start.addingTimeInterval(link.created)),
                            \(Self.start.addingTimeInterval(link.expires)), \(link.used.map { Self.start.addingTimeInterval($0) }))
                    """)
            }
            let housekeeping = Housekeeping(database: db.pool)
            let removed = try await housekeeping.purge(at: Self.start)
            #expect(removed == Housekeeping.Removed(sessions: 1, idempotencyKeys: 0, loginAttempts: 1, accountLinks: 2))
            #expect(
                try await housekeeping.purge(at: Self.start)
                    == Housekeeping.Removed(sessions: 0, idempotencyKeys: 0, loginAttempts: 0, accountLinks: 0))
            #expect(try await db.pool.query("SELECT count(*) FROM sessions")[0].decode(0, as: Int.self) == 1)
            let kept = try await db.pool.query("SELECT get_byte(secret_sha256, 0) FROM account_tokens ORDER BY 1").map {
                try $0.decode(0, as: Int.self)
            }
            #expect(kept == [3, 4, 5])
        }
    }
}
