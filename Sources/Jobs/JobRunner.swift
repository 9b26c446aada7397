import Domain
import Foundation
import Logging
import Store

/// How the queue runs: leases, polling, retries and the recurring jobs.
public struct JobConfiguration: Sendable, Equatable {
    /// How long a worker holds a job it took; after that another worker may take it again.
    public var lease: TimeInterval
    /// How long an idle worker waits before looking for due jobs again.
    public var pollInterval: TimeInterval
    public var retry: JobRetryPolicy
    /// The recurring jobs and their intervals.
    public var schedules: [JobSchedule]

    public init(
        lease: TimeInterval = 300, pollInterval: TimeInterval = 1, retry: JobRetryPolicy = JobRetryPolicy(),
        schedules: [JobSchedule] = [JobSchedule(kind: .housekeeping, interval: 3600)]
    ) {
        self.lease = lease
        self.pollInterval = pollInterval
        self.retry = retry
        self.schedules = schedules
    }
}

/// Takes due jobs and runs them with their handlers: the one loop body the worker service, the
/// scheduler and `jobs run-due` share.
public struct JobRunner: Sendable {
    public let store: JobStore
    public let registry: JobRegistry
    public let configuration: JobConfiguration
    public let clock: any WallClock
    /// This worker's name in `leased_by`: host, process and a random part.
    public let worker: String
    public let logger: Logger

    public init(
        store: JobStore, registry: JobRegistry, configuration: JobConfiguration, clock: any WallClock, logger: Logger, worker: String? = nil
    ) {
        self.store = store
        self.registry = registry
        self.configuration = configuration
        self.clock = clock
        self.logger = logger
        self.worker =
            worker ?? "\(ProcessInfo.processInfo.hostName)/\(ProcessInfo.processInfo.processIdentifier)/\(UUID().uuidString.prefix(8))"
    }

    /// Adds the configured schedules that are not in the database yet, first due now.
    public func ensureSchedules() async throws {
        let now = clock.now()
        for schedule in configuration.schedules { try await store.ensure(schedule, firstDue: now) }
    }

    /// Enqueues the recurring jobs due now; returns how many were added.
    @discardableResult
    public func enqueueDue() async throws -> Int {
        try await store.enqueueDueSchedules(maxAttempts: configuration.retry.maxAttempts, at: clock.now()).count
    }

    /// What one call to `runNext` did.
    public enum Outcome: Sendable, Equatable {
        case idle
        case done(Int64)
        case retrying(Int64, at: Date)
        case parked(Int64)
        /// Another worker took the job over after this one's lease ended; nothing was recorded.
        case lostLease(Int64)
    }

    /// Takes one due job (or one whose lease ended) and runs it: done, retried with backoff, or
    /// parked once it has had all its attempts.
    @discardableResult
    public func runNext() async throws -> Outcome {
        let now = clock.now()
        guard let job = try await store.take(kinds: registry.kinds, worker: worker, lease: configuration.lease, at: now) else {
            return .idle
        }
        let metadata: Logger.Metadata = ["job.id": "\(job.id)", "job.kind": "\(job.kind.rawValue)", "job.attempt": "\(job.attempts)"]
        if JobRules.mustPark(attempts: job.attempts, maxAttempts: job.maxAttempts) {
            let error = job.lastError ?? "Its worker stopped before finishing, on every attempt."
            try await store.fail(job, worker: worker, error: error, retry: .park, at: now)
            logger.warning("Job parked", metadata: metadata)
            return .parked(job.id)
        }
        guard let handler = registry.handler(for: job.kind) else { return .idle }
        // Renews the lease while the handler runs (every third of it), so only a worker that
        // stopped loses its job, however long the job takes (a full table's fetch and import).
        let renewal = Task { [store, worker, clock, lease = configuration.lease] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(max(100, Int(lease * 1000 / 3))))
                guard !Task.isCancelled, (try? await store.renew(job, worker: worker, lease: lease, at: clock.now())) == true else { return }
            }
        }
        defer { renewal.cancel() }
        do {
            try await handler.run(job, at: now, worker: worker)
            renewal.cancel()
        } catch {
            renewal.cancel()
            let finished = clock.now()
            let retry = JobRules.afterFailure(attempts: job.attempts, maxAttempts: job.maxAttempts, policy: configuration.retry, at: finished)
            let held = try await store.fail(job, worker: worker, error: "\(error)", retry: retry, at: finished)
            logger.warning("Job failed", metadata: metadata.merging(["error": "\(error)"]) { $1 })
            guard held else { return .lostLease(job.id) }
            switch retry {
            case .retry(let at): return .retrying(job.id, at: at)
            case .park: return .parked(job.id)
            }
        }
        guard try await store.complete(job, worker: worker, at: clock.now()) else {
            logger.warning("Job finished after its lease ended", metadata: metadata)
            return .lostLease(job.id)
        }
        logger.debug("Job done", metadata: metadata)
        return .done(job.id)
    }

    /// What `runDue` did.
    public struct Summary: Sendable, Equatable {
        public var done = 0
        public var retrying = 0
        public var parked = 0
        public init() {}
    }

    /// Runs everything due at the clock's time, until nothing is: records the time (refusing one
    /// earlier than the database has recorded), enqueues due recurring jobs, runs jobs. A job that
    /// fails is retried after its backoff, later than now, so this ends.
    public func runDue() async throws -> Summary {
        try await store.advanceTime(to: clock.now())
        try await ensureSchedules()
        try await enqueueDue()
        var summary = Summary()
        while true {
            switch try await runNext() {
            case .idle: return summary
            case .done: summary.done += 1
            case .retrying: summary.retrying += 1
            case .parked: summary.parked += 1
            case .lostLease: break
            }
        }
    }
}
