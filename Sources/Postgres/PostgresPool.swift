import Logging
import Metrics
import Synchronization

/// A bounded pool of connections with fair (first come, first served) waiting.
///
/// ```swift
/// let pool = PostgresPool(configuration: .init(connectionString: url), logger: logger)
/// let rows = try await pool.query("SELECT id FROM participants WHERE country = \(country)")
/// try await pool.transaction { tx in
///     try await tx.execute("UPDATE …")
/// }
/// ```
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    let logger: Logger
    let metrics: PostgresMetrics
    private let state: Mutex<State>

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        let handoff: HandoffExecutor
        let deadline: Int64
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var created = 0
        var inUse = 0
        var waiters: [Waiter] = []
        var waiterHead = 0
        var nextWaiterID = 0
        /// Waiters that have an id but are not queued yet, and failures that reached them early.
        var unregistered: Set<Int> = []
        var earlyFailures: [Int: any Error] = [:]
        var closed = false
        /// True while a sweeper task is failing waiters past their deadline.
        var sweeping = false

        var hasWaiters: Bool { waiterHead < waiters.count }

        mutating func popWaiter() -> Waiter? {
            guard hasWaiters else { return nil }
            let waiter = waiters[waiterHead]
            waiterHead += 1
            if waiterHead > 64 && waiterHead * 2 > waiters.count {
                waiters.removeFirst(waiterHead)
                waiterHead = 0
            }
            return waiter
        }

        mutating func removeWaiter(id: Int) -> Waiter? {
            guard let index = waiters[waiterHead...].firstIndex(where: { $0.id == id }) else { return nil }
            return waiters.remove(at: index)
        }
    }

    public init(
        configuration: PostgresConfiguration,
        logger: Logger,
        name: String = "main",
        metricsFactory: any MetricsFactory = MetricsSystem.factory
    ) {
        precondition(configuration.poolSize > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.logger = logger
        self.metrics = PostgresMetrics(pool: name, factory: metricsFactory)
        self.state = Mutex(State())
    }

    // MARK: Leasing

    /// Lends a connection to `body`, which runs on that connection's thread; returns it afterwards.
    @discardableResult
    public func withConnection<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        let start = monotonicNanoseconds()
        switch takeImmediately() {
        case .ready(let connection):
            metrics.waitDuration.recordNanoseconds(monotonicNanoseconds() - start)
            return try await lease(connection, handoff: nil, body)
        case .create:
            metrics.waitDuration.recordNanoseconds(monotonicNanoseconds() - start)
            return try await lease(makeConnection(), handoff: nil, body)
        case .failed(let error):
            throw error
        case .wait:
            // Wait under a handoff executor: when a lease ends and hands its connection to this
            // waiter, the waiter resumes directly on that connection's thread, queued behind the
            // lease that is ending there, instead of via the cooperative pool and another hop.
            let handoff = HandoffExecutor()
            return try await withTaskExecutorPreference(handoff) {
                let connection = try await waitForConnection(handoff: handoff, since: start)
                metrics.waitDuration.recordNanoseconds(monotonicNanoseconds() - start)
                return try await lease(connection, handoff: handoff, body)
            }
        }
    }

    /// Runs `body` on the connection's thread and gives the connection back from there.
    private func lease<Result>(
        _ connection: PostgresConnection,
        handoff: HandoffExecutor?,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await connection.withThreadPreference {
            connection.checkIdleSession()
            defer {
                connection.resetAfterLease()
                // This task leaves the connection's thread; only the next holder goes there.
                handoff?.route(to: nil)
                release(connection)
            }
            return try await body(connection)
        }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: SQL) async throws -> PostgresRows {
        try await withConnection { try await $0.query(sql) }
    }

    /// Runs one statement on a pooled connection and returns the rows it affected.
    @discardableResult
    public func execute(_ sql: SQL) async throws -> Int {
        try await withConnection { try await $0.execute(sql) }
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// With `retry`, a serialization failure or deadlock runs the whole closure again, up to
    /// `retry.maxAttempts` times in all, so the closure must do nothing outside the database.
    @discardableResult
    public func transaction<Result>(
        isolation: PostgresIsolationLevel = .readCommitted,
        retry: TransactionRetry = .never,
        _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.transaction(isolation: isolation, body)
                }
            } catch let error as PostgresError where error.isTransient && attempt < retry.maxAttempts {
                logger.debug("Retrying transaction", metadata: ["db.error": "\(error)", "db.attempt": "\(attempt)"])
                attempt += 1
                try await Task.sleep(for: retry.backoff * attempt)
            }
        }
    }

    /// Sends a notification on `channel`; both are bound values.
    public func notify(channel: String, payload: String) async throws {
        try await query("SELECT pg_notify(\(channel), \(payload))")
    }

    // MARK: Acquire and release

    private enum Acquisition {
        case ready(PostgresConnection)
        case create
        case failed(PostgresError)
        case wait
    }

    private func takeImmediately() -> Acquisition {
        state.withLock { state in
            if state.closed { return .failed(PostgresError(code: .poolClosed)) }
            return take(from: &state) ?? .wait
        }
    }

    /// An idle connection, or a reservation to open a new one, when the pool has either; called
    /// under the lock.
    private func take(from state: inout State) -> Acquisition? {
        if let connection = state.idle.popLast() {
            state.inUse += 1
            metrics.inUse.record(state.inUse)
            return .ready(connection)
        }
        if state.created < configuration.poolSize {
            state.created += 1
            state.inUse += 1
            metrics.connections.record(state.created)
            metrics.inUse.record(state.inUse)
            return .create
        }
        return nil
    }

    private func makeConnection() -> PostgresConnection {
        PostgresConnection(configuration: configuration, logger: logger, metrics: metrics)
    }

    private func waitForConnection(handoff: HandoffExecutor, since start: Int64) async throws -> PostgresConnection {
        let id = state.withLock { state in
            state.nextWaiterID += 1
            state.unregistered.insert(state.nextWaiterID)
            return state.nextWaiterID
        }
        let timeout = configuration.acquireTimeout
        let deadline = start + Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                // Check again under the lock: a connection may have come back since `takeImmediately`.
                let immediate: Result<PostgresConnection, any Error>? = state.withLock { state in
                    state.unregistered.remove(id)
                    if let error = state.earlyFailures.removeValue(forKey: id) { return .failure(error) }
                    if state.closed { return .failure(PostgresError(code: .poolClosed)) }
                    switch take(from: &state) {
                    case .ready(let connection): return .success(connection)
                    case .create: return .success(makeConnection())
                    default: break
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation, handoff: handoff, deadline: deadline))
                    metrics.waiting.record(state.waiters.count - state.waiterHead)
                    if !state.sweeping {
                        state.sweeping = true
                        startSweeper()
                    }
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            failWaiter(id: id, with: CancellationError())
        }
    }

    /// Fails waiters whose deadline has passed; runs only while anyone waits, so an idle pool
    /// has no timer. One task for all waiters: a timer task per wait cost about 7% of the
    /// pool's throughput under contention.
    private func startSweeper() {
        let timeout = configuration.acquireTimeout
        let interval = max(min(timeout / 10, .milliseconds(100)), .milliseconds(1))
        Task { [weak self] in
            while true {
                try? await Task.sleep(for: interval)
                guard let self else { return }
                let now = monotonicNanoseconds()
                let (expired, keepGoing) = self.state.withLock { state -> ([Waiter], Bool) in
                    let pending = state.waiters[state.waiterHead...]
                    let expired = pending.filter { $0.deadline <= now }
                    if !expired.isEmpty {
                        let ids = Set(expired.map(\.id))
                        state.waiters.removeAll { ids.contains($0.id) && $0.deadline <= now }
                        state.waiterHead = min(state.waiterHead, state.waiters.count)
                    }
                    state.sweeping = state.hasWaiters && !state.closed
                    return (expired, state.sweeping)
                }
                for waiter in expired {
                    self.metrics.acquireTimeouts.increment()
                    waiter.continuation.resume(throwing: PostgresError(code: .poolTimeout, message: "no connection became free within \(timeout)"))
                }
                if !keepGoing { return }
            }
        }
    }

    private func failWaiter(id: Int, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            if state.unregistered.contains(id) {
                state.earlyFailures[id] = error
                return nil
            }
            let waiter = state.removeWaiter(id: id)
            metrics.waiting.record(state.waiters.count - state.waiterHead)
            return waiter
        }
        guard let waiter else { return }
        waiter.continuation.resume(throwing: error)
    }

    func release(_ connection: PostgresConnection) {
        enum Next {
            case handOver(Waiter)
            case idle
            case close
        }
        let next: Next = state.withLock { state in
            if state.closed {
                state.inUse -= 1
                state.created -= 1
                return .close
            }
            if let waiter = state.popWaiter() {
                metrics.waiting.record(state.waiters.count - state.waiterHead)
                return .handOver(waiter)
            }
            state.inUse -= 1
            metrics.inUse.record(state.inUse)
            state.idle.append(connection)
            return .idle
        }
        switch next {
        case .handOver(let waiter):
            waiter.handoff.route(to: connection.thread)
            waiter.continuation.resume(returning: connection)
        case .idle: break
        case .close: Task { await connection.close() }
        }
    }

    /// Fails every waiter, closes idle connections, and closes busy ones as they come back.
    public func close() async {
        let (idle, waiters) = state.withLock { state in
            state.closed = true
            let idle = state.idle
            state.created -= idle.count
            state.idle = []
            let waiters = Array(state.waiters[state.waiterHead...])
            state.waiters = []
            state.waiterHead = 0
            return (idle, waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: PostgresError(code: .poolClosed)) }
        for connection in idle { await connection.close() }
        metrics.connections.record(0)
    }

    /// Connections currently open or being opened, and how many are lent out.
    public var statistics: (connections: Int, inUse: Int, waiting: Int) {
        state.withLock { ($0.created, $0.inUse, $0.waiters.count - $0.waiterHead) }
    }
}

/// How many times `PostgresPool.transaction` runs its closure when the database reports a
/// serialization failure (40001) or a deadlock (40P01).
public struct TransactionRetry: Sendable {
    public var maxAttempts: Int
    public var backoff: Duration

    public init(maxAttempts: Int, backoff: Duration = .milliseconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = backoff
    }

    public static let never = TransactionRetry(maxAttempts: 1)
    public static func onSerializationFailure(maxAttempts: Int = 5) -> TransactionRetry {
        TransactionRetry(maxAttempts: maxAttempts)
    }
}

/// The executor a waiting task prefers: the cooperative pool until a connection is handed to it,
/// then that connection's thread, so the task wakes up where its lease will run.
final class HandoffExecutor: TaskExecutor, @unchecked Sendable {
    private let target = Mutex<ConnectionThread?>(nil)

    func route(to thread: ConnectionThread?) {
        target.withLock { $0 = thread }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if let thread = target.withLock({ $0 }) {
            thread.enqueue(job)
        } else {
            globalConcurrentExecutor.enqueue(job)
        }
    }
}
