import Logging
import Postgres
import Synchronization

/// Keeps every cache of a process honest with one LISTEN session.
///
/// Triggers (schema 0011) send `NOTIFY manrs_cache, '<topic>'` when a row a cache may hold
/// changes, whoever writes it: this instance, another one, or psql. The notification arrives
/// after the change commits, so within a second every instance drops what it changed.
///
/// When the session breaks, notifications are lost: every cache is emptied and suspended (reads
/// go to the database) until the session listens again. Before the first session listens, the
/// caches are suspended too.
public final class CacheInvalidation: Sendable {
    /// The channel the triggers notify.
    public static let channel = "manrs_cache"

    let configuration: PostgresConfiguration
    let logger: Logger
    struct State {
        var caches: [any InvalidatedCache] = []
        var listening = false
    }
    let state = Mutex(State())

    public init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Adds a cache; it is suspended until the session listens.
    public func register(_ cache: some InvalidatedCache) {
        state.withLock { state in
            state.caches.append(cache)
            if state.listening { cache.resume() } else { cache.suspend() }
        }
    }

    /// Whether the caches are trusted now.
    public var isListening: Bool { state.withLock { $0.listening } }

    /// Listens until the task is cancelled, reconnecting when the session breaks.
    public func run() async {
        let listener = PostgresListener(configuration: configuration, channels: [Self.channel], logger: logger)
        await withTaskGroup(of: Void.self) { group in
            // It returns only when cancelled.
            group.addTask { try? await listener.run() }
            for await event in listener.events { handle(event) }
            group.cancelAll()
        }
        handle(.disconnected)
    }

    /// Applies one event of the listener to every cache.
    func handle(_ event: PostgresListenerEvent) {
        // Under the lock, so a cache registered meanwhile cannot miss the event.
        state.withLock { state in
            switch event {
            case .listening, .reconnected:
                state.listening = true
                for cache in state.caches { cache.resume() }
            case .disconnected:
                state.listening = false
                for cache in state.caches { cache.suspend() }
            case .notification(_, let payload):
                if let topic = CacheTopic(payload: payload) {
                    for cache in state.caches { cache.invalidate(topic) }
                } else if state.listening {
                    // A payload this version does not know (a newer instance wrote it): drop everything.
                    for cache in state.caches { cache.resume() }
                }
            }
        }
        switch event {
        case .listening, .reconnected: logger.info("Caches trusted: listening for changes")
        case .disconnected: logger.warning("Caches suspended until the LISTEN session is back")
        case .notification: break
        }
    }
}
