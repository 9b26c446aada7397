import CLibPQ
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a listener delivers.
public enum PostgresListenerEvent: Sendable, Equatable {
    /// The first session listens on every channel: from now on no notification is missed.
    case listening
    /// A `NOTIFY` on one of the channels.
    case notification(channel: String, payload: String)
    /// The session broke: until `reconnected`, notifications are lost, so a consumer that caches
    /// (invalidates on notification) must stop trusting its cache now.
    case disconnected
    /// The session was opened again after it broke. Notifications sent meanwhile were lost, so a
    /// consumer that caches should drop its whole cache now.
    case reconnected
}

/// Listens on channels with a session of its own and survives reconnects.
///
/// ```swift
/// let listener = PostgresListener(configuration: config, channels: ["cache_invalidation"], logger: logger)
/// Task { try await listener.run() }
/// for await event in listener.events { … }
/// ```
public final class PostgresListener: Sendable {
    public let events: AsyncStream<PostgresListenerEvent>
    private let continuation: AsyncStream<PostgresListenerEvent>.Continuation
    private let configuration: PostgresConfiguration
    private let channels: [String]
    private let logger: Logger
    private let thread: ConnectionThread
    private let ready: Mutex<[CheckedContinuation<Void, Never>]?> = Mutex([])

    public init(configuration: PostgresConfiguration, channels: [String], logger: Logger) {
        (events, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
        self.thread = ConnectionThread()
    }

    deinit {
        thread.shutdown()
    }

    /// Waits until the first session is listening on every channel.
    public func waitUntilListening() async {
        await withCheckedContinuation { continuation in
            let alreadyReady = ready.withLock { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters!.append(continuation)
                return false
            }
            if alreadyReady { continuation.resume() }
        }
    }

    /// Listens until the task is cancelled; reconnects with backoff when the session breaks.
    public func run() async throws {
        try await withTaskExecutorPreference(thread) {
            try await self.loop()
        }
    }

    @concurrent
    private func loop() async throws {
        defer { continuation.finish() }
        var backoff: Duration = .milliseconds(100)
        var everConnected = false
        while !Task.isCancelled {
            let handle: ConnectionHandle
            do {
                handle = ConnectionHandle(try PostgresConnection.connect(configuration))
                try listen(on: handle.pointer)
            } catch {
                logger.warning("LISTEN session could not start", metadata: ["db.error": "\(error)"])
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
                continue
            }
            backoff = .milliseconds(100)
            continuation.yield(everConnected ? .reconnected : .listening)
            everConnected = true
            markReady()
            receive(on: handle.pointer)
            continuation.yield(.disconnected)
        }
    }

    private func listen(on connection: OpaquePointer) throws {
        for channel in channels {
            let statement: SQL = "LISTEN \(identifier: channel)"
            guard let result = PQexec(connection, statement.text) else {
                throw PostgresError(code: .connectionLost, message: String(cString: PQerrorMessage(connection)))
            }
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_COMMAND_OK else {
                throw PostgresError(code: .server, message: String(cString: PQresultErrorMessage(result)))
            }
        }
    }

    /// Polls the socket until the session breaks or the task is cancelled.
    private func receive(on connection: OpaquePointer) {
        while !Task.isCancelled {
            var descriptor = pollfd(fd: PQsocket(connection), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 250)
            if ready < 0 && errno != EINTR { return }
            if ready > 0 {
                guard PQconsumeInput(connection) == 1 else {
                    logger.info("LISTEN session lost; reconnecting")
                    return
                }
                while let notify = PQnotifies(connection) {
                    let channel = String(cString: notify.pointee.relname)
                    let payload = String(cString: notify.pointee.extra)
                    PQfreemem(notify)
                    continuation.yield(.notification(channel: channel, payload: payload))
                }
            }
            if PQstatus(connection) != CONNECTION_OK { return }
        }
    }

    private func markReady() {
        let waiters = ready.withLock { waiters in
            let current = waiters ?? []
            waiters = nil
            return current
        }
        for waiter in waiters { waiter.resume() }
    }
}
