import Canonical
import Domain
import Foundation
import Postgres

/// One job as stored.
public struct Job: Sendable, Equatable {
    public let id: Int64
    public let kind: JobKind
    public let payload: JSONValue
    public let state: JobState
    public let dueAt: Date
    /// Runs started so far, this one included when the job is running.
    public let attempts: Int
    public let maxAttempts: Int
    public let leaseUntil: Date?
    public let leasedBy: String?
    public let lastError: String?
    public let dedupeKey: String?
    public let createdAt: Date
    public let finishedAt: Date?
}

/// The job queue's SQL. Every time is the caller's clock, bound as a value; the database's own
/// `now()` decides nothing.
public struct JobStore: Sendable {
    public let database: PostgresPool

    public init(database: PostgresPool) { self.database = database }

    static let columns =
        "id, kind, payload, state, due_at, attempts, max_attempts, lease_until, leased_by, last_error, dedupe_key, created_at, finished_at"

    static func decodeJob(_ row: PostgresRow) throws -> Job {
        Job(
            id: try row.decode("id"), kind: try row.decode("kind", as: JobKind.self),
            payload: try row.decode("payload", as: JSONB<JSONValue>.self).value,
            state: try row.decode("state", as: JobState.self), dueAt: try row.decode("due_at"), attempts: try row.decode("attempts"),
            maxAttempts: try row.decode("max_attempts"), leaseUntil: try row.decode("lease_until"), leasedBy: try row.decode("leased_by"),
            lastError: try row.decode("last_error"), dedupeKey: try row.decode("dedupe_key"), createdAt: try row.decode("created_at"),
            finishedAt: try row.decode("finished_at"))
    }

    /// Queues a job; with a `dedupeKey` already used for this kind, nothing is added and nil is returned.
    @discardableResult
    public func enqueue(
        _ kind: JobKind, payload: JSONValue = .object([:]), dueAt: Date, maxAttempts: Int, dedupeKey: String? = nil, at now: Date
    ) async throws -> Int64? {
        try await database.withConnection { connection in
            try await Self.enqueue(kind, payload: payload, dueAt: dueAt, maxAttempts: maxAttempts, dedupeKey: dedupeKey, at: now, on: connection)
        }
    }

    /// `enqueue` in the caller's transaction, so a job is queued with the change that causes it.
    @discardableResult
    public static func enqueue(
        _ kind: JobKind, payload: JSONValue = .object([:]), dueAt: Date, maxAttempts: Int, dedupeKey: String? = nil, at now: Date,
        on connection: PostgresConnection
    ) async throws -> Int64? {
        let rows = try await connection.query(
            """
            INSERT INTO jobs (kind, payload, due_at, max_attempts, dedupe_key, created_at)
            VALUES (\(kind.rawValue), \(JSONB(payload)), \(dueAt), \(maxAttempts), \(dedupeKey), \(now))
            ON CONFLICT (kind, dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING
            RETURNING id
            """)
        return try rows.first.map { try $0.decode("id", as: Int64.self) }
    }

    /// Takes the next job of `kinds` that is due at `now`, or whose worker's lease has ended, and
    /// leases it to `worker` until `now + lease`: the kinds `JobRules.takenFirst` before the
    /// others, then by due time. Concurrent workers skip each other's rows.
    public func take(kinds: [JobKind], worker: String, lease: TimeInterval, at now: Date) async throws -> Job? {
        let rows = try await database.query(
            """
            UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = \(now.addingTimeInterval(lease)),
                leased_by = \(worker)
            WHERE id = (
                SELECT id FROM jobs
                WHERE kind = ANY(\(kinds.map(\.rawValue)))
                  AND ((state = 'queued' AND due_at <= \(now)) OR (state = 'running' AND lease_until <= \(now)))
                ORDER BY kind = ANY(\(JobRules.takenFirst.map(\.rawValue))) DESC, due_at, id LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING \(unsafeRaw: Self.columns)
            """)
        return try rows.first.map(Self.decodeJob)
    }

    /// Marks the run done, if `worker` still holds this attempt (a worker whose lease ended and
    /// whose job was taken again changes nothing). Returns whether it did.
    @discardableResult
    public func complete(_ job: Job, worker: String, at now: Date) async throws -> Bool {
        try await database.execute(
            """
            UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = \(now), last_error = NULL
            WHERE id = \(job.id) AND state = 'running' AND leased_by = \(worker) AND attempts = \(job.attempts)
            """) == 1
    }

    /// Extends a running job's lease to `lease` seconds after `now`; false when this worker no
    /// longer holds this attempt (its lease ended and another worker took the job).
    @discardableResult
    public func renew(_ job: Job, worker: String, lease: TimeInterval, at now: Date) async throws -> Bool {
        try await database.execute(
            """
            UPDATE jobs SET lease_until = \(now.addingTimeInterval(lease))
            WHERE id = \(job.id) AND state = 'running' AND leased_by = \(worker) AND attempts = \(job.attempts)
            """) == 1
    }

    /// Records a failed run: queued again at `retry`'s time, or parked as failed, with the error.
    @discardableResult
    public func fail(_ job: Job, worker: String, error: String, retry: JobRetry, at now: Date) async throws -> Bool {
        let message = String(error.prefix(2000))
        switch retry {
        case .retry(let dueAt):
            return try await database.execute(
                """
                UPDATE jobs SET state = 'queued', lease_until = NULL, leased_by = NULL, due_at = \(dueAt), last_error = \(message)
                WHERE id = \(job.id) AND state = 'running' AND leased_by = \(worker) AND attempts = \(job.attempts)
                """) == 1
        case .park:
            return try await database.execute(
                """
                UPDATE jobs SET state = 'failed', lease_until = NULL, finished_at = \(now), last_error = \(message)
                WHERE id = \(job.id) AND state = 'running' AND leased_by = \(worker) AND attempts = \(job.attempts)
                """) == 1
        }
    }

    /// One job by id.
    public func job(_ id: Int64) async throws -> Job {
        guard let row = try await database.query("SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE id = \(id)").first else {
            throw StoreError.notFound("There is no job \(id).")
        }
        return try Self.decodeJob(row)
    }

    /// The queue, newest first: all jobs, or those in `states`.
    public func list(states: [JobState] = JobState.allCases, limit: Int = 100) async throws -> [Job] {
        try await database.query(
            """
            SELECT \(unsafeRaw: Self.columns) FROM jobs WHERE state = ANY(\(states.map(\.rawValue)))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodeJob)
    }

    /// How many jobs are in each state.
    public func counts() async throws -> [JobState: Int] {
        var counts: [JobState: Int] = [:]
        for row in try await database.query("SELECT state, count(*)::bigint AS n FROM jobs GROUP BY state") {
            counts[try row.decode("state", as: JobState.self)] = try row.decode("n", as: Int.self)
        }
        return counts
    }

    // MARK: Recurring jobs

    /// Adds the schedule if it is new (first due at `firstDue`); an existing one keeps its next due
    /// time but takes `schedule`'s interval.
    public func ensure(_ schedule: JobSchedule, firstDue: Date) async throws {
        try await database.execute(
            """
            INSERT INTO job_schedules (kind, interval_seconds, next_due_at)
            VALUES (\(schedule.kind.rawValue), \(Int(schedule.interval)), \(firstDue))
            ON CONFLICT (kind) DO UPDATE SET interval_seconds = EXCLUDED.interval_seconds
            """)
    }

    /// Enqueues every recurring job due at `now`, once per due time whatever other schedulers do
    /// (the schedule row is locked and the dedupe key is the due time). Returns the jobs added.
    @discardableResult
    public func enqueueDueSchedules(maxAttempts: Int, at now: Date) async throws -> [Int64] {
        try await database.transaction { connection in
            var added: [Int64] = []
            let rows = try await connection.query(
                "SELECT kind, interval_seconds, next_due_at FROM job_schedules WHERE next_due_at <= \(now) ORDER BY kind FOR UPDATE SKIP LOCKED")
            for row in rows {
                let schedule = JobSchedule(
                    kind: try row.decode("kind", as: JobKind.self), interval: TimeInterval(try row.decode("interval_seconds", as: Int.self)))
                guard let due = schedule.due(next: try row.decode("next_due_at"), at: now) else { continue }
                if let id = try await Self.enqueue(
                    schedule.kind, dueAt: due.enqueue, maxAttempts: maxAttempts, dedupeKey: JobSchedule.dedupeKey(for: due.enqueue), at: now,
                    on: connection)
                {
                    added.append(id)
                }
                try await connection.execute(
                    "UPDATE job_schedules SET next_due_at = \(due.following) WHERE kind = \(schedule.kind.rawValue)")
            }
            return added
        }
    }

    // MARK: Time

    /// The latest time jobs have run at: the latest `run-due` time, or a job's finishing time
    /// (nil before the first run).
    public func latestRecordedTime() async throws -> Date? {
        try await database.query("SELECT greatest(latest, (SELECT max(finished_at) FROM jobs)) AS latest FROM job_clock")[0].decode("latest")
    }

    /// Records `now` as the jobs' time, refusing (`StoreError.refused`, `time_backwards`) a time
    /// earlier than one already recorded.
    public func advanceTime(to now: Date) async throws {
        try await database.transaction { connection in
            try await connection.execute("SELECT 1 FROM job_clock FOR UPDATE")
            let latest: Date? = try await connection.query(
                "SELECT greatest(latest, (SELECT max(finished_at) FROM jobs)) AS latest FROM job_clock")[0].decode("latest")
            if let refusal = JobRules.timeRefusal(requested: now, latestRecorded: latest) {
                throw StoreError.refused(slug: refusal.code, detail: refusal.message)
            }
            try await connection.execute("UPDATE job_clock SET latest = \(now)")
        }
    }

    // MARK: Probe jobs

    /// Records that `worker` ran probe job `job` at `now`.
    public func recordProbe(job: Int64, worker: String, at now: Date) async throws {
        try await database.execute("INSERT INTO job_probe_runs (job_id, worker, at) VALUES (\(job), \(worker), \(now))")
    }

    /// Every probe run: job id and worker, in the order they ran.
    public func probeRuns() async throws -> [(job: Int64, worker: String)] {
        try await database.query("SELECT job_id, worker FROM job_probe_runs ORDER BY at, job_id").map {
            (try $0.decode("job_id", as: Int64.self), try $0.decode("worker", as: String.self))
        }
    }
}
