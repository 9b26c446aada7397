import Foundation

/// What a background job does. Each kind has one handler, registered in the composition root;
/// a stored kind this build does not know is an error, never skipped silently.
public enum JobKind: String, Sendable, CaseIterable, Codable {
    /// Removes what no rule reads any more: expired sessions and idempotency keys, old sign-in attempts.
    case housekeeping
    /// Does nothing but record which worker ran it: shows that workers are alive and that each
    /// job runs once (`manrs-plus jobs enqueue probe`).
    case probe
    /// Sends the outbox's due notifications (email, webhooks), every few seconds.
    case deliverNotifications = "deliver_notifications"
    // Issue 12 §3/§4 (checks helper):
    /// Measures the certifications in force whose cadence says a check is due, records the
    /// results and applies what they make happen.
    case runChecks = "run_checks"
    /// Lets time pass for certifications whose deadline or validity ended; sends reminders.
    case enforcementTimers = "enforcement_timers"
    /// Fetches the snapshot sources that are due (`SNAPSHOT_SOURCES`) and imports what changed.
    case fetchSnapshots = "fetch_snapshots"
    /// Measures every origin ASN's readiness from the newest VRP and routes snapshot pair, when
    /// that pair is new (bulk checks show it for ASNs without a mark).
    case measureReadiness = "measure_readiness"
    /// Tells the auditors, once per item and threshold, of review items near (one working day)
    /// or past their due time, every quarter of an hour.
    case reviewReminders = "review_reminders"
    /// Opens the re-attestations and recertifications that are due (review item, participant
    /// and auditors told, once) and warns for re-attestations missed (issue 12 §3).
    case renewals
}

/// Where a job is in its life.
public enum JobState: String, Sendable, CaseIterable, Codable {
    /// Waiting for its due time, or for a retry.
    case queued
    /// Taken by a worker whose lease has not ended.
    case running
    /// Finished successfully.
    case done
    /// Parked: it failed on every attempt; an admin sees the last error.
    case failed
}

/// How a failed job is retried: waits that double from `baseDelay` up to `maxDelay`, and at most
/// `maxAttempts` runs in all before the job is parked.
public struct JobRetryPolicy: Sendable, Equatable {
    public var baseDelay: TimeInterval
    public var maxDelay: TimeInterval
    public var maxAttempts: Int

    public init(baseDelay: TimeInterval = 30, maxDelay: TimeInterval = 3600, maxAttempts: Int = 5) {
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxAttempts = maxAttempts
    }

    /// The wait after the `attempt`-th failed run (1 for the first): base, 2×base, 4×base, … up to `maxDelay`.
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let doublings = max(0, min(attempt - 1, 40))
        return min(maxDelay, baseDelay * pow(2, Double(doublings)))
    }
}

/// What happens to a job after a run failed.
public enum JobRetry: Sendable, Equatable {
    /// Queue it again, due at this time.
    case retry(at: Date)
    /// It has used all its attempts: park it as failed.
    case park
}

/// The pure rules of the job queue.
public enum JobRules {
    /// After the `attempts`-th run failed at `now`: retry after the policy's wait, or park.
    public static func afterFailure(attempts: Int, maxAttempts: Int, policy: JobRetryPolicy, at now: Date) -> JobRetry {
        attempts >= maxAttempts ? .park : .retry(at: now.addingTimeInterval(policy.delay(afterAttempt: attempts)))
    }

    /// Whether a job due at `dueAt` may run at `now` (exactly at its due time it may).
    public static func isDue(_ dueAt: Date, at now: Date) -> Bool { dueAt <= now }

    /// Whether a running job's lease has ended at `now`, so another worker may take it again
    /// (exactly at `leaseUntil` it has). A job without a lease is not held by anyone.
    public static func leaseExpired(_ leaseUntil: Date?, at now: Date) -> Bool {
        guard let leaseUntil else { return true }
        return leaseUntil <= now
    }

    /// A taken job that has already had all its runs (its workers died holding it) is parked, not run again.
    public static func mustPark(attempts: Int, maxAttempts: Int) -> Bool { attempts > maxAttempts }

    /// Time never runs backwards: refuses to run the jobs at `requested` when the database has
    /// already recorded a later time.
    public static func timeRefusal(requested: Date, latestRecorded: Date?) -> Refusal? {
        guard let latestRecorded, requested < latestRecorded else { return nil }
        let format = ISO8601DateFormatter()
        return Refusal(
            "time_backwards",
            "The database has already recorded \(format.string(from: latestRecorded)); jobs cannot be run at the earlier time "
                + "\(format.string(from: requested)).")
    }

    /// The kinds taken before any other due job, whatever their due times: the jobs that bring
    /// data in. A check or readiness run due a moment before a pending fetch (a `run-due` that
    /// jumps, a busy worker) then reads what the fetch brings, not the snapshot it replaces.
    public static let takenFirst: [JobKind] = [.fetchSnapshots]
}

/// A job that comes back every `interval` seconds.
public struct JobSchedule: Sendable, Equatable {
    public let kind: JobKind
    public let interval: TimeInterval

    public init(kind: JobKind, interval: TimeInterval) {
        self.kind = kind
        self.interval = interval
    }

    /// At `now`, with the next run due at `nextDue`: the due time to enqueue (nil when not yet
    /// due) and the next due time after it. Runs missed while nothing ran (downtime, a jump with
    /// `run-due`) collapse into one, at the latest missed due time, so catching up does the work
    /// once, not once per missed interval.
    public func due(next nextDue: Date, at now: Date) -> (enqueue: Date, following: Date)? {
        guard JobRules.isDue(nextDue, at: now), interval > 0 else { return nil }
        let missed = (now.timeIntervalSince(nextDue) / interval).rounded(.down)
        let latest = nextDue.addingTimeInterval(missed * interval)
        return (latest, latest.addingTimeInterval(interval))
    }

    /// The key that makes a recurring job enqueued once per due time, however many schedulers run.
    public static func dedupeKey(for due: Date) -> String {
        ISO8601DateFormatter().string(from: due)
    }
}
